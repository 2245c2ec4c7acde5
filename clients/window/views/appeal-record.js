// 登记来电来信: the 96178 seat records a call, a letter (省长信箱) or a visit, of a kind and urgency (each with its
// clock, `appealClocks`), for an enterprise named by its credit code (`recordHotlineAppeal`): the enterprise need not have an account, and then its name is asked. One
// idempotency key per fill of the form, so a retried submission records one appeal. Recorded, the appeal's page
// opens, where the similar appeals are offered to merge and the appeal is routed, or a consultation by phone is
// answered on the spot from the knowledge base.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId } from "../../shared/errors.js";
import { CLOCK_FIELDS } from "../../shared/appeal-clocks.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import {
  attachmentsField, categoryField, gradeFields, missingChoices, radioField, sendAppealForm, textField,
} from "../../shared/appeal-fields.js";

// The channels a coordinator records; ONLINE is the enterprise's own (submitAppeal).
const CHANNELS = ["HOTLINE", "MAILBOX", "VISIT"];
const CLOCKS = `query Clocks { appealClocks { ${CLOCK_FIELDS} } }`;
const RECORD = `mutation RecordAppeal($input: RecordHotlineAppealInput!) {
  recordHotlineAppeal(input: $input) { ... on Appeal { id } ${USER_ERROR_FIELDS} }
}`;

function lineField(key, label, hint, attributes = {}) {
  const id = fieldId(key);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("span", { class: "hint", id: `${id}-hint` }, hint),
    h("input", { id, name: key, type: "text", "aria-describedby": `${id}-hint`, ...attributes }));
}

function channelField() {
  return radioField("channel", t("window.record.channel"),
    CHANNELS.map((code) => [code, t(`window.appeals.channel.${code}`)]), { checked: CHANNELS[0] });
}

export default async function render({ main, navigate, setTitle }) {
  const { appealClocks: clocks } = await request(CLOCKS);
  const title = t("window.record.title");
  setTitle(title);
  const attachments = attachmentsField();
  const submit = h("button", { type: "submit", class: "button" }, t("window.record.submit"));
  const form = h("form", { class: "appeal-form record-form", novalidate: true },
    h("fieldset", { class: "proxy-topic" }, h("legend", {}, t("window.record.enterprise")),
      lineField("creditCode", t("window.record.creditCode"), t("window.record.creditCodeHint"),
        { autocomplete: "off", spellcheck: "false", "data-autofocus": true }),
      lineField("enterpriseName", t("window.record.enterpriseName"), t("window.record.enterpriseNameHint"))),
    h("fieldset", { class: "proxy-topic" }, h("legend", {}, t("window.record.appeal")),
      channelField(),
      textField("title", t("appeals.form.titleLabel"), t("appeals.form.titleHint"), "input"),
      textField("content", t("appeals.form.contentLabel"), t("appeals.form.contentHint"), "textarea"),
      categoryField(),
      gradeFields(clocks),
      attachments.field),
    h("div", { class: "actions" }, submit));
  const key = idempotencyKey();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = Object.fromEntries(["creditCode", "enterpriseName", "channel", "title", "content", "category",
      "kind"].map((name) => [name, data.get(name) ?? ""]));
    await sendAppealForm({
      form, button: submit,
      problems: missingChoices(values, ["category", "channel", "kind"], {
        creditCode: t("window.record.required.creditCode"), title: t("appeals.form.required.title"),
        content: t("appeals.form.required.content"), category: t("appeals.form.required.category"),
        kind: t("appeals.form.required.kind"),
      }),
      send: async () => (await request(RECORD, { input: {
        ...values, enterpriseName: values.enterpriseName.trim() || null, urgency: data.get("urgency"),
        kind: data.get("kind"),
        attachments: attachments.ids(), idempotencyKey: key,
      } })).recordHotlineAppeal,
      done: (result) => navigate(`/appeal/${encodeURIComponent(result.id)}`, { recorded: "1" }),
    });
  });

  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.record.lead")),
    form);
}
