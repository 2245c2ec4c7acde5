// 满意度调查结果: the public figures of the surveys whose results are published (anyone, signed in or not).
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { RESULTS_FIELDS, surveyResults } from "../../shared/survey-results.js";

const PUBLISHED = `query PublishedSurveys { publishedSurveys { id } }`;
const RESULTS = `query SurveyResults($id: ID!) { surveyResults(id: $id) { ${RESULTS_FIELDS} } }`;
const SHOWN = 5;

export default async function render({ main, setTitle }) {
  setTitle(t("surveys.results.title"));
  const { publishedSurveys } = await request(PUBLISHED);
  const all = await Promise.all(publishedSurveys.slice(0, SHOWN)
    .map(async ({ id }) => (await request(RESULTS, { id })).surveyResults));
  const shown = all.filter(Boolean);
  replace(main,
    h("h1", {}, t("surveys.results.title")),
    h("p", { class: "lead" }, t("surveys.results.lead")),
    shown.length ? shown.map(surveyResults) : h("p", {}, t("surveys.results.none")));
}
