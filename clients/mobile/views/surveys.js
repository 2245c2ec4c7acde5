// 营商环境满意度调查: the surveys this enterprise (or the enterprises this agent acts for) was sampled for, open
// ones first, each leading to its answer form while it is open.
import { formatDate, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { surveyPeriod } from "../../shared/survey-results.js";

const MINE = `query MySurveys { mySurveys { id answered enterpriseName
  survey { id title year half opensOn closesOn open } } }`;

function state(invitation) {
  if (invitation.answered) return h("span", { class: "tag tag--success" }, t("surveys.answered"));
  if (invitation.survey.open) {
    return h("span", { class: "tag" }, t("surveys.open", { date: formatDate(invitation.survey.closesOn) }));
  }
  return h("span", { class: "tag tag--muted" }, t("surveys.closed"));
}

function card(invitation) {
  const canAnswer = invitation.survey.open && !invitation.answered;
  return h("li", { class: "card survey-card", dataset: { invitation: invitation.id } },
    h("h3", {}, invitation.survey.title),
    h("p", {}, state(invitation)),
    h("p", { class: "muted" }, surveyPeriod(invitation.survey)),
    h("p", { class: "muted" }, t("surveys.for", { name: invitation.enterpriseName })),
    canAnswer ? h("p", { class: "actions" }, h("a", { class: "button",
      href: `#/survey/${encodeURIComponent(invitation.id)}` }, t("surveys.answer"))) : null);
}

export default async function render({ main, setTitle }) {
  setTitle(t("surveys.title"));
  const { mySurveys } = await request(MINE);
  replace(main,
    h("h1", {}, t("surveys.title")),
    h("p", { class: "lead" }, t("surveys.lead")),
    mySurveys.length ? h("ul", { class: "card-list survey-list" }, mySurveys.map(card)) : h("p", {}, t("surveys.empty")));
}
