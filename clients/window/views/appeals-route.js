// 待分办诉求: the coordinator's routing worklist (`appealsToRoute`), in the server's order (the most urgent grade
// first, then the oldest), each with its grade (特急 stands out) and the clock it will run on: appeals waiting for a unit and
// returns (退单) waiting for a decision, or one status when the filter names it (kept in the address).
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { statusTag } from "../../shared/appeal-steps.js";
import { CLOCK_FIELDS, gradeCell } from "../../shared/appeal-clocks.js";
import { findAppeal, numberSearch } from "../number-search.js";
import { statusFilter, worklist } from "../worklist.js";

const PAGE = 20;
const STATUSES = ["RECEIVED", "RETURNED", "ASSIGNED", "CONTACTED", "OPINION_GIVEN", "RESOLVED", "CLOSED", "MERGED"];
const APPEALS = `query RoutingWorklist($status: AppealStatus, $first: Int, $after: String, $clocks: Boolean!) {
  appealsToRoute(status: $status, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number title status channel category urgency kind gradeName enterpriseName createdAt returnReason
      sla { clockName } } }
  }
  appealClocks @include(if: $clocks) { ${CLOCK_FIELDS} }
}`;

function row(appeal, clocks) {
  return h("tr", { class: appeal.urgency === "URGENT" ? "row--urgent" : null },
    h("td", {}, appeal.number),
    h("td", {}, h("a", { href: `#/appeal/${encodeURIComponent(appeal.id)}` }, appeal.title)),
    h("td", {}, appeal.enterpriseName),
    h("td", {}, t(`window.appeals.channel.${appeal.channel}`)),
    h("td", {}, t(`appeals.category.${appeal.category}`)),
    h("td", {}, gradeCell(appeal, clocks)),
    h("td", {}, statusTag(appeal.status)),
    h("td", {}, formatDateTime(appeal.createdAt)));
}

export default async function render({ main, query, navigate, setTitle }) {
  const status = STATUSES.includes(query.status) ? query.status : null;
  const variables = { status, first: PAGE };
  const { appealsToRoute: first, appealClocks: clocks } = await request(APPEALS,
    { ...variables, after: null, clocks: true });
  const title = t("window.appeals.route.title");
  setTitle(title);
  const filters = statusFilter({
    statuses: STATUSES, status, label: t("window.tasks.status"), formLabel: t("window.tasks.filters"),
    allLabel: t("window.appeals.route.waiting"), optionLabel: (s) => t(`appeals.status.${s}`),
    onChoose: (chosen) => navigate("/appeals", chosen ? { status: chosen } : {}),
  });
  const { count, table, controls } = worklist({
    first, row: (appeal) => row(appeal, clocks), title, empty: t("window.appeals.route.empty"),
    nextPage: async (after) => (await request(APPEALS, { ...variables, after, clocks: false })).appealsToRoute,
    columns: ["number", "title", "enterprise", "channel", "category", "grade", "status", "filed"]
      .map((key) => t(`window.appeals.column.${key}`)),
  });
  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.appeals.route.lead")),
    h("p", {}, h("a", { class: "button button--secondary", href: "#/appeals/new" }, t("window.nav.record"))),
    numberSearch({ kind: "S", navigate, find: findAppeal, notFound: "window.search.notFound.appeal" }),
    filters,
    count,
    table,
    controls);
}
