// 满意度调查结果: the public figures of the surveys whose results are published (anyone, signed in or not); the public
// figures page (公开数据, views/figures.js) shows them too, below the appeal figures.
import { h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";
import { publishedResults, surveyResults } from "../../shared/survey-results.js";

export const SHOWN = 5;

export default async function render({ main, setTitle }) {
  setTitle(t("surveys.results.title"));
  const shown = await publishedResults(SHOWN);
  replace(main,
    h("p", {}, h("a", { href: "#/figures" }, t("figures.public.back"))),
    h("h1", {}, t("surveys.results.title")),
    h("p", { class: "lead" }, t("surveys.results.lead")),
    shown.length ? shown.map(surveyResults) : h("p", {}, t("surveys.results.none")));
}
