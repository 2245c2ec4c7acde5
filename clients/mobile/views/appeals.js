// 企业诉求专区: the enterprise's appeals (or, for an agent, those of the enterprises it acts for) with their grade,
// channel, status and the next deadline of their clock, paged; entries to file one online or to write to the governor.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";
import { nextStep, statusTag } from "../../shared/appeal-steps.js";
import { gradeTag } from "../../shared/appeal-clocks.js";

const PAGE_SIZE = 10;

const APPEALS = `query MyAppeals($first: Int!, $after: String) {
  me {
    appeals(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id number title status channel category urgency gradeName enterpriseName createdAt resolvedAt
        sla { contactBy opinionBy resolveBy clockName } onTime } }
    }
  }
}`;

function appealCard(appeal, agent) {
  const next = nextStep(appeal);
  return h("li", {}, h("a", { class: "card appeal-card", href: `#/appeal/${encodeURIComponent(appeal.id)}` },
    h("h3", {}, appeal.title),
    h("p", { class: "appeal-card__tags" },
      statusTag(appeal.status), gradeTag(appeal),
      next.overdue ? h("span", { class: "tag tag--error" }, t("appeals.overdue")) : null,
      h("span", { class: "muted" }, t(`appeals.channel.${appeal.channel}`)),
      h("span", { class: "muted" }, t(`appeals.category.${appeal.category}`))),
    agent ? h("p", { class: "appeal-card__enterprise" }, appeal.enterpriseName) : null,
    h("p", { class: "appeal-card__next" }, appeal.sla?.clockName
      ? t("appeals.card.clock", { clock: appeal.sla.clockName, next: next.text }) : next.text),
    h("p", { class: "muted appeal-card__filed" }, t("appeals.numberAndFiledAt",
      { number: appeal.number, time: formatDateTime(appeal.createdAt) }))));
}

export default async function render({ main, session, setTitle }) {
  setTitle(t("appeals.title"));
  const agent = session.account.kind !== "ENTERPRISE";
  const list = h("ul", { class: "card-list appeal-list" });
  const count = h("p", { class: "muted" });
  const nextPage = async (after) => (await request(APPEALS, { first: PAGE_SIZE, after })).me.appeals;
  const { controls, show } = pager({
    list, entry: (appeal) => appealCard(appeal, agent), nextPage, label: t("appeals.more"), loadingLabel: t("appeals.loadingMore"),
    onPage: (page) => { count.textContent = t("appeals.count", { n: page.totalCount }); },
  });
  const page = await nextPage(null);
  show(page);
  replace(main,
    h("h1", {}, t("appeals.title")),
    h("p", { class: "lead" }, t("appeals.lead")),
    agent ? h("p", {}, t("appeals.agentLead")) : null,
    h("p", { class: "actions" }, h("a", { class: "button", href: "#/appeals/new" }, t("appeals.new")),
      h("a", { class: "button button--secondary", href: "#/appeals/new?channel=MAILBOX" }, t("appeals.mailbox.new"))),
    h("p", { class: "muted" }, t("appeals.mailbox.lead")),
    h("h2", {}, t("appeals.mine")),
    page.totalCount ? [count, list] : h("p", {}, t("appeals.empty")),
    controls);
}
