// 政策问答知识库: the answers the 96178 seat gives, as they stand now, latest changed first (`knowledgeEntries`), of
// one status when the filter names it (kept in the address); the seat's search to try a question; a new answer.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { knowledgeSearch } from "../knowledge-search.js";
import { statusFilter, worklist } from "../worklist.js";

const PAGE = 20;
const STATUSES = ["DRAFT", "PUBLISHED", "WITHDRAWN"];
const ENTRIES = `query KnowledgeEntries($status: KnowledgeStatus, $first: Int, $after: String) {
  knowledgeEntries(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id version current { title status category regionCode at authorName } } }
  }
}`;

/** The status of an answer as a tag, in words. */
export function knowledgeStatus(status) {
  const tag = { PUBLISHED: "tag--done", WITHDRAWN: "tag--warning" }[status] ?? "";
  return h("span", { class: `tag ${tag}` }, t(`window.knowledge.status.${status}`));
}

function row(entry) {
  const version = entry.current;
  return h("tr", {},
    h("td", {}, h("a", { href: `#/knowledge/${encodeURIComponent(entry.id)}` }, version.title)),
    h("td", {}, knowledgeStatus(version.status)),
    h("td", {}, t("window.knowledge.versionNumber", { n: entry.version })),
    h("td", {}, t(`appeals.category.${version.category}`)),
    h("td", {}, version.regionCode),
    h("td", {}, `${formatDateTime(version.at)} · ${version.authorName}`));
}

export default async function render({ main, query, navigate, staff, setTitle }) {
  const status = STATUSES.includes(query.status) ? query.status : null;
  const variables = { status, first: PAGE };
  const { knowledgeEntries: first } = await request(ENTRIES, { ...variables, after: null });
  const title = t("window.knowledge.list.title");
  setTitle(title);
  const filters = statusFilter({
    statuses: STATUSES, status, label: t("window.knowledge.filter"), formLabel: t("window.knowledge.filter"),
    allLabel: t("window.knowledge.filterAll"), optionLabel: (s) => t(`window.knowledge.status.${s}`),
    onChoose: (chosen) => navigate("/knowledge", chosen ? { status: chosen } : {}),
  });
  const { count, table, controls } = worklist({
    first, row, title, empty: t("window.knowledge.list.empty"),
    nextPage: async (after) => (await request(ENTRIES, { ...variables, after })).knowledgeEntries,
    columns: [t("window.knowledge.list.title.column"), t("window.knowledge.status"), t("window.knowledge.version"),
      t("window.knowledge.category"), t("window.knowledge.region"), t("window.knowledge.list.updated")],
  });
  const departments = new Map(staff.departments.map((d) => [d.code, d.name]));
  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.knowledge.list.lead")),
    staff.role === "SUPERVISOR" ? null
      : h("p", {}, h("a", { class: "button", href: "#/knowledge/new" }, t("window.knowledge.list.new"))),
    h("section", { class: "panel", "aria-labelledby": "knowledge-try" },
      h("h2", { id: "knowledge-try" }, t("window.knowledge.search")),
      knowledgeSearch({ departments })),
    filters,
    count,
    table,
    controls);
}
