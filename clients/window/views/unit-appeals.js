// 企业诉求: the undertaking unit's open appeals (`departmentAppeals`, in the server's order: the most urgent grade
// first, then the nearest resolve deadline), each with its grade (特急 stands out), its clock's name and the clock as a
// countdown to the step it waits for, and the missed deadlines and 督办 of the unit as they
// happen (`deadlineAlerts`).
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { statusTag } from "../../shared/appeal-steps.js";
import { CLOCK_FIELDS, gradeCell } from "../../shared/appeal-clocks.js";
import { clock, tick } from "../appeal-clock.js";
import { followAlerts } from "../alerts.js";
import { findAppeal, numberSearch } from "../number-search.js";
import { worklist } from "../worklist.js";

const PAGE = 20;
const APPEALS = `query UnitAppeals($first: Int, $after: String, $clocks: Boolean!) {
  departmentAppeals(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number title status urgency kind gradeName enterpriseName receivedAt escalatedAt
      sla { contactBy opinionBy resolveBy provisional clockName } onTime } }
  }
  appealClocks @include(if: $clocks) { ${CLOCK_FIELDS} }
}`;

function row(appeal, clocks) {
  return h("tr", { class: appeal.urgency === "URGENT" ? "row--urgent" : null },
    h("td", {}, appeal.number),
    h("td", {}, h("a", { href: `#/appeal/${encodeURIComponent(appeal.id)}` }, appeal.title),
      appeal.escalatedAt ? [" ", h("strong", { class: "tag tag--warning" }, t("window.unit.escalated"))] : null),
    h("td", {}, appeal.enterpriseName),
    h("td", {}, gradeCell(appeal, clocks)),
    h("td", {}, statusTag(appeal.status)),
    h("td", {}, formatDateTime(appeal.receivedAt)),
    h("td", {}, clock(appeal)));
}

export default async function render({ main, navigate, staff, setTitle }) {
  const { departmentAppeals: first, appealClocks: clocks } = await request(APPEALS,
    { first: PAGE, after: null, clocks: true });
  const title = t("window.unit.title");
  setTitle(title);
  const { count, table, controls } = worklist({
    first, row: (appeal) => row(appeal, clocks), title, empty: t("window.unit.empty"),
    nextPage: async (after) => (await request(APPEALS, { first: PAGE, after, clocks: false })).departmentAppeals,
    columns: ["number", "title", "enterprise", "grade", "status", "received", "clock"]
      .map((key) => t(`window.appeals.column.${key}`)),
  });
  const alerts = followAlerts(staff);
  replace(main,
    h("p", { class: "desk-caption" }, staff.department?.name ?? ""),
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.unit.lead")),
    numberSearch({ kind: "S", navigate, find: findAppeal, notFound: "window.search.notFound.unit" }),
    count,
    table,
    controls,
    alerts.section);
  const stopTick = tick(main);
  return () => {
    stopTick();
    alerts.stop();
  };
}
