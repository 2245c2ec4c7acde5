// 通报 / 约谈: a supervisor sees the units whose satisfaction rate or missed deadlines in the last 30 days cross the
// configured thresholds and issues a notice or talk, whose figures the portal computes; a unit's handler sees the
// notices of their unit and submits the rectification report (整改报告).
import { formatDate, formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { labelled, sendingForm } from "../sending-form.js";

const NOTICE_FIELDS = `id kind departmentCode regionCode reason periodFrom periodTo received satisfactionRate
  missedDeadlines issuedAt reportDays reportBy report reportedAt`;
const LIST = `query Notices { unitNotices(first: 50) { edges { node { ${NOTICE_FIELDS} } } } }`;
const CANDIDATES = `query Candidates($region: String!, $from: Date!, $to: Date!) {
  noticeCandidates(regionCode: $region, from: $from, to: $to) {
    satisfactionBelow missesAtLeast
    units { departmentCode departmentName received satisfactionRate missedDeadlines lowSatisfaction repeatedMisses }
  }
}`;
const ISSUE = `mutation Issue($input: IssueUnitNoticeInput!) {
  issueUnitNotice(input: $input) { ... on UnitNotice { id } ${USER_ERROR_FIELDS} }
}`;
const REPORT = `mutation Report($id: ID!, $report: String!) {
  submitRectificationReport(id: $id, report: $report) { ... on UnitNotice { id } ${USER_ERROR_FIELDS} }
}`;
const PERIOD_DAYS = 30;

const percent = (rate) => (rate === null ? t("window.notices.noRate") : `${Math.round(rate * 1000) / 10}%`);
const isoDay = (date) => date.toLocaleDateString("sv-SE", { timeZone: "Asia/Shanghai" });

export default async function render({ main, staff, setTitle }) {
  const supervisor = staff.role === "SUPERVISOR";
  const title = t(supervisor ? "window.notices.title" : "window.notices.unitTitle");
  setTitle(title);
  const names = new Map(staff.departments.map((d) => [d.code, d.name]));
  const status = h("p", { class: "status-line", role: "status" });
  const body = h("div");
  const to = new Date();
  const from = new Date(to.getTime() - PERIOD_DAYS * 86400000);
  const period = { from: isoDay(from), to: isoDay(to) };

  const figures = (n) => t("window.notices.figures", { received: n.received, rate: percent(n.satisfactionRate),
    missed: n.missedDeadlines });

  function noticeEntry(notice) {
    const report = notice.reportedAt
      ? h("div", {}, h("h4", {}, t("window.notices.report")), h("p", {}, notice.report),
        h("p", { class: "muted" }, t("window.notices.reportedAt", { time: formatDateTime(notice.reportedAt) })))
      : supervisor
        ? h("p", { class: "muted" }, t("window.notices.awaiting", { time: formatDateTime(notice.reportBy) }))
        : sendingForm("notice-report", [labelled(`report.${notice.id}`, t("window.notices.report"),
          h("textarea", { name: "report", rows: 4 }))], t("window.notices.submitReport"),
        async (f) => (await request(REPORT, { id: notice.id, report: f.elements.report.value }))
          .submitRectificationReport, { suffix: notice.id, onDone: () => draw(t("window.notices.reported")) });
    return h("li", { class: "unit-notice" },
      h("h3", {}, `${t(`window.notices.kind.${notice.kind}`)} · ${names.get(notice.departmentCode) ?? notice.departmentCode}`),
      h("p", {}, notice.reason),
      h("p", { class: "muted" }, t("window.notices.period", { from: formatDate(notice.periodFrom),
        to: formatDate(notice.periodTo) }), " ", figures(notice)),
      h("p", { class: "muted" }, t("window.notices.due", { days: notice.reportDays, time: formatDateTime(notice.reportBy) })),
      report);
  }

  function issueForm(unit) {
    return sendingForm("notice-issue", [
      h("div", { class: "field" }, h("fieldset", {}, h("legend", {}, t("window.notices.kindLabel")),
        ["NOTICE", "TALK"].map((kind, index) => h("div", { class: "choice" },
          h("input", { type: "radio", name: "kind", value: kind, id: `kind-${unit.departmentCode}-${kind}`, checked: index === 0 }),
          h("label", { for: `kind-${unit.departmentCode}-${kind}` }, t(`window.notices.kind.${kind}`)))))),
      labelled(`reason.${unit.departmentCode}`, t("window.notices.reason"), h("textarea", { name: "reason", rows: 3 })),
      labelled(`reportDays.${unit.departmentCode}`, t("window.notices.reportDays"),
        h("input", { name: "reportDays", type: "number", min: 1, max: 30, value: 10 })),
    ], t("window.notices.issue"), async (f) => (await request(ISSUE, { input: {
      kind: f.elements.kind.value, regionCode: staff.regionCode, departmentCode: unit.departmentCode, ...period,
      reason: f.elements.reason.value, reportDays: Number.parseInt(f.elements.reportDays.value, 10) || 0,
      idempotencyKey: idempotencyKey(),
    } })).issueUnitNotice, { suffix: unit.departmentCode, onDone: () => draw(t("window.notices.issued")) });
  }

  async function draw(message = "") {
    const notices = (await request(LIST)).unitNotices.edges.map((e) => e.node);
    const listed = h("section", { class: "panel", "aria-labelledby": "notices-heading" },
      h("h2", { id: "notices-heading" }, t("window.notices.issuedHeading")),
      notices.length ? h("ul", { class: "notice-list" }, notices.map(noticeEntry)) : h("p", {}, t("window.notices.none")));
    status.textContent = message;
    if (!supervisor) {
      replace(body, listed);
      return;
    }
    const found = (await request(CANDIDATES, { region: staff.regionCode, ...period })).noticeCandidates;
    replace(body, h("section", { class: "panel", "aria-labelledby": "candidates-heading" },
      h("h2", { id: "candidates-heading" }, t("window.notices.candidates")),
      h("p", { class: "muted" }, t("window.notices.thresholds", { rate: percent(found.satisfactionBelow),
        n: found.missesAtLeast, days: PERIOD_DAYS })),
      found.units.length ? h("ul", { class: "notice-list" }, found.units.map((unit) => h("li", {},
        h("h3", {}, unit.departmentName), h("p", {}, figures(unit)), issueForm(unit))))
        : h("p", {}, t("window.notices.noCandidates"))), listed);
  }

  await draw();
  replace(main, h("h1", {}, title), h("p", { class: "lead" }, t(supervisor ? "window.notices.lead" : "window.notices.unitLead")),
    status, body);
}
