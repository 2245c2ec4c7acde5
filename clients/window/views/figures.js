// 诉求统计: the figures of the supervisor's region for a period (`appealStats`, `appealStatsByDepartment`,
// `evaluationStats`, and the knowledge base's `knowledgeUses`): tables, and a bar chart of each unit's received appeals and resolution rate with the numbers
// written beside the bars. The period is kept in the address; the API judges it (at most a year, not ending before
// it starts) and its refusal is shown next to the date it names.
import { h, replace } from "../../shared/dom.js";
import { clearErrors, fieldId, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const FIGURES = `query Figures($region: String!, $from: Date!, $to: Date!) {
  appealStats(regionCode: $region, from: $from, to: $to) { ...Stats }
  appealStatsByDepartment(regionCode: $region, from: $from, to: $to) { departmentCode departmentName stats { ...Stats } }
  evaluationStats(regionCode: $region, from: $from, to: $to) {
    evaluations averageRating badReviews returnVisitOnTimeRate rectifyOnTimeRate }
  knowledgeUses(from: $from, to: $to) { uses entry { id current { title } } }
}
fragment Stats on AppealStats { received complaintsPer10k resolutionRate satisfactionRate contactOnTimeRate
  opinionOnTimeRate resolveOnTimeRate }`;
const RATES = ["resolutionRate", "satisfactionRate", "contactOnTimeRate", "opinionOnTimeRate", "resolveOnTimeRate"];
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

function departmentTable(rows) {
  const keys = ["received", ...RATES];
  return h("div", { class: "table-wrap" }, h("table", { class: "desk-table figures-table", id: "figures-departments" },
    h("caption", {}, t("window.figures.byDepartment")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("window.figures.department")),
      keys.map((key) => h("th", { scope: "col" }, t(`window.figures.${key}`))))),
    h("tbody", {}, rows.map((row) => h("tr", { dataset: { department: row.departmentCode } },
      h("th", { scope: "row" }, row.departmentName),
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

/** Bars of each unit's received appeals, and its resolution rate; the bars are decoration, the text says it all. */
function chart(rows) {
  const most = Math.max(1, ...rows.map((row) => row.stats.received));
  return h("figure", { class: "bar-chart" },
    h("figcaption", {}, t("window.figures.chart")),
    h("ul", {}, rows.map((row) => h("li", { class: "bar-chart__row" },
      h("span", { class: "bar-chart__label" }, row.departmentName),
      h("span", { class: "bar-chart__track", "aria-hidden": "true" },
        h("span", { class: "bar-chart__bar", style: `width: ${(row.stats.received / most) * 100}%` })),
      h("span", { class: "bar-chart__value" }, t("window.figures.barText", { n: row.stats.received,
        rate: shown("resolutionRate", row.stats.resolutionRate) }))))));
}

export default async function render({ main, query, navigate, staff, setTitle }) {
  const today = shanghaiDay.format(new Date());
  const monthAgo = shanghaiDay.format(new Date(Date.now() - 30 * 86400000));
  const period = { from: DAY.test(query.from ?? "") ? query.from : monthAgo, to: DAY.test(query.to ?? "") ? query.to : today };
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
    replace(results,
      h("p", { class: "status-line", role: "status" }, t("window.figures.shownFor", chosen)),
      h("div", { class: "desk-grid desk-grid--task" },
        h("section", { class: "panel" }, h("h2", {}, t("window.figures.appealsHeading")),
          summaryTable(t("window.figures.appealsCaption"), ["received", "complaintsPer10k", ...RATES],
            figures.appealStats, "figures-appeals")),
        h("section", { class: "panel" }, h("h2", {}, t("window.figures.evaluationsHeading")),
          summaryTable(t("window.figures.evaluationsCaption"), EVALUATION, figures.evaluationStats,
            "figures-evaluations"))),
      h("section", { class: "panel figures-units" }, h("h2", {}, t("window.figures.units")),
        rows.length ? [chart(rows), departmentTable(rows)] : h("p", {}, t("window.figures.noUnits"))),
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
