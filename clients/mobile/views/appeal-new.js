// 提交企业诉求: title, content, category, urgency and attachments; submitted once per fill of the form.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, clearErrors, fieldId, isUserError, showErrors } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { token } from "../../shared/session.js";
import { t } from "../../shared/strings.js";

const CATEGORIES = ["POLICY", "APPROVAL", "FINANCING", "TAX", "LABOUR", "LAND", "ENERGY", "MARKET", "LEGAL", "OTHER"];
const URGENCIES = ["GENERAL", "IMPORTANT", "URGENT"];
const MAX_ATTACHMENTS = 10;

const SUBMIT = `mutation SubmitAppeal($input: SubmitAppealInput!) {
  submitAppeal(input: $input) { ... on Appeal { id } ${USER_ERROR_FIELDS} }
}`;

function hinted(key, hint) {
  const id = fieldId(key);
  return { id, hintId: `${id}-hint`, hint: h("span", { class: "hint", id: `${id}-hint` }, hint) };
}

/** A labelled text control: `tag` is "input" (one line) or "textarea". */
function textField(key, label, hint, tag) {
  const ids = hinted(key, hint);
  return h("div", { class: "field" },
    h("label", { for: ids.id }, label), ids.hint,
    h(tag, { id: ids.id, name: key, type: tag === "input" ? "text" : null, "aria-describedby": ids.hintId }));
}

function categoryField() {
  const id = fieldId("category");
  return h("div", { class: "field" },
    h("label", { for: id }, t("appeals.form.categoryLabel")),
    h("select", { id, name: "category" },
      h("option", { value: "" }, t("appeals.form.categoryChoose")),
      CATEGORIES.map((code) => h("option", { value: code }, t(`appeals.category.${code}`)))));
}

function urgencyField() {
  const ids = hinted("urgency", t("appeals.form.urgencyHint"));
  return h("div", { class: "field" }, h("fieldset", { "aria-describedby": ids.hintId },
    h("legend", {}, t("appeals.form.urgencyLabel")), ids.hint,
    URGENCIES.map((code, index) => {
      const id = index === 0 ? ids.id : `${ids.id}-${code}`;
      return h("div", { class: "choice" },
        h("input", { type: "radio", id, name: "urgency", value: code, checked: code === "GENERAL" }),
        h("label", { for: id }, t(`appeals.urgency.${code}`)));
    })));
}

function fileSize(bytes) {
  return bytes < 1024 * 1024 ? t("appeals.size.kb", { n: Math.max(1, Math.round(bytes / 1024)) })
    : t("appeals.size.mb", { n: (bytes / (1024 * 1024)).toFixed(1) });
}

/** POST /uploads takes the raw bytes with the name in X-File-Name; it answers the file's id. */
async function upload(file) {
  const response = await fetch("/uploads", {
    method: "POST",
    headers: { authorization: `Bearer ${token()}`, "x-file-name": encodeURIComponent(file.name) },
    body: file,
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? t("errors.unknown"));
  return body;
}

/**
 * Attachments are uploaded as soon as they are chosen, so that a retried submission sends the same file ids
 * (and the same idempotency key means the same appeal).
 */
function attachmentsField() {
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
        const stored = await upload(file);
        attached.push({ id: stored.id, name: stored.name, size: stored.size });
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
 * The API judges the form, but cannot be asked without a category (an enum needs a value). Then the blank
 * fields are listed here too, so that every problem still shows at once.
 */
function missing(values) {
  if (values.category) return [];
  return ["title", "content", "category"].filter((key) => !values[key].trim())
    .map((key) => ({ field: key, code: "REQUIRED", message: t(`appeals.form.required.${key}`) }));
}

export default async function render({ main, navigate, setTitle }) {
  setTitle(t("appeals.form.title"));
  const attachments = attachmentsField();
  const submit = h("button", { type: "submit", class: "button" }, t("appeals.form.submit"));
  const form = h("form", { class: "appeal-form", novalidate: true },
    textField("title", t("appeals.form.titleLabel"), t("appeals.form.titleHint"), "input"),
    textField("content", t("appeals.form.contentLabel"), t("appeals.form.contentHint"), "textarea"),
    categoryField(),
    urgencyField(),
    attachments.field,
    h("div", { class: "actions" }, submit, h("a", { class: "button button--secondary", href: "#/appeals" },
      t("appeals.back"))));
  // One key per fill of the form: a retry after a lost answer gives the same appeal, not a second one.
  const key = idempotencyKey();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = { title: data.get("title"), content: data.get("content"), category: data.get("category") };
    const problems = missing(values);
    if (problems.length) {
      showErrors(form, { __typename: "FormInvalid", errors: problems });
      return;
    }
    submit.disabled = true;
    submit.textContent = t("appeals.form.sending");
    try {
      const { submitAppeal: result } = await request(SUBMIT, { input: {
        ...values, urgency: data.get("urgency"), channel: "ONLINE", attachments: attachments.ids(),
        idempotencyKey: key,
      } });
      if (isUserError(result)) {
        showErrors(form, result);
        return;
      }
      clearErrors(form);
      navigate(`/appeal/${encodeURIComponent(result.id)}`);
    } catch (error) {
      showErrors(form, error);
    } finally {
      submit.disabled = false;
      submit.textContent = t("appeals.form.submit");
    }
  });

  replace(main,
    h("h1", {}, t("appeals.form.title")),
    h("p", { class: "lead" }, t("appeals.form.lead")),
    form);
}
