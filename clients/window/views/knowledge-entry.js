// 一条政策答复: the answer as it stands, who may find it (status, region, validity), how often the seat cited it,
// what its editors may do next (修改 on this version, 发布, 撤回 with a reason; supervisors only read), and every version with what changed. Each
// action names the version read (`baseVersion`): if another editor changed it meanwhile, the refusal says so and
// the page shows the latest version.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId, isUserError, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { VERSION_FIELDS, versionDetails } from "../knowledge-search.js";
import { knowledgeStatus } from "./knowledge.js";

const ENTRY = `query KnowledgeEntry($id: ID!) { knowledgeEntry(id: $id) {
  id version useCount current { ${VERSION_FIELDS} } history { ${VERSION_FIELDS} } } }`;
const RESULT = `... on KnowledgeEntry { id version current { status } } ${USER_ERROR_FIELDS}`;
const PUBLISH = `mutation PublishKnowledge($id: ID!, $baseVersion: Int!) {
  publishKnowledgeEntry(id: $id, baseVersion: $baseVersion) { ${RESULT} } }`;
const WITHDRAW = `mutation WithdrawKnowledge($id: ID!, $baseVersion: Int!, $reason: String!) {
  withdrawKnowledgeEntry(id: $id, baseVersion: $baseVersion, reason: $reason) { ${RESULT} } }`;

export default async function render({ main, params, query, staff, setTitle }) {
  const departments = new Map(staff.departments.map((d) => [d.code, d.name]));
  const status = h("p", { class: "desk-status", role: "status", "aria-live": "polite" },
    query.saved ? t("window.knowledge.entry.saved", { n: query.saved }) : "");
  const body = h("div");

  async function show() {
    const { knowledgeEntry: entry } = await request(ENTRY, { id: params.id });
    if (!entry) {
      setTitle(t("window.knowledge.entry.notFound"));
      replace(main, h("h1", {}, t("window.knowledge.entry.notFound")),
        h("p", {}, h("a", { href: "#/knowledge" }, t("window.knowledge.entry.back"))));
      return;
    }
    const version = entry.current;
    setTitle(version.title);
    replace(body,
      h("h1", {}, version.title),
      status,
      h("div", { class: "desk-grid desk-grid--task" },
        h("section", { class: "panel", "aria-labelledby": "entry-facts" },
          h("h2", { id: "entry-facts" }, t("window.knowledge.version"), " ",
            t("window.knowledge.versionNumber", { n: entry.version })),
          h("dl", { class: "summary-list" },
            h("dt", {}, t("window.knowledge.status")), h("dd", {}, knowledgeStatus(version.status)),
            h("dt", {}, t("window.knowledge.uses")), h("dd", {}, String(entry.useCount))),
          versionDetails(version, departments),
          staff.role === "SUPERVISOR" ? null : actions(entry)),
        h("section", { class: "panel", "aria-labelledby": "entry-history" },
          h("h2", { id: "entry-history" }, t("window.knowledge.entry.history")),
          h("ol", { class: "knowledge-history" }, entry.history.map((old) => h("li", {},
            h("p", {}, h("strong", {}, t("window.knowledge.entry.historyLine", {
              n: old.number, action: t(`window.knowledge.entry.action.${old.action}`),
              time: formatDateTime(old.at), author: old.authorName })), " ", knowledgeStatus(old.status)),
            old.note ? h("p", { class: "appeal-steps__note" }, old.note) : null,
            h("details", {}, h("summary", {}, t("window.knowledge.entry.showVersion")),
              h("p", {}, h("strong", {}, old.title)), versionDetails(old, departments))))))),
      h("p", {}, h("a", { href: "#/knowledge" }, t("window.knowledge.entry.back"))));
  }

  /** Send an action on the version shown; a refusal is shown in its form, a success shows the entry again. */
  async function act(form, document, field, variables, done) {
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const result = (await request(document, { id: params.id, ...variables }))[field];
      if (isUserError(result)) {
        showErrors(form, result);
        return;
      }
      status.textContent = t(done, { n: result.version });
      await show();
      body.querySelector("h1")?.focus();
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  }

  function actions(entry) {
    const state = entry.current.status;
    const publish = h("form", { novalidate: true, class: "decision" },
      h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("window.knowledge.entry.publish"))));
    publish.addEventListener("submit", (event) => {
      event.preventDefault();
      act(publish, PUBLISH, "publishKnowledgeEntry", { baseVersion: entry.version }, "window.knowledge.entry.published");
    });
    const reasonId = fieldId("reason");
    const withdraw = h("form", { novalidate: true, class: "decision" },
      h("div", { class: "field" }, h("label", { for: reasonId }, t("window.knowledge.entry.withdrawReason")),
        h("span", { class: "hint", id: `${reasonId}-hint` }, t("window.knowledge.entry.withdrawHint")),
        h("textarea", { id: reasonId, name: "reason", rows: 2, "aria-describedby": `${reasonId}-hint` })),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "button button--secondary" },
        t("window.knowledge.entry.withdraw"))));
    withdraw.addEventListener("submit", (event) => {
      event.preventDefault();
      act(withdraw, WITHDRAW, "withdrawKnowledgeEntry", { baseVersion: entry.version, reason: withdraw.elements.reason.value },
        "window.knowledge.entry.withdrawn");
    });
    return h("div", { class: "knowledge-actions" },
      state !== "WITHDRAWN" ? h("p", {}, h("a", { class: "button button--secondary",
        href: `#/knowledge/${encodeURIComponent(entry.id)}/edit` }, t("window.knowledge.entry.edit"))) : null,
      state !== "PUBLISHED" ? publish : null,
      state !== "WITHDRAWN" ? h("details", { class: "decision-block" },
        h("summary", {}, t("window.knowledge.entry.withdraw")), withdraw) : null);
  }

  replace(main, body);
  await show();
}
