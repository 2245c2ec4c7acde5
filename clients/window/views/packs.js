// 惠企服务包: the packs the staff member sees (their region's as a supervisor, their department's as a handler),
// newest first, each with how many enterprises it was pushed to, delivered to and read by, and the read rate.
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";
import { FIGURES, rate } from "./pack.js";

const PAGE = 20;
const PACKS = `query PolicyPacks($first: Int, $after: String) {
  policyPacks(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title status regionCode figures { total { ${FIGURES} } } } }
  }
}`;

function row(pack) {
  const total = pack.figures?.total;
  return h("tr", { dataset: { pack: pack.id } },
    h("th", { scope: "row" }, h("a", { href: `#/packs/${encodeURIComponent(pack.id)}` }, pack.title)),
    h("td", {}, pack.regionCode),
    h("td", {}, t(`window.packs.status.${pack.status}`)),
    h("td", { dataset: { figure: "targeted" } }, String(total?.targeted ?? 0)),
    h("td", { dataset: { figure: "delivered" } }, String(total?.delivered ?? 0)),
    h("td", { dataset: { figure: "read" } }, String(total?.read ?? 0)),
    h("td", { dataset: { figure: "readRate" } }, rate(total?.readRate)));
}

export default async function render({ main, setTitle }) {
  const title = t("window.packs.title");
  setTitle(title);
  const body = h("tbody", {});
  const count = h("p", { class: "status-line" });
  const { controls, show } = pager({
    list: body, entry: row, label: t("window.packs.more"), loadingLabel: t("app.loading"),
    nextPage: async (after) => (await request(PACKS, { first: PAGE, after })).policyPacks,
    onPage: (connection) => replace(count, t("window.packs.count", { n: connection.totalCount })),
  });
  const { policyPacks: first } = await request(PACKS, { first: PAGE, after: null });
  show(first);
  const columns = ["title", "region", "status", "targeted", "delivered", "read", "readRate"];
  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.packs.lead")),
    h("p", { class: "actions" }, h("a", { class: "button", href: "#/packs/new" }, t("window.packs.new"))),
    count,
    first.totalCount ? h("div", { class: "table-wrap" }, h("table", { class: "desk-table", id: "pack-list" },
      h("thead", {}, h("tr", {}, columns.map((c) => h("th", { scope: "col" }, t(`window.packs.col.${c}`))))),
      body)) : h("p", {}, t("window.packs.empty")),
    controls);
}
