// Form fields of the merged form (FormField in the schema) as controls, their values read back and shown,
// and material uploads (POST /uploads). Used by the apply screens and the supplement (补正) form of /m/, and by 代办 at the window.
import { h, formatDate } from "./dom.js";
import { fieldId } from "./errors.js";
import { uploadFile } from "./uploads.js";
import { t } from "./strings.js";

// Few options read best as radios (all visible at once); long lists as a drop-down.
const MAX_RADIO_OPTIONS = 5;
// What the browser may fill in for the applicant's own details (WCAG 1.3.5).
const AUTOCOMPLETE = { "applicant.name": "name", "applicant.phone": "tel", "applicant.address": "street-address" };
const ACCEPTED_FILES = ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png";

function choices(field) {
  if (field.type === "BOOLEAN") {
    return [{ value: "true", label: t("apply.field.yes") }, { value: "false", label: t("apply.field.no") }];
  }
  return field.options;
}

function isRadioGroup(field) {
  return field.type === "BOOLEAN" || (field.type === "SELECT" && field.options.length <= MAX_RADIO_OPTIONS);
}

/**
 * Where a prefilled answer came from (FormField.prefilledFrom: PROFILE, or CERTIFICATE:<type> named by
 * `certificateNames`), said next to its field while the answer is still the prefilled one, or null. `whose` is
 * "own" for the applicant's own screens, "person" for a clerk filling the form for the person at the counter.
 */
export function prefillSource(field, { certificateNames, whose = "own" } = {}) {
  if (!field.prefilledFrom) return null;
  if (field.prefilledFrom === "PROFILE") return t(`apply.prefilledFrom.${whose}.profile`);
  const name = certificateNames?.get(field.prefilledFrom.replace(/^CERTIFICATE:/, ""));
  return name ? t(`apply.prefilledFrom.${whose}.certificate`, { name }) : t(`apply.prefilledFrom.${whose}.licence`);
}

function samePrefill(field, value) {
  return !isBlank(value) && !isBlank(field.value) && String(value) === String(field.value);
}

function textControl(field, id, value, describedBy) {
  const common = { id, name: field.key, "aria-describedby": describedBy, autocomplete: AUTOCOMPLETE[field.key] };
  if (field.type === "TEXT" && field.validation?.multiline) return h("textarea", common, value ?? "");
  const byType = {
    DATE: { type: "date" },
    NUMBER: { type: "text", inputmode: "decimal" },
    PHONE: { type: "tel", inputmode: "numeric" },
    ID_NUMBER: { type: "text", class: "input--code", spellcheck: "false", autocapitalize: "characters" },
    CREDIT_CODE: { type: "text", class: "input--code", spellcheck: "false", autocapitalize: "characters" },
  };
  return h("input", { type: "text", ...common, ...byType[field.type], value: value ?? "" });
}

/**
 * The control of one field inside a `.field` wrapper, labelled, with the field's hint and, while the answer is
 * the prefilled one, where it came from (`prefillSource`, with its options). The control (or the radio group's
 * fieldset) carries `fieldId(key)`, so that errors.js can put a validation error next to it.
 */
export function fieldControl(field, value, sourceOptions = {}) {
  const id = fieldId(field.key);
  const label = `${field.label}${field.required ? "" : t("apply.field.optional")}`;
  const source = samePrefill(field, value) ? prefillSource(field, sourceOptions) : null;
  const hint = field.hint ? h("span", { class: "hint", id: `hint-${id}` }, field.hint) : null;
  const origin = source ? h("span", { class: "hint prefill-source", id: `source-${id}` }, source) : null;
  const hintId = [hint?.id, origin?.id].filter(Boolean).join(" ") || null;
  if (isRadioGroup(field)) {
    return h("div", { class: "field" },
      h("fieldset", { id, tabindex: "-1", "aria-describedby": hintId },
        h("legend", {}, label), hint, origin,
        choices(field).map((option, n) => h("div", { class: "choice" },
          h("input", { type: "radio", id: `${id}-${n}`, name: field.key, value: option.value,
            checked: value !== undefined && value !== null && String(value) === option.value }),
          h("label", { for: `${id}-${n}` }, option.label)))));
  }
  let control;
  if (field.type === "SELECT") {
    control = h("select", { id, name: field.key, "aria-describedby": hintId },
      h("option", { value: "" }, t("apply.field.choose")),
      field.options.map((option) => h("option", { value: option.value, selected: option.value === value },
        option.label)));
  } else {
    control = textControl(field, id, value, hintId);
  }
  return h("div", { class: "field" }, h("label", { for: id }, label), hint, origin, control);
}

/** The value a form holds for `field`: text as typed, a chosen option, true/false, or "" when empty. */
export function readValue(form, field) {
  if (isRadioGroup(field)) {
    const checked = form.querySelector(`input[name="${CSS.escape(field.key)}"]:checked`);
    if (!checked) return "";
    return field.type === "BOOLEAN" ? checked.value === "true" : checked.value;
  }
  return form.elements.namedItem(field.key)?.value ?? "";
}

export function isBlank(value) {
  return value === undefined || value === null || (typeof value === "string" && !value.trim());
}

/** A value as the check-your-answers page and the supplement request show it. */
export function displayValue(field, value) {
  if (isBlank(value)) return t("apply.check.empty");
  if (field.type === "BOOLEAN") return value ? t("apply.field.yes") : t("apply.field.no");
  if (field.type === "SELECT") return field.options.find((o) => o.value === value)?.label ?? String(value);
  if (field.type === "DATE" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
  return String(value);
}

/**
 * A file control for one material (`fieldId("materials.<code>")`, the key errors use), uploading as soon as
 * a file is chosen; `onUploaded({fileId, name})` keeps the result.
 */
export function materialUpload(material, uploaded, onUploaded) {
  let current = uploaded;
  const id = fieldId(`materials.${material.code}`);
  const status = h("p", { class: "upload-status", id: `status-${id}`, role: "status" },
    uploaded ? t("apply.materials.uploaded", { file: uploaded.name }) : "");
  const input = h("input", { type: "file", id, accept: ACCEPTED_FILES, "aria-describedby": `hint-${id} status-${id}` });
  const wrapper = h("div", { class: "field" },
    h("label", { for: id }, t("apply.materials.upload", { name: material.name })),
    h("span", { class: "hint", id: `hint-${id}` }, t("apply.materials.hint")), input, status);
  input.addEventListener("change", async () => {
    const [file] = input.files;
    if (!file) return;
    wrapper.querySelector(".upload-error")?.remove();
    status.textContent = t("apply.materials.uploading", { file: file.name });
    input.disabled = true;
    try {
      current = await uploadFile(file);
      onUploaded(current);
      status.textContent = t("apply.materials.uploaded", { file: current.name });
    } catch (error) {
      status.textContent = current ? t("apply.materials.uploaded", { file: current.name }) : "";
      wrapper.insertBefore(h("p", { class: "field-error upload-error" }, error.message), input);
    } finally {
      input.disabled = false;
      input.value = "";
    }
  });
  return wrapper;
}

/** The bundle's merged form as the apply screens ask for it (fields with their prefilled values, materials). */
export const FORM_SELECTION = `
      fields { key label type required hint options { value label } validation { multiline } value prefilledFrom }
      materials { code name required issuedBy certificateType { code name } heldLicence { name number } }`;
