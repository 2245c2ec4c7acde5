// 企业诉求专区: the enterprise's appeals with their status and the next 2115 deadline, paged.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";
import { nextStep, statusTag } from "../../shared/appeal-steps.js";

const PAGE_SIZE = 10;

const APPEALS = `query MyAppeals($first: Int!, $after: String) {
  me {
    appeals(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id number title status category createdAt resolvedAt sla { contactBy opinionBy resolveBy } onTime } }
    }
  }
}`;

function appealCard(appeal) {
  const next = nextStep(appeal);
  return h("li", {}, h("a", { class: "card appeal-card", href: `#/appeal/${encodeURIComponent(appeal.id)}` },
    h("h3", {}, appeal.title),
    h("p", { class: "appeal-card__tags" },
      statusTag(appeal.status),
      next.overdue ? h("span", { class: "tag tag--error" }, t("appeals.overdue")) : null,
      h("span", { class: "muted" }, t(`appeals.category.${appeal.category}`))),
    h("p", { class: "appeal-card__next" }, next.text),
    h("p", { class: "muted appeal-card__filed" }, t("appeals.numberAndFiledAt",
      { number: appeal.number, time: formatDateTime(appeal.createdAt) }))));
}

export default async function render({ main, setTitle }) {
  setTitle(t("appeals.title"));
  const list = h("ul", { class: "card-list appeal-list" });
  const count = h("p", { class: "muted" });
  const nextPage = async (after) => (await request(APPEALS, { first: PAGE_SIZE, after })).me.appeals;
  const { controls, show } = pager({
    list, entry: appealCard, nextPage, label: t("appeals.more"), loadingLabel: t("appeals.loadingMore"),
    onPage: (page) => { count.textContent = t("appeals.count", { n: page.totalCount }); },
  });
  const page = await nextPage(null);
  show(page);
  replace(main,
    h("h1", {}, t("appeals.title")),
    h("p", { class: "lead" }, t("appeals.lead")),
    h("p", { class: "actions" }, h("a", { class: "button", href: "#/appeals/new" }, t("appeals.new"))),
    h("h2", {}, t("appeals.mine")),
    page.totalCount ? [count, list] : h("p", {}, t("appeals.empty")),
    controls);
}
