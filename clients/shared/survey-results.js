// The figures of a satisfaction survey (surveyResults), as the public page and the supervisor's screen show them:
// the response rate, the scores by region and by department, and each question's figures. Nothing names an
// enterprise; text answers come only to supervisors (the API sends null to everybody else).
import { formatDate, h } from "./dom.js";
import { request } from "./graphql.js";
import { t } from "./strings.js";

export const RESULTS_FIELDS = `
  survey { id title regionCode year half opensOn closesOn status }
  invited responses responseRate scores { responses meanScore satisfactionRate }
  byRegion { regionCode regionName invited responses responseRate scores { meanScore satisfactionRate } }
  byDepartment { departmentCode departmentName scores { responses meanScore satisfactionRate } }
  questions { question { key text kind departmentCode } responses
    scores { responses meanScore satisfactionRate } choices { option count } textAnswers }`;

const PUBLISHED = `query PublishedSurveys { publishedSurveys { id } }`;
const RESULTS = `query SurveyResults($id: ID!) { surveyResults(id: $id) { ${RESULTS_FIELDS} } }`;

const NONE = () => t("surveys.results.none.value");
export const percent = (value) => (value === null || value === undefined ? NONE() : `${(value * 100).toFixed(1)}%`);
export const mean = (value) => (value === null || value === undefined ? NONE() : value.toFixed(2));

export function surveyPeriod(survey) {
  return t("surveys.period", { year: survey.year, half: t(`surveys.half.${survey.half}`),
    opens: formatDate(survey.opensOn), closes: formatDate(survey.closesOn) });
}

function table(caption, heads, rows) {
  return h("div", { class: "table-wrap" }, h("table", { class: "survey-table" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, heads.map((head) => h("th", { scope: "col" }, head)))),
    h("tbody", {}, rows.map(([first, ...cells]) => h("tr", {}, h("th", { scope: "row" }, first),
      cells.map((cell) => h("td", {}, cell)))))));
}

function question(figures) {
  const { question: q } = figures;
  let body;
  if (q.kind === "SCALE") {
    body = h("p", {}, t("surveys.results.scale", { n: figures.responses, mean: mean(figures.scores.meanScore),
      rate: percent(figures.scores.satisfactionRate) }));
  } else if (q.kind === "CHOICE") {
    body = h("ul", {}, figures.choices.map((c) => h("li", {}, t("surveys.results.choice", c))));
  } else if (figures.textAnswers) {
    body = [h("p", {}, t("surveys.results.text", { n: figures.responses })),
      h("ul", { class: "survey-texts" }, figures.textAnswers.map((text) => h("li", {}, text)))];
  } else {
    body = h("p", {}, t("surveys.results.textHidden", { n: figures.responses }));
  }
  return h("li", { class: "survey-question-figures", dataset: { question: q.key } }, h("h4", {}, q.text), body);
}

/** A survey's figures as a section. */
export function surveyResults(results) {
  const heading = `survey-${results.survey.id}-heading`;
  return h("section", { class: "panel survey-results", "aria-labelledby": heading, dataset: { survey: results.survey.id } },
    h("h2", { id: heading }, results.survey.title),
    h("p", { class: "muted" }, surveyPeriod(results.survey)),
    h("p", { class: "survey-results__summary" }, t("surveys.results.summary", { invited: results.invited,
      responses: results.responses, rate: percent(results.responseRate) })),
    h("p", {}, t("surveys.results.overall", { mean: mean(results.scores.meanScore),
      rate: percent(results.scores.satisfactionRate) })),
    table(t("surveys.results.byRegion"), [t("surveys.results.region"), t("surveys.results.invited"),
      t("surveys.results.responses"), t("surveys.results.responseRate"), t("surveys.results.meanScore"),
      t("surveys.results.satisfactionRate")], results.byRegion.map((r) => [r.regionName ?? r.regionCode, r.invited,
      r.responses, percent(r.responseRate), mean(r.scores.meanScore), percent(r.scores.satisfactionRate)])),
    results.byDepartment.length ? table(t("surveys.results.byDepartment"), [t("surveys.results.department"),
      t("surveys.results.responses"), t("surveys.results.meanScore"), t("surveys.results.satisfactionRate")],
    results.byDepartment.map((d) => [d.departmentName ?? d.departmentCode, d.scores.responses,
      mean(d.scores.meanScore), percent(d.scores.satisfactionRate)])) : null,
    h("h3", {}, t("surveys.results.questions")),
    h("ol", { class: "survey-questions" }, results.questions.map(question)));
}

/** The figures of the latest `count` surveys whose results are published (public: anyone may ask). */
export async function publishedResults(count) {
  const { publishedSurveys } = await request(PUBLISHED);
  const all = await Promise.all(publishedSurveys.slice(0, count)
    .map(async ({ id }) => (await request(RESULTS, { id })).surveyResults));
  return all.filter(Boolean);
}
