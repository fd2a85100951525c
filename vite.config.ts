// The web front end: built from ui/ into dist/, which the app embeds.
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: "ui",
  clearScreen: false,
  build: { outDir: "../dist", emptyOutDir: true, target: "es2022", sourcemap: false },
  server: { port: 5173, strictPort: true },
  test: { root: ".", include: ["ui/src/**/*.test.ts"], environment: "jsdom" },
});
