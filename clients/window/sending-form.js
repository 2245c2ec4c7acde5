// The forms of the oversight screens (常务会议, 通报约谈): several on one page take the same arguments, so a refusal's
// fields are renamed `field.suffix` to land next to the right form's controls.
import { h } from "../shared/dom.js";
import { fieldId, isUserError, showErrors } from "../shared/errors.js";

/** A labelled control whose id is fieldId(key), so that a refusal of `key` lands next to it. */
export function labelled(key, label, control, hint = null) {
  const id = fieldId(key);
  control.id = id;
  if (hint) control.setAttribute("aria-describedby", `${id}-hint`);
  return h("div", { class: "field" }, h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null, control);
}

/** The refusal with each field renamed `field.suffix`: several forms of one page take the same arguments. */
function suffixed(result, suffix) {
  if (result.__typename !== "FormInvalid") return result;
  return { ...result, errors: result.errors.map((e) => ({ ...e, field: `${e.field}.${suffix}` })) };
}

/** A form that sends `call(form)`'s answer; on success the page is drawn again and `done` is announced. */
export function sendingForm(className, controls, submitLabel, call, { onDone, suffix = null }) {
  const form = h("form", { novalidate: true, class: className }, controls,
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, submitLabel)));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const result = await call(form);
      if (isUserError(result)) showErrors(form, suffix ? suffixed(result, suffix) : result);
      else await onDone();
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
