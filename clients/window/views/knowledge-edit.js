// 新建 / 修改政策答复: the form of one answer. A new one is saved as a draft (one idempotency key per fill of the
// form, so a retried save makes one entry); an edit is saved as a new version on the version this form was filled
// from (`baseVersion`), with a note of what changed. The API judges every field; its refusals land at the fields.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { CATEGORIES, missingChoices, sendAppealForm } from "../../shared/appeal-fields.js";
import { VERSION_FIELDS } from "../knowledge-search.js";

const ENTRY = `query KnowledgeEntryToEdit($id: ID!) { knowledgeEntry(id: $id) { id version current { ${VERSION_FIELDS} } } }`;
const RESULT = `... on KnowledgeEntry { id version } ${USER_ERROR_FIELDS}`;
const CREATE = `mutation CreateKnowledge($input: KnowledgeEntryInput!, $idempotencyKey: String!) {
  createKnowledgeEntry(input: $input, idempotencyKey: $idempotencyKey) { ${RESULT} } }`;
const EDIT = `mutation EditKnowledge($id: ID!, $baseVersion: Int!, $input: KnowledgeEntryInput!, $note: String!) {
  editKnowledgeEntry(id: $id, baseVersion: $baseVersion, input: $input, note: $note) { ${RESULT} } }`;
const TEXT_FIELDS = ["title", "answer", "basisTitle", "basisUrl", "regionCode", "validFrom", "validUntil"];

/** A labelled control carrying fieldId(key); `tag` input or textarea, `attributes` for the control. */
function field(key, label, hint, tag = "input", attributes = {}) {
  const id = fieldId(key);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null,
    h(tag, { id, name: key, "aria-describedby": hint ? `${id}-hint` : null,
      ...(tag === "input" ? { type: "text" } : { rows: 4 }), ...attributes }));
}

function select(key, label, choices) {
  const id = fieldId(key);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("select", { id, name: key }, h("option", { value: "" }, t("appeals.form.categoryChoose")),
      choices.map(([value, text]) => h("option", { value }, text))));
}

export default async function render({ main, params, navigate, staff, setTitle }) {
  const editing = Boolean(params.id);
  const entry = editing ? (await request(ENTRY, { id: params.id })).knowledgeEntry : null;
  if (editing && !entry) {
    setTitle(t("window.knowledge.entry.notFound"));
    replace(main, h("h1", {}, t("window.knowledge.entry.notFound")));
    return;
  }
  const title = t(editing ? "window.knowledge.edit.title" : "window.knowledge.new.title");
  setTitle(title);
  const submit = h("button", { type: "submit", class: "button" },
    t(editing ? "window.knowledge.form.save" : "window.knowledge.form.create"));
  const form = h("form", { class: "knowledge-form", novalidate: true },
    editing ? h("p", { class: "notice" }, t("window.knowledge.edit.basedOn", { n: entry.version })) : null,
    field("title", t("window.knowledge.form.title"), t("window.knowledge.form.titleHint"), "input",
      { "data-autofocus": true }),
    field("phrasings", t("window.knowledge.form.phrasings"), t("window.knowledge.form.phrasingsHint"), "textarea"),
    field("answer", t("window.knowledge.form.answer"), t("window.knowledge.form.answerHint"), "textarea", { rows: 8 }),
    field("basisTitle", t("window.knowledge.form.basisTitle"), t("window.knowledge.form.basisTitleHint")),
    select("basisDepartmentCode", t("window.knowledge.form.basisDepartment"),
      staff.departments.map((d) => [d.code, d.name])),
    field("basisUrl", t("window.knowledge.form.basisUrl"), t("window.knowledge.form.basisUrlHint"), "input",
      { type: "url" }),
    select("category", t("window.knowledge.form.category"),
      CATEGORIES.map((code) => [code, t(`appeals.category.${code}`)])),
    field("regionCode", t("window.knowledge.form.region"), t("window.knowledge.form.regionHint"), "input",
      { inputmode: "numeric", autocomplete: "off" }),
    field("validFrom", t("window.knowledge.form.validFrom"), null, "input", { type: "date" }),
    field("validUntil", t("window.knowledge.form.validUntil"), t("window.knowledge.form.validUntilHint"), "input",
      { type: "date" }),
    editing ? field("note", t("window.knowledge.form.note"), t("window.knowledge.form.noteHint")) : null,
    h("div", { class: "actions" }, submit,
      h("a", { class: "button button--secondary", href: editing ? `#/knowledge/${encodeURIComponent(entry.id)}`
        : "#/knowledge" }, t("window.knowledge.form.cancel"))));

  const current = entry?.current;
  if (current) {
    const elements = form.elements;
    elements.title.value = current.title;
    elements.phrasings.value = current.phrasings.join("\n");
    elements.answer.value = current.answer;
    elements.basisTitle.value = current.basis.title;
    elements.basisDepartmentCode.value = current.basis.departmentCode;
    elements.basisUrl.value = current.basis.url ?? "";
    elements.category.value = current.category;
    elements.regionCode.value = current.regionCode;
    elements.validFrom.value = current.validFrom;
    elements.validUntil.value = current.validUntil ?? "";
  } else {
    form.elements.regionCode.value = "370000";
  }
  const key = idempotencyKey();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = Object.fromEntries(TEXT_FIELDS.map((name) => [name, (data.get(name) ?? "").trim()]));
    const input = {
      ...values, basisUrl: values.basisUrl || null, validUntil: values.validUntil || null,
      category: data.get("category"), basisDepartmentCode: data.get("basisDepartmentCode"),
      phrasings: (data.get("phrasings") ?? "").split("\n").map((line) => line.trim()).filter(Boolean),
    };
    await sendAppealForm({
      form, button: submit,
      // The API cannot be asked without the category, the department and the first valid day: then the blank
      // required fields are shown here at once.
      problems: missingChoices({ ...input, validFrom: values.validFrom }, ["category", "basisDepartmentCode", "validFrom"], {
        title: t("window.knowledge.form.required.title"), answer: t("window.knowledge.form.required.answer"),
        basisTitle: t("window.knowledge.form.required.basisTitle"),
        category: t("window.knowledge.form.required.category"),
        basisDepartmentCode: t("window.knowledge.form.required.department"),
        validFrom: t("window.knowledge.form.required.validFrom"),
      }),
      send: async () => (editing
        ? (await request(EDIT, { id: entry.id, baseVersion: entry.version, input, note: data.get("note") ?? "" }))
          .editKnowledgeEntry
        : (await request(CREATE, { input, idempotencyKey: key })).createKnowledgeEntry),
      done: (saved) => navigate(`/knowledge/${encodeURIComponent(saved.id)}`, { saved: String(saved.version) }),
    });
  });

  replace(main, h("h1", {}, title), form);
}
