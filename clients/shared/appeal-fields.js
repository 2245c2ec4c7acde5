// The fields of an appeal, as the enterprise files it online and as the 96178 seat records a call: title, content,
// category, urgency (and, for the seat, the kind) and attachments, each control carrying fieldId(key) so that the API's errors land next to it.
import { h, replace } from "./dom.js";
import { clearErrors, fieldId, isUserError, showErrors } from "./errors.js";
import { uploadFile } from "./uploads.js";
import { t } from "./strings.js";

export const CATEGORIES = ["POLICY", "APPROVAL", "FINANCING", "TAX", "LABOUR", "LAND", "ENERGY", "MARKET", "LEGAL", "OTHER"];
const URGENCIES = ["GENERAL", "IMPORTANT", "URGENT"];
const KINDS = ["COMPLAINT", "CONSULTATION", "SUGGESTION", "REPORT"];
const MAX_ATTACHMENTS = 10;

function hinted(key, hint) {
  const id = fieldId(key);
  return { id, hintId: `${id}-hint`, hint: h("span", { class: "hint", id: `${id}-hint` }, hint) };
}

/** A labelled text control: `tag` is "input" (one line) or "textarea". */
export function textField(key, label, hint, tag) {
  const ids = hinted(key, hint);
  return h("div", { class: "field" },
    h("label", { for: ids.id }, label), ids.hint,
    h(tag, { id: ids.id, name: key, type: tag === "input" ? "text" : null, "aria-describedby": ids.hintId }));
}

export function categoryField() {
  const id = fieldId("category");
  return h("div", { class: "field" },
    h("label", { for: id }, t("appeals.form.categoryLabel")),
    h("select", { id, name: "category" },
      h("option", { value: "" }, t("appeals.form.categoryChoose")),
      CATEGORIES.map((code) => h("option", { value: code }, t(`appeals.category.${code}`)))));
}

/** A group of radios for an enum of the appeal (`key`), each labelled `${prefix}.${code}`, `initial` chosen. */
function choiceField(key, codes, initial, prefix) {
  const ids = hinted(key, t(`appeals.form.${key}Hint`));
  return h("div", { class: "field" }, h("fieldset", { "aria-describedby": ids.hintId },
    h("legend", {}, t(`appeals.form.${key}Label`)), ids.hint,
    codes.map((code, index) => {
      const id = index === 0 ? ids.id : `${ids.id}-${code}`;
      return h("div", { class: "choice" },
        h("input", { type: "radio", id, name: key, value: code, checked: code === initial }),
        h("label", { for: id }, t(`${prefix}.${code}`)));
    })));
}

export function urgencyField() {
  return choiceField("urgency", URGENCIES, "GENERAL", "appeals.urgency");
}

/** The appeal's nature (分类): a complaint, a consultation (which the 96178 seat may answer on the spot), ... */
export function kindField() {
  return choiceField("kind", KINDS, "COMPLAINT", "appeals.kind");
}

function fileSize(bytes) {
  return bytes < 1024 * 1024 ? t("appeals.size.kb", { n: Math.max(1, Math.round(bytes / 1024)) })
    : t("appeals.size.mb", { n: (bytes / (1024 * 1024)).toFixed(1) });
}

/**
 * Attachments are uploaded as soon as they are chosen, so that a retried submission sends the same file ids
 * (and the same idempotency key means the same appeal).
 */
export function attachmentsField() {
  const ids = hinted("attachments", t("appeals.form.attachmentsHint"));
  const input = h("input", {
    type: "file", id: ids.id, multiple: true, "aria-describedby": ids.hintId,
    accept: ".pdf,.jpg,.jpeg,.png,.ofd,application/pdf,image/jpeg,image/png,application/ofd",
  });
  const list = h("ul", { class: "attachment-list", "aria-label": t("appeals.form.attached") });
  const status = h("p", { class: "attachment-status", role: "status" });
  const attached = [];

  function show() {
    replace(list, attached.map((file) => h("li", {},
      h("span", {}, file.name), h("span", { class: "muted" }, fileSize(file.size)),
      h("button", {
        type: "button", class: "link-button", "aria-label": t("appeals.form.removeLabel", { name: file.name }),
        onclick: () => {
          attached.splice(attached.indexOf(file), 1);
          show();
          input.focus();
        },
      }, t("appeals.form.remove")))));
  }

  input.addEventListener("change", async () => {
    const chosen = [...input.files].slice(0, MAX_ATTACHMENTS - attached.length);
    input.disabled = true;
    const failures = [];
    for (const file of chosen) {
      status.textContent = t("appeals.form.uploading", { name: file.name });
      try {
        const stored = await uploadFile(file);
        attached.push({ id: stored.fileId, name: stored.name, size: stored.size });
        show();
      } catch (error) {
        failures.push(t("appeals.form.uploadFailed", { name: file.name, message: error.message }));
      }
    }
    input.value = "";
    input.disabled = false;
    status.textContent = failures.length ? failures.join("；")
      : t("appeals.form.uploaded", { name: chosen.map((file) => file.name).join("、") });
    status.classList.toggle("field-error", failures.length > 0);
  });

  const field = h("div", { class: "field" },
    h("label", { for: ids.id }, t("appeals.form.attachmentsLabel")), ids.hint, input, status, list);
  return { field, ids: () => attached.map((file) => file.id) };
}

/**
 * The API judges the form, but cannot be asked without a value for an enum (a category, a channel). Then the
 * blank required fields are listed here, so that every problem still shows at once. `required`: key -> message.
 */
export function missingChoices(values, enums, required) {
  if (enums.every((key) => values[key])) return [];
  return Object.entries(required).filter(([key]) => !(values[key] ?? "").trim())
    .map(([field, message]) => ({ field, code: "REQUIRED", message }));
}

/**
 * Send an appeal form: the `problems` found before asking the API are shown at once; otherwise the button is busy
 * while `send()` runs the mutation, whose refusal is shown in the form, and `done(result)` follows a success.
 */
export async function sendAppealForm({ form, button, problems, send, done }) {
  if (problems.length) {
    showErrors(form, { __typename: "FormInvalid", errors: problems });
    return;
  }
  const label = button.textContent;
  button.disabled = true;
  button.textContent = t("appeals.form.sending");
  try {
    const result = await send();
    if (isUserError(result)) {
      showErrors(form, result);
      return;
    }
    clearErrors(form);
    done(result);
  } catch (error) {
    showErrors(form, error);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}
