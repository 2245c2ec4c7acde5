// 企业诉求: the undertaking unit's open appeals (`departmentAppeals`, nearest resolve deadline first), each with
// the 2115 clock as a countdown to the step it waits for, and the missed deadlines and 督办 of the unit as they
// happen (`deadlineAlerts`).
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { statusTag } from "../../shared/appeal-steps.js";
import { clock, tick } from "../appeal-clock.js";
import { followAlerts } from "../alerts.js";
import { findAppeal, numberSearch } from "../number-search.js";
import { worklist } from "../worklist.js";

const PAGE = 20;
const APPEALS = `query UnitAppeals($first: Int, $after: String) {
  departmentAppeals(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id number title status urgency enterpriseName receivedAt escalatedAt
      sla { contactBy opinionBy resolveBy provisional } onTime } }
  }
}`;

function row(appeal) {
  return h("tr", {},
    h("td", {}, appeal.number),
    h("td", {}, h("a", { href: `#/appeal/${encodeURIComponent(appeal.id)}` }, appeal.title),
      appeal.escalatedAt ? [" ", h("strong", { class: "tag tag--warning" }, t("window.unit.escalated"))] : null),
    h("td", {}, appeal.enterpriseName),
    h("td", {}, t(`appeals.urgency.${appeal.urgency}`)),
    h("td", {}, statusTag(appeal.status)),
    h("td", {}, formatDateTime(appeal.receivedAt)),
    h("td", {}, clock(appeal)));
}

export default async function render({ main, navigate, staff, setTitle }) {
  const { departmentAppeals: first } = await request(APPEALS, { first: PAGE, after: null });
  const title = t("window.unit.title");
  setTitle(title);
  const { count, table, controls } = worklist({
    first, row, title, empty: t("window.unit.empty"),
    nextPage: async (after) => (await request(APPEALS, { first: PAGE, after })).departmentAppeals,
    columns: ["number", "title", "enterprise", "urgency", "status", "received", "clock"]
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
