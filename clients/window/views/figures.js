// 诉求统计: the figures of the supervisor's region for a period, by default the last 12 months (`appealStats`,
// `appealStatsByDepartment`, `evaluationStats`, the knowledge base's `knowledgeUses`): 调度, each month's figures
// (`appealStatsMonthly`) as a bar chart and a table; the figures of each grade (urgency), kind and channel
// (`appealStatsBreakdown`), the governor's mailbox (省长信箱) with its own; the first-contact resolution (即时答复);
// each unit's figures; how often each policy answer was cited. Every chart is CSS bars with the numbers written
// beside them (the bars are decoration, the text says it all) and a table of the same figures. The period is kept
// in the address; the API judges it (at most a year, not ending before it starts) and its refusal is shown next to
// the date it names.
import { h, replace } from "../../shared/dom.js";
import { clearErrors, fieldId, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const FIGURES = `query Figures($region: String!, $from: Date!, $to: Date!) {
  appealStats(regionCode: $region, from: $from, to: $to) { ...Stats }
  appealStatsMonthly(regionCode: $region, from: $from, to: $to) { month stats { ...Stats } }
  byUrgency: appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: URGENCY) { ...Group }
  byKind: appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: KIND) { ...Group }
  byChannel: appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: CHANNEL) { ...Group }
  appealStatsByDepartment(regionCode: $region, from: $from, to: $to) { departmentCode departmentName stats { ...Stats } }
  evaluationStats(regionCode: $region, from: $from, to: $to) {
    evaluations averageRating badReviews returnVisitOnTimeRate rectifyOnTimeRate }
  knowledgeUses(from: $from, to: $to) { uses entry { id current { title } } }
}
fragment Group on AppealStatsGroup { value name stats { ...Stats } }
fragment Stats on AppealStats { received complaintsPer10k resolutionRate satisfactionRate contactOnTimeRate
  opinionOnTimeRate resolveOnTimeRate resolvedAtFirstContact firstContactRate }`;
const RATES = ["resolutionRate", "satisfactionRate", "contactOnTimeRate", "opinionOnTimeRate", "resolveOnTimeRate"];
const FIRST_CONTACT = ["resolvedAtFirstContact", "firstContactRate"];
// The columns of the monthly and the breakdown tables.
const SERIES = ["received", "resolutionRate", "satisfactionRate", "resolveOnTimeRate", "firstContactRate"];
const BREAKDOWNS = [["byUrgency", "urgency"], ["byKind", "kind"], ["byChannel", "channel"]];
const EVALUATION = ["evaluations", "averageRating", "badReviews", "returnVisitOnTimeRate", "rectifyOnTimeRate"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const shanghaiDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" });

/** A figure as text: a rate as a percentage, a count as it is, an unknown (no appeal to count) in words. */
function shown(key, value) {
  if (value === null || value === undefined) return t("window.figures.none");
  if (key.endsWith("Rate")) return `${(value * 100).toFixed(1)}%`;
  if (key === "averageRating" || key === "complaintsPer10k") return value.toFixed(2);
  return String(value);
}

function dateField(key, label, value) {
  const id = fieldId(key);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { type: "date", id, name: key, value: value ?? "", min: "2000-01-01", max: "2100-12-31" }));
}

function summaryTable(caption, keys, values, id) {
  return h("table", { class: "desk-table figures-table", id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("window.figures.measure")),
      h("th", { scope: "col" }, t("window.figures.value")))),
    h("tbody", {}, keys.map((key) => h("tr", {},
      h("th", { scope: "row" }, t(`window.figures.${key}`)),
      h("td", { dataset: { figure: key } }, shown(key, values[key]))))));
}

/**
 * A table of rows of figures: `rows` are { key, label, stats }; each row's heading is its label, each cell says
 * one figure (data-figure) and the row its key (data-row).
 */
function rowsTable({ id, caption, heading, keys, rows }) {
  return h("div", { class: "table-wrap" }, h("table", { class: "desk-table figures-table", id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, heading),
      keys.map((key) => h("th", { scope: "col" }, t(`window.figures.${key}`))))),
    h("tbody", {}, rows.map((row) => h("tr", { dataset: { row: row.key } },
      h("th", { scope: "row" }, row.label),
      keys.map((key) => h("td", { dataset: { figure: key } }, shown(key, row.stats[key]))))))));
}

/** How often each policy answer of the knowledge base was cited by an answer given on the spot in the period. */
function knowledgeTable(uses) {
  return h("div", { class: "table-wrap" }, h("table", { class: "desk-table figures-table", id: "figures-knowledge" },
    h("caption", {}, t("window.figures.knowledgeCaption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("window.figures.knowledgeEntry")),
      h("th", { scope: "col" }, t("window.figures.knowledgeUses")))),
    h("tbody", {}, uses.map((use) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/knowledge/${encodeURIComponent(use.entry.id)}` },
        use.entry.current.title)),
      h("td", { dataset: { figure: "uses" } }, String(use.uses)))))));
}

/** Bars of each row's received appeals, and its resolution rate, written beside the bar. */
function chart(caption, rows, id) {
  const most = Math.max(1, ...rows.map((row) => row.stats.received));
  return h("figure", { class: "bar-chart", id },
    h("figcaption", {}, caption),
    h("ul", {}, rows.map((row) => h("li", { class: "bar-chart__row", dataset: { row: row.key } },
      h("span", { class: "bar-chart__label" }, row.label),
      h("span", { class: "bar-chart__track", "aria-hidden": "true" },
        h("span", { class: "bar-chart__bar", style: `width: ${(row.stats.received / most) * 100}%` })),
      h("span", { class: "bar-chart__value" }, t("window.figures.barText", { n: row.stats.received,
        rate: shown("resolutionRate", row.stats.resolutionRate) }))))));
}

/** 调度: each month of the period, as bars and as a table. */
function monthly(months) {
  const rows = months.map((m) => ({ key: m.month, label: t("window.figures.month", {
    year: m.month.slice(0, 4), month: Number(m.month.slice(5, 7)) }), stats: m.stats }));
  return h("section", { class: "panel figures-monthly", "aria-labelledby": "figures-monthly-heading" },
    h("h2", { id: "figures-monthly-heading" }, t("window.figures.monthly")),
    h("p", { class: "hint" }, t("window.figures.monthlyLead")),
    chart(t("window.figures.monthlyChart"), rows, "figures-monthly-chart"),
    rowsTable({ id: "figures-monthly", caption: t("window.figures.monthlyCaption"),
      heading: t("window.figures.monthHeading"), keys: SERIES, rows }));
}

/** The figures of each urgency, kind and channel, and the governor's mailbox on its own. */
function breakdowns(figures) {
  const mailbox = figures.byChannel.find((group) => group.value === "MAILBOX");
  return [
    mailbox ? h("section", { class: "panel figures-mailbox", "aria-labelledby": "figures-mailbox-heading" },
      h("h2", { id: "figures-mailbox-heading" }, t("window.figures.mailbox")),
      h("p", { class: "hint" }, t("window.figures.mailboxLead")),
      summaryTable(t("window.figures.mailboxCaption"), ["received", ...RATES, ...FIRST_CONTACT], mailbox.stats,
        "figures-mailbox")) : null,
    h("section", { class: "panel figures-groups", "aria-labelledby": "figures-groups-heading" },
      h("h2", { id: "figures-groups-heading" }, t("window.figures.groups")),
      BREAKDOWNS.map(([field, by]) => {
        const rows = figures[field].map((group) => ({ key: group.value, label: group.name, stats: group.stats }));
        return [h("h3", {}, t(`window.figures.by.${by}`)),
          chart(t(`window.figures.byChart.${by}`), rows, `figures-${by}-chart`),
          rowsTable({ id: `figures-${by}`, caption: t(`window.figures.byCaption.${by}`),
            heading: t(`window.figures.byHeading.${by}`), keys: SERIES, rows })];
      })),
  ];
}

/** The last 12 months: from the first day of the month 11 months back to today (Shanghai). */
export function lastTwelveMonths(now = new Date()) {
  const today = shanghaiDay.format(now);
  const [year, month] = today.split("-").map(Number);
  const back = year * 12 + (month - 1) - 11;
  const from = `${Math.floor(back / 12)}-${String((back % 12) + 1).padStart(2, "0")}-01`;
  return { from, to: today };
}

export default async function render({ main, query, navigate, staff, setTitle }) {
  const fallback = lastTwelveMonths();
  const period = { from: DAY.test(query.from ?? "") ? query.from : fallback.from,
    to: DAY.test(query.to ?? "") ? query.to : fallback.to };
  const title = t("window.figures.title");
  setTitle(title);
  const form = h("form", { class: "filters figures-period", novalidate: true, "aria-label": t("window.figures.period") },
    dateField("from", t("window.figures.from"), period.from),
    dateField("to", t("window.figures.to"), period.to),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("window.figures.show"))));
  const results = h("div", { class: "figures", "aria-live": "polite" });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    // A Date! cannot be sent empty: a blank date is said here, every other judgement is the API's.
    const blank = ["from", "to"].filter((key) => !data.get(key))
      .map((field) => ({ field, code: "REQUIRED", message: t(`window.figures.required.${field}`) }));
    if (blank.length) {
      showErrors(form, { __typename: "FormInvalid", errors: blank });
      return;
    }
    const chosen = { from: data.get("from"), to: data.get("to") };
    if (chosen.from === period.from && chosen.to === period.to) show(chosen);
    else navigate("/figures", chosen);
  });

  async function show(chosen) {
    replace(results, h("p", { class: "loading" }, t("app.loading")));
    let figures;
    try {
      figures = await request(FIGURES, { region: staff.regionCode, ...chosen });
    } catch (error) {
      replace(results);
      showErrors(form, error);
      return;
    }
    clearErrors(form);
    const rows = figures.appealStatsByDepartment;
    const units = rows.map((row) => ({ key: row.departmentCode, label: row.departmentName, stats: row.stats }));
    replace(results,
      h("p", { class: "status-line", role: "status" }, t("window.figures.shownFor", chosen)),
      h("div", { class: "desk-grid desk-grid--task" },
        h("section", { class: "panel" }, h("h2", {}, t("window.figures.appealsHeading")),
          summaryTable(t("window.figures.appealsCaption"), ["received", "complaintsPer10k", ...RATES, ...FIRST_CONTACT],
            figures.appealStats, "figures-appeals")),
        h("section", { class: "panel" }, h("h2", {}, t("window.figures.evaluationsHeading")),
          summaryTable(t("window.figures.evaluationsCaption"), EVALUATION, figures.evaluationStats,
            "figures-evaluations"))),
      monthly(figures.appealStatsMonthly),
      breakdowns(figures),
      h("section", { class: "panel figures-units" }, h("h2", {}, t("window.figures.units")),
        rows.length ? [chart(t("window.figures.chart"), units, "figures-units-chart"), rowsTable({
          id: "figures-departments", caption: t("window.figures.byDepartment"), heading: t("window.figures.department"),
          keys: ["received", ...RATES], rows: units })] : h("p", {}, t("window.figures.noUnits"))),
      h("section", { class: "panel figures-knowledge" }, h("h2", {}, t("window.figures.knowledgeHeading")),
        figures.knowledgeUses.length ? knowledgeTable(figures.knowledgeUses)
          : h("p", {}, t("window.figures.noKnowledgeUses"))));
  }

  replace(main,
    h("p", { class: "desk-caption" }, t("window.supervise.region", { code: staff.regionCode })),
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.figures.lead")),
    form,
    results);
  await show(period);
}
