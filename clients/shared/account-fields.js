// Pieces of the account forms (sign-in and sign-up of /m/, the staff sign-in of /window/).
import { h } from "./dom.js";
import { fieldId } from "./errors.js";
import { t } from "./strings.js";

/** A labelled input whose id is fieldId(key), so that showErrors puts its error next to it. */
export function inputField(key, label, hint, attributes = {}) {
  const id = fieldId(key);
  const hintId = hint ? `${id}-hint` : null;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: hintId }, hint) : null,
    h("input", { type: "text", id, name: key, "aria-describedby": hintId, ...attributes }));
}

/** A password input with a button that shows what was typed (easier than typing it twice). */
export function passwordField(key, autocomplete, hint = null) {
  const field = inputField(key, t("account.password"), hint, {
    type: "password", autocomplete, autocapitalize: "off", spellcheck: "false",
  });
  const input = field.querySelector("input");
  const toggle = h("button", { type: "button", class: "link-button password-toggle", "aria-controls": input.id },
    t("account.password.show"));
  toggle.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    toggle.textContent = t(show ? "account.password.hide" : "account.password.show");
  });
  field.append(toggle);
  return field;
}

/** Where to go after signing in: `next` when it is a path of this app, never another site. */
export function destination(next) {
  return typeof next === "string" && /^\/(?!\/)/.test(next) ? next : "/";
}
