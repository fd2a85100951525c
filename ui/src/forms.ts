// Modal forms (new epic, feature, task; a reason for block/reopen). A failed
// submit shows the error in the form and keeps everything typed.
import { errorMessage } from "./api";
import { h } from "./dom";

export interface Field {
  name: string;
  label: string;
  type?: "text" | "textarea" | "number" | "select" | "password";
  options?: [string, string][];
  value?: string;
  required?: boolean;
  placeholder?: string;
  hint?: string;
}

export type Values = Record<string, string>;

/** Opens a modal form; resolves when it is submitted successfully or closed. */
export function formDialog(
  title: string,
  fields: Field[],
  submitLabel: string,
  onSubmit: (v: Values) => Promise<void>,
  intro?: string,
): Promise<boolean> {
  return new Promise((resolve) => {
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const inputs = new Map<string, HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement>();
    const rows = fields.map((f) => {
      const id = `f-${f.name}`;
      let input: HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement;
      if (f.type === "textarea") {
        input = h("textarea", { id, name: f.name, rows: 4, placeholder: f.placeholder });
      } else if (f.type === "select") {
        input = h("select", { id, name: f.name }, ...(f.options ?? []).map(([v, l]) => h("option", { value: v }, l)));
      } else {
        input = h("input", {
          id,
          name: f.name,
          type: f.type ?? "text",
          placeholder: f.placeholder,
          autocomplete: "off",
          ...(f.type === "number" ? { min: 1, max: 10 } : {}),
        });
      }
      if (f.required) input.setAttribute("required", "");
      if (f.value !== undefined) input.value = f.value;
      inputs.set(f.name, input);
      return h("label", { for: id, class: "field" }, h("span", {}, f.label), input, f.hint ? h("small", {}, f.hint) : null);
    });
    const submit = h("button", { type: "submit", class: "primary" }, submitLabel);
    const cancel = h("button", { type: "button", onclick: () => close(false) }, "Cancel");
    const form = h("form", { method: "dialog", class: "form" }, h("h2", {}, title), intro ? h("p", {}, intro) : null, ...rows, error, h("div", { class: "actions" }, cancel, submit));
    const dialog = h("dialog", { class: "modal", "aria-label": title }, form);
    let done = false;
    const close = (ok: boolean) => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      resolve(ok);
    };
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      close(false);
    });
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const values: Values = {};
      for (const [k, el] of inputs) values[k] = el.value;
      submit.setAttribute("disabled", "");
      error.hidden = true;
      try {
        await onSubmit(values);
        close(true);
      } catch (err) {
        error.textContent = errorMessage(err);
        error.hidden = false;
      } finally {
        submit.removeAttribute("disabled");
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    const first = inputs.values().next().value;
    (first ?? submit).focus();
  });
}
