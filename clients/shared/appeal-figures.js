// 诉求统计 as the supervisor's page and the public figures page (公开数据) show them: the figures of a region for a
// period, by default the last 12 months (`appealStats`, `appealStatsByDepartment`, `evaluationStats`); 调度, each
// month's figures (`appealStatsMonthly`) as a bar chart and a table; the figures of each grade (urgency), kind and
// channel (`appealStatsBreakdown`), the governor's mailbox (省长信箱) with its own; the first-contact resolution
// (即时答复); each unit's figures. Every chart is CSS bars with the numbers written beside them (the bars are
// decoration, the text says it all) and a table of the same figures. All of it is public: nothing names an
// enterprise. The period is judged by the API (at most a year, not ending before it starts); its refusal is shown
// next to the date it names.
import { h, replace } from "./dom.js";
import { clearErrors, fieldId, showErrors } from "./errors.js";
import { request } from "./graphql.js";
import { t } from "./strings.js";

const FIGURES = (more) => `query Figures($region: String!, $from: Date!, $to: Date!) {
  appealStats(regionCode: $region, from: $from, to: $to) { ...Stats }
  appealStatsMonthly(regionCode: $region, from: $from, to: $to) { month stats { ...Stats } }
  mailboxMonthly: appealStatsMonthly(regionCode: $region, from: $from, to: $to, channel: MAILBOX) {
    month stats { ...Stats } }
  byUrgency: appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: URGENCY) { ...Group }
  byKind: appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: KIND) { ...Group }
  byChannel: appealStatsBreakdown(regionCode: $region, from: $from, to: $to, by: CHANNEL) { ...Group }
  appealStatsByDepartment(regionCode: $region, from: $from, to: $to) { departmentCode departmentName stats { ...Stats } }
  evaluationStats(regionCode: $region, from: $from, to: $to) {
    evaluations averageRating badReviews returnVisitOnTimeRate rectifyOnTimeRate }
  ${more}
}
fragment Group on AppealStatsGroup { value name stats { ...Stats } }
fragment Stats on AppealStats { received complaintsPer10k resolutionRate satisfactionRate contactOnTimeRate
  opinionOnTimeRate resolveOnTimeRate resolvedAtFirstContact firstContactRate }`;
const REGIONS = `query FigureRegions { departments { region { code name level } } }`;
export const PROVINCE = "370000";
const RATES = ["resolutionRate", "satisfactionRate", "contactOnTimeRate", "opinionOnTimeRate", "resolveOnTimeRate"];
const FIRST_CONTACT = ["resolvedAtFirstContact", "firstContactRate"];
// The columns of the monthly and the breakdown tables.
const SERIES = ["received", "resolutionRate", "satisfactionRate", "resolveOnTimeRate", "firstContactRate"];
const BREAKDOWNS = [["byUrgency", "urgency"], ["byKind", "kind"], ["byChannel", "channel"]];
const EVALUATION = ["evaluations", "averageRating", "badReviews", "returnVisitOnTimeRate", "rectifyOnTimeRate"];
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const shanghaiDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" });

/** A figure as text: a rate as a percentage, a count as it is, an unknown (no appeal to count) in words. */
export function shown(key, value) {
  if (value === null || value === undefined) return t("figures.none");
  if (key.endsWith("Rate")) return `${(value * 100).toFixed(1)}%`;
  if (key === "averageRating" || key === "complaintsPer10k") return value.toFixed(2);
  return String(value);
}

/** A month ("2026-03") as people read it (2026年3月). */
export function monthName(month) {
  return t("figures.month", { year: month.slice(0, 4), month: Number(month.slice(5, 7)) });
}

function dateField(key, label, value) {
  const id = fieldId(key);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("input", { type: "date", id, name: key, value: value ?? "", min: "2000-01-01", max: "2100-12-31" }));
}

function summaryTable(caption, keys, values, id) {
  return h("div", { class: "table-wrap" }, h("table", { class: "figures-table", id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("figures.measure")),
      h("th", { scope: "col" }, t("figures.value")))),
    h("tbody", {}, keys.map((key) => h("tr", {},
      h("th", { scope: "row" }, t(`figures.${key}`)),
      h("td", { dataset: { figure: key } }, shown(key, values[key])))))));
}

/**
 * A table of rows of figures: `rows` are { key, label, stats }; each row's heading is its label, each cell says
 * one figure (data-figure) and the row its key (data-row).
 */
function rowsTable({ id, caption, heading, keys, rows }) {
  return h("div", { class: "table-wrap" }, h("table", { class: "figures-table", id },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, heading),
      keys.map((key) => h("th", { scope: "col" }, t(`figures.${key}`))))),
    h("tbody", {}, rows.map((row) => h("tr", { dataset: { row: row.key } },
      h("th", { scope: "row" }, row.label),
      keys.map((key) => h("td", { dataset: { figure: key } }, shown(key, row.stats[key]))))))));
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
      h("span", { class: "bar-chart__value" }, t("figures.barText", { n: row.stats.received,
        rate: shown("resolutionRate", row.stats.resolutionRate) }))))));
}

const monthRows = (months) => months.map((m) => ({ key: m.month, label: monthName(m.month), stats: m.stats }));

/** 调度: each month of the period, as bars and as a table. */
function monthly(months) {
  const rows = monthRows(months);
  return h("section", { class: "panel figures-monthly", "aria-labelledby": "figures-monthly-heading" },
    h("h2", { id: "figures-monthly-heading" }, t("figures.monthly")),
    h("p", { class: "hint" }, t("figures.monthlyLead")),
    chart(t("figures.monthlyChart"), rows, "figures-monthly-chart"),
    rowsTable({ id: "figures-monthly", caption: t("figures.monthlyCaption"),
      heading: t("figures.monthHeading"), keys: SERIES, rows }));
}

/** The figures of each urgency, kind and channel, and the governor's mailbox on its own, month by month too. */
function breakdowns(figures) {
  const mailbox = figures.byChannel.find((group) => group.value === "MAILBOX");
  return [
    mailbox ? h("section", { class: "panel figures-mailbox", "aria-labelledby": "figures-mailbox-heading" },
      h("h2", { id: "figures-mailbox-heading" }, t("figures.mailbox")),
      h("p", { class: "hint" }, t("figures.mailboxLead")),
      summaryTable(t("figures.mailboxCaption"), ["received", ...RATES, ...FIRST_CONTACT], mailbox.stats,
        "figures-mailbox"),
      rowsTable({ id: "figures-mailbox-monthly", caption: t("figures.mailboxMonthlyCaption"),
        heading: t("figures.monthHeading"), keys: SERIES, rows: monthRows(figures.mailboxMonthly) })) : null,
    h("section", { class: "panel figures-groups", "aria-labelledby": "figures-groups-heading" },
      h("h2", { id: "figures-groups-heading" }, t("figures.groups")),
      BREAKDOWNS.map(([field, by]) => {
        const rows = figures[field].map((group) => ({ key: group.value, label: group.name, stats: group.stats }));
        return [h("h3", {}, t(`figures.by.${by}`)),
          chart(t(`figures.byChart.${by}`), rows, `figures-${by}-chart`),
          rowsTable({ id: `figures-${by}`, caption: t(`figures.byCaption.${by}`),
            heading: t(`figures.byHeading.${by}`), keys: SERIES, rows })];
      })),
  ];
}

/** Every section of the figures: the zone's and the evaluations' totals, 调度, the grades, the mailbox, the units. */
function sections(figures) {
  const rows = figures.appealStatsByDepartment;
  const units = rows.map((row) => ({ key: row.departmentCode, label: row.departmentName, stats: row.stats }));
  return [
    h("div", { class: "figures-totals" },
      h("section", { class: "panel" }, h("h2", {}, t("figures.appealsHeading")),
        summaryTable(t("figures.appealsCaption"), ["received", "complaintsPer10k", ...RATES, ...FIRST_CONTACT],
          figures.appealStats, "figures-appeals")),
      h("section", { class: "panel" }, h("h2", {}, t("figures.evaluationsHeading")),
        summaryTable(t("figures.evaluationsCaption"), EVALUATION, figures.evaluationStats, "figures-evaluations"))),
    monthly(figures.appealStatsMonthly),
    breakdowns(figures),
    h("section", { class: "panel figures-units" }, h("h2", {}, t("figures.units")),
      rows.length ? [chart(t("figures.chart"), units, "figures-units-chart"), rowsTable({
        id: "figures-departments", caption: t("figures.byDepartment"), heading: t("figures.department"),
        keys: ["received", ...RATES], rows: units })] : h("p", {}, t("figures.noUnits"))),
  ];
}

/** The regions to choose: the province and its cities that have departments in the catalog, the province first. */
export async function figureRegions() {
  const { departments } = await request(REGIONS);
  const byCode = new Map(departments.map(({ region }) => [region.code, region])
    .filter(([, region]) => region.level !== "COUNTY"));
  return [...byCode.values()].sort((a, b) => (a.code === PROVINCE ? -1 : b.code === PROVINCE ? 1
    : a.code.localeCompare(b.code)));
}

/** The last 12 months: from the first day of the month 11 months back to today (Shanghai). */
export function lastTwelveMonths(now = new Date()) {
  const today = shanghaiDay.format(now);
  const [year, month] = today.split("-").map(Number);
  const back = year * 12 + (month - 1) - 11;
  const from = `${Math.floor(back / 12)}-${String((back % 12) + 1).padStart(2, "0")}-01`;
  return { from, to: today };
}

/** The period the address names, or the last 12 months. */
export function periodOf(query) {
  const fallback = lastTwelveMonths();
  return { from: DAY.test(query.from ?? "") ? query.from : fallback.from,
    to: DAY.test(query.to ?? "") ? query.to : fallback.to };
}

/**
 * The period form (and any `fields` before the dates) and the figures below it. `show(chosen)` asks for and draws
 * the figures of `region(chosen)`; a submitted form with another choice than `current` goes to `navigate(chosen)`
 * (the address keeps the choice), the same choice is drawn again. `status(chosen)` is the line above the figures.
 * A page that shows more (the supervisor's: the knowledge base's uses) names the `more` fields to ask for with
 * the same variables, and `moreSections(figures)` draws them after the others.
 */
export function figuresBoard({ current, fields = [], region, navigate, status, more = "", moreSections = () => [] }) {
  const form = h("form", { class: "filters figures-period", novalidate: true, "aria-label": t("figures.period") },
    fields,
    dateField("from", t("figures.from"), current.from),
    dateField("to", t("figures.to"), current.to),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("figures.show"))));
  const results = h("div", { class: "figures", "aria-live": "polite" });

  async function show(chosen) {
    replace(results, h("p", { class: "loading" }, t("app.loading")));
    let figures;
    try {
      figures = await request(FIGURES(more), { region: region(chosen), from: chosen.from, to: chosen.to });
    } catch (error) {
      replace(results);
      showErrors(form, error);
      return;
    }
    clearErrors(form);
    replace(results, h("p", { class: "status-line", role: "status" }, status(chosen)), sections(figures),
      moreSections(figures));
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    // A Date! cannot be sent empty: a blank date is said here, every other judgement is the API's.
    const blank = ["from", "to"].filter((key) => !data.get(key))
      .map((field) => ({ field, code: "REQUIRED", message: t(`figures.required.${field}`) }));
    if (blank.length) {
      showErrors(form, { __typename: "FormInvalid", errors: blank });
      return;
    }
    const chosen = Object.fromEntries(data.entries());
    if (Object.keys(chosen).every((key) => chosen[key] === current[key])) show(chosen);
    else navigate(chosen);
  });
  return { form, results, show };
}
