// A worklist as the workbench shows one: a table of the first page, "加载更多" for the next ones, and a status
// line saying how many of how many are shown. The task worklist, the coordinator's routing list and the unit's
// appeals are each one of these, and the knowledge base's answers; the routing list and the answers filter by status.
import { h, replace } from "../shared/dom.js";
import { pager } from "../shared/paging.js";
import { t } from "../shared/strings.js";

/**
 * `first`: the first page (a connection); `nextPage(after)`: the next one; `row(node)`: a table row;
 * `columns`: the column headings; `title`: the table's caption; `empty`: what is said when there is nothing.
 * Returns { count, table, controls } to place on the page.
 */
export function worklist({ first, nextPage, row, columns, title, empty }) {
  const body = h("tbody");
  const count = h("p", { class: "status-line", role: "status" });
  const { controls, show } = pager({
    list: body, entry: row, label: t("window.tasks.more"), loadingLabel: t("app.loading"), nextPage,
    onPage: (connection) => replace(count, t("window.tasks.count", { shown: body.children.length,
      total: connection.totalCount })),
  });
  show(first);
  const table = first.totalCount
    ? h("div", { class: "table-wrap" }, h("table", { class: "desk-table" },
      h("caption", { class: "visually-hidden" }, title),
      h("thead", {}, h("tr", {}, columns.map((heading) => h("th", { scope: "col" }, heading)))),
      body))
    : h("p", {}, empty);
  return { count, table, controls };
}

/**
 * A worklist's filter by status: a select of `statuses` (each labelled `optionLabel(status)`) after `allLabel` for
 * none, the one chosen `status`; `onChoose(status or null)` when applied. `label` names the select, `formLabel` the
 * form.
 */
export function statusFilter({ statuses, status, label, formLabel, allLabel, optionLabel, onChoose }) {
  const id = "filter-status";
  const filters = h("form", { class: "filters", novalidate: true, "aria-label": formLabel },
    h("div", { class: "field filter" }, h("label", { for: id }, label),
      h("select", { id, name: "status" },
        h("option", { value: "", selected: !status }, allLabel),
        statuses.map((s) => h("option", { value: s, selected: s === status }, optionLabel(s))))),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button button--secondary" },
      t("window.tasks.apply"))));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    onChoose(new FormData(filters).get("status") || null);
  });
  return filters;
}
