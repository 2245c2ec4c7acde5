// 待办事项: the department's worklist (`departmentTasks`), oldest deadline first, with overdue flags and filters
// by status and lateness (kept in the address, so a filtered list can be reloaded or bookmarked), and a search by
// 受理编号 that opens the department's task of the application found. A task decided by rule reads 已办结（秒批）.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { numberSearch } from "../number-search.js";
import { worklist } from "../worklist.js";

const PAGE = 20;
const STATUSES = ["SUBMITTED", "ACCEPTED", "SUPPLEMENT_REQUIRED", "WAITING", "APPROVED", "REJECTED"];
const OVERDUE = { yes: true, no: false };
const TASKS = `query Worklist($status: TaskStatus, $overdue: Boolean, $first: Int, $after: String) {
  departmentTasks(status: $status, overdue: $overdue, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id status version deadline deadlineProvisional overdue submittedAt decidedBy item { name }
      application { id number bundle { name } applicant { displayName } } } }
  }
}`;

const FIND = `query FindApplication($number: String!) {
  application(number: $number) { id tasks { id status departmentCode } }
}`;
// Which of the department's tasks of an application a search opens: one waiting for the handler, else the first.
const OPEN_FIRST = ["SUBMITTED", "ACCEPTED", "SUPPLEMENT_REQUIRED"];

/** The task page of the department's task in the application numbered `number`, or null. */
async function findTask(number, department) {
  const { application } = await request(FIND, { number });
  const ours = application?.tasks.filter((task) => task.departmentCode === department) ?? [];
  const task = ours.find((candidate) => OPEN_FIRST.includes(candidate.status)) ?? ours[0];
  return task ? `/task/${encodeURIComponent(application.id)}/${encodeURIComponent(task.id)}` : null;
}

function select(name, label, options, value) {
  const id = `filter-${name}`;
  return h("div", { class: "field filter" }, h("label", { for: id }, label),
    h("select", { id, name }, options.map(([optionValue, text]) => h("option", {
      value: optionValue, selected: optionValue === (value ?? "") }, text))));
}

function row(task) {
  return h("tr", { class: task.overdue ? "task-row--overdue" : null },
    h("td", {}, h("a", { href: `#/task/${encodeURIComponent(task.application.id)}/${encodeURIComponent(task.id)}` },
      task.item.name)),
    h("td", {}, task.application.number),
    h("td", {}, task.application.bundle.name),
    h("td", {}, task.application.applicant.displayName),
    h("td", {}, t(`applications.task.${task.status}`),
      task.decidedBy === "RULE" ? [" ", h("strong", { class: "tag tag--instant" }, t("instant.ruleShort"))] : null),
    h("td", {}, task.deadline ? formatDateTime(task.deadline) : t("window.tasks.noDeadline"),
      task.overdue ? [" ", h("strong", { class: "tag tag--error" }, t("window.tasks.overdue"))] : null),
    h("td", {}, formatDateTime(task.submittedAt)));
}

export default async function render({ main, query, navigate, staff, setTitle }) {
  const status = STATUSES.includes(query.status) ? query.status : null;
  const overdue = query.overdue in OVERDUE ? OVERDUE[query.overdue] : null;
  const variables = { status, overdue, first: PAGE };
  const { departmentTasks: first } = await request(TASKS, { ...variables, after: null });
  const title = t("window.tasks.title");
  setTitle(title);
  const filters = h("form", { class: "filters", novalidate: true, "aria-label": t("window.tasks.filters") },
    select("status", t("window.tasks.status"), [["", t("window.tasks.all")],
      ...STATUSES.map((s) => [s, t(`applications.task.${s}`)])], status),
    select("overdue", t("window.tasks.lateness"), [["", t("window.tasks.all")], ["yes", t("window.tasks.onlyOverdue")],
      ["no", t("window.tasks.notOverdue")]], query.overdue),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button button--secondary" }, t("window.tasks.apply"))));
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = Object.fromEntries([...new FormData(filters)].filter(([, value]) => value));
    navigate("/tasks", chosen);
  });
  const { count, table, controls } = worklist({
    first, row, title, empty: t("window.tasks.empty"),
    nextPage: async (after) => (await request(TASKS, { ...variables, after })).departmentTasks,
    columns: ["item", "number", "bundle", "applicant", "status", "deadline", "submitted"]
      .map((key) => t(`window.tasks.column.${key}`)),
  });
  replace(main,
    h("p", { class: "desk-caption" }, staff.department?.name ?? ""),
    h("h1", {}, title),
    numberSearch({ kind: "B", navigate, notFound: "window.search.notFound.handler",
      find: (number) => findTask(number, staff.department?.code) }),
    filters,
    count,
    table,
    controls);
}
