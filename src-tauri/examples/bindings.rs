//! Writes `ui/src/bindings.ts` from the Rust types (`npm run bindings`).

use std::io::Write;

fn main() -> std::io::Result<()> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join(shark_app::bindings::PATH);
    std::fs::write(&path, shark_app::bindings::typescript())?;
    writeln!(std::io::stdout(), "wrote {}", path.display())
}
