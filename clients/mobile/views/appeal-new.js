// 提交企业诉求 / 写信给省长: title, content, category, kind and urgency (each urgency with the clock it promises, from
// `appealClocks`), online or a letter to the governor's mailbox (?channel=MAILBOX opens the letter), and attachments;
// submitted once per fill of the form. An agent (a citizen an enterprise authorised) files for the enterprise it
// acts for, chosen among its active grants when it has several (`me.agents`, `submitAppeal`'s creditCode).
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { CLOCK_FIELDS } from "../../shared/appeal-clocks.js";
import {
  attachmentsField, categoryField, enterpriseChannelField, gradeFields, missingChoices, radioField, sendAppealForm,
  textField,
} from "../../shared/appeal-fields.js";

const FORM = `query AppealForm($agent: Boolean!) {
  appealClocks { ${CLOCK_FIELDS} }
  me @include(if: $agent) { agents { id enterpriseName creditCode revokedAt } }
}`;

const SUBMIT = `mutation SubmitAppeal($input: SubmitAppealInput!) {
  submitAppeal(input: $input) { ... on Appeal { id } ${USER_ERROR_FIELDS} }
}`;

/** For an agent: the enterprise it files for, said when there is one, chosen when there are several. */
function enterpriseField(grants) {
  if (grants.length === 1) return h("p", { class: "notice" }, t("appeals.agent.for", { name: grants[0].enterpriseName }));
  return radioField("creditCode", t("appeals.form.enterpriseLabel"),
    grants.map((grant) => [grant.creditCode, grant.enterpriseName]), { hint: t("appeals.form.enterpriseHint") });
}

export default async function render({ main, query, navigate, session, setTitle }) {
  const agent = session.account.kind !== "ENTERPRISE";
  const { appealClocks: clocks, me } = await request(FORM, { agent });
  const grants = agent ? (me?.agents ?? []).filter((grant) => !grant.revokedAt) : [];
  const mailbox = query.channel === "MAILBOX";
  const title = t(mailbox ? "appeals.form.mailboxTitle" : "appeals.form.title");
  setTitle(title);
  if (agent && !grants.length) {
    replace(main, h("h1", {}, title), h("p", {}, t("appeals.agent.none")),
      h("p", {}, h("a", { href: "#/" }, t("nav.home"))));
    return;
  }
  const attachments = attachmentsField();
  const submit = h("button", { type: "submit", class: "button" },
    t(mailbox ? "appeals.form.mailboxSubmit" : "appeals.form.submit"));
  const form = h("form", { class: "appeal-form", novalidate: true },
    agent ? enterpriseField(grants) : null,
    enterpriseChannelField(mailbox ? "MAILBOX" : "ONLINE"),
    textField("title", t("appeals.form.titleLabel"), t("appeals.form.titleHint"), "input"),
    textField("content", t("appeals.form.contentLabel"), t("appeals.form.contentHint"), "textarea"),
    categoryField(),
    gradeFields(clocks),
    attachments.field,
    h("div", { class: "actions" }, submit, h("a", { class: "button button--secondary", href: "#/appeals" },
      t("appeals.back"))));
  // One key per fill of the form: a retry after a lost answer gives the same appeal, not a second one.
  const key = idempotencyKey();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const values = { title: data.get("title"), content: data.get("content"), category: data.get("category"),
      kind: data.get("kind") };
    const creditCode = grants.length === 1 ? grants[0].creditCode : data.get("creditCode");
    const required = ["title", "content", "category", "kind"];
    if (agent) required.unshift("creditCode");
    await sendAppealForm({
      form, button: submit,
      problems: missingChoices({ ...values, creditCode }, agent ? ["category", "kind", "creditCode"] : ["category", "kind"],
        Object.fromEntries(required.map((name) => [name, t(`appeals.form.required.${name}`)]))),
      send: async () => (await request(SUBMIT, { input: {
        ...values, urgency: data.get("urgency"), channel: data.get("channel"), attachments: attachments.ids(),
        creditCode: agent ? creditCode : null, idempotencyKey: key,
      } })).submitAppeal,
      done: (result) => navigate(`/appeal/${encodeURIComponent(result.id)}`),
    });
  });

  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, t(mailbox ? "appeals.form.mailboxLead" : "appeals.form.lead")),
    form);
}
