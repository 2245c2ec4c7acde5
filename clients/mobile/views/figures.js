// 公开数据: the public figures of the enterprise appeals zone, readable without signing in: a region (the province or
// one of its cities, from the catalog's departments) and a period (the last 12 months unless the address names
// another); the zone's figures, 调度 (each month), the grades, the governor's mailbox, the units
// (clients/shared/appeal-figures.js, as the supervisor's page draws them), then the published survey results.
import { PROVINCE, figureRegions, figuresBoard, periodOf } from "../../shared/appeal-figures.js";
import { fieldId } from "../../shared/errors.js";
import { h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";
import { publishedResults, surveyResults } from "../../shared/survey-results.js";
import { SHOWN } from "./survey-results.js";

function regionField(choices, chosen) {
  const id = fieldId("region");
  return h("div", { class: "field" },
    h("label", { for: id }, t("figures.public.region")),
    h("span", { class: "hint", id: `${id}-hint` }, t("figures.public.regionHint")),
    h("select", { id, name: "region", "aria-describedby": `${id}-hint` }, choices.map((region) =>
      h("option", { value: region.code, selected: region.code === chosen }, region.name))));
}

async function surveys() {
  const shown = await publishedResults(SHOWN);
  return h("section", { class: "figures-surveys", id: "figures-surveys", "aria-labelledby": "figures-surveys-heading" },
    h("h2", { id: "figures-surveys-heading" }, t("figures.public.surveys")),
    shown.length ? [h("p", {}, t("figures.public.surveysLead", { n: SHOWN }), " ",
      h("a", { href: "#/survey-results" }, t("figures.public.allSurveys"))), shown.map(surveyResults)]
      : h("p", {}, t("surveys.results.none")));
}

export default async function render({ main, query, navigate, setTitle }) {
  const title = t("figures.public.title");
  setTitle(title);
  const [choices, surveySection] = await Promise.all([figureRegions(), surveys()]);
  const region = choices.some((choice) => choice.code === query.region) ? query.region : PROVINCE;
  const period = { region, ...periodOf(query) };
  const names = new Map(choices.map((choice) => [choice.code, choice.name]));
  const board = figuresBoard({ current: period, fields: regionField(choices, region), region: (chosen) => chosen.region,
    navigate: (chosen) => navigate("/figures", chosen),
    status: (chosen) => t("figures.public.shownFor", { ...chosen, region: names.get(chosen.region) }) });
  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, t("figures.public.lead")),
    board.form,
    board.results,
    surveySection);
  await board.show(period);
}
