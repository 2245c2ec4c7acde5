// 提交企业诉求: title, content, category, urgency and attachments; submitted once per fill of the form.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import {
  attachmentsField, categoryField, missingChoices, sendAppealForm, textField, urgencyField,
} from "../../shared/appeal-fields.js";

const SUBMIT = `mutation SubmitAppeal($input: SubmitAppealInput!) {
  submitAppeal(input: $input) { ... on Appeal { id } ${USER_ERROR_FIELDS} }
}`;

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
    await sendAppealForm({
      form, button: submit,
      problems: missingChoices(values, ["category"], Object.fromEntries(["title", "content", "category"]
        .map((key) => [key, t(`appeals.form.required.${key}`)]))),
      send: async () => (await request(SUBMIT, { input: {
        ...values, urgency: data.get("urgency"), channel: "ONLINE", attachments: attachments.ids(),
        idempotencyKey: key,
      } })).submitAppeal,
      done: (result) => navigate(`/appeal/${encodeURIComponent(result.id)}`),
    });
  });

  replace(main,
    h("h1", {}, t("appeals.form.title")),
    h("p", { class: "lead" }, t("appeals.form.lead")),
    form);
}
