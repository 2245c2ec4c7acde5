// 营商环境满意度调查 (督办): the surveys of the supervisor's region, drafts too, each with what can be done next:
// publish a draft (the sample is drawn then, its seed shown), publish the results of a published survey, and
// its figures (live for the supervisor, with the text answers).
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, isUserError, showProblem } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { RESULTS_FIELDS, surveyPeriod, surveyResults } from "../../shared/survey-results.js";

const SURVEY_FIELDS = "id title regionCode year half opensOn closesOn samplePercent status version population sampleSeed";
const SURVEYS = `query Surveys($region: String!) { surveys(regionCode: $region, first: 50) {
  edges { node { ${SURVEY_FIELDS} } } } }`;
const PUBLISH = `mutation PublishSurvey($id: ID!, $version: Int!) {
  publishSurvey(id: $id, version: $version) { ... on Survey { ${SURVEY_FIELDS} } ${USER_ERROR_FIELDS} } }`;
const PUBLISH_RESULTS = `mutation PublishSurveyResults($id: ID!, $version: Int!) {
  publishSurveyResults(id: $id, version: $version) { ... on Survey { ${SURVEY_FIELDS} } ${USER_ERROR_FIELDS} } }`;
const RESULTS = `query SurveyResults($id: ID!) { surveyResults(id: $id) { ${RESULTS_FIELDS} } }`;

export default async function render({ main, staff, setTitle }) {
  const title = t("window.surveys.title");
  setTitle(title);
  const status = h("div", { class: "status-line", role: "status" });
  const list = h("ul", { class: "survey-admin-list" });
  const figures = h("div", { class: "survey-figures", "aria-live": "polite" });

  async function act(document, survey, message) {
    const result = Object.values(await request(document, { id: survey.id, version: survey.version }))[0];
    if (isUserError(result)) {
      showProblem(status, result);
      return;
    }
    replace(status, h("p", {}, t(message, { title: result.title })));
    await load();
  }

  async function showResults(survey) {
    const { surveyResults: results } = await request(RESULTS, { id: survey.id });
    replace(figures, results ? surveyResults(results) : null);
  }

  function entry(survey) {
    const sample = survey.sampleSeed
      ? t("window.surveys.sample", { percent: survey.samplePercent, population: survey.population, seed: survey.sampleSeed })
      : t("window.surveys.draftSample", { percent: survey.samplePercent });
    return h("li", { class: "panel survey-admin", dataset: { survey: survey.id } },
      h("h2", {}, survey.title, " ", h("span", { class: "tag" }, t(`surveys.status.${survey.status}`))),
      h("p", { class: "muted" }, surveyPeriod(survey), " · ", survey.regionCode),
      h("p", { class: "muted" }, sample),
      h("p", { class: "actions" },
        survey.status === "DRAFT" ? h("button", { type: "button", class: "button",
          onclick: () => act(PUBLISH, survey, "window.surveys.published") }, t("window.surveys.publish")) : null,
        survey.status === "PUBLISHED" ? h("button", { type: "button", class: "button",
          onclick: () => act(PUBLISH_RESULTS, survey, "window.surveys.resultsPublished") },
        t("window.surveys.publishResults")) : null,
        survey.status !== "DRAFT" ? h("button", { type: "button", class: "button button--secondary",
          onclick: () => showResults(survey) }, t("window.surveys.results")) : null));
  }

  async function load() {
    const { surveys } = await request(SURVEYS, { region: staff.regionCode });
    const rows = surveys.edges.map((edge) => edge.node);
    replace(list, rows.length ? rows.map(entry) : h("li", {}, t("window.surveys.empty")));
  }

  await load();
  replace(main,
    h("p", { class: "desk-caption" }, t("window.supervise.region", { code: staff.regionCode })),
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.surveys.lead")),
    h("p", { class: "actions" }, h("a", { class: "button", href: "#/surveys/new" }, t("window.surveys.new"))),
    status, list, figures);
}
