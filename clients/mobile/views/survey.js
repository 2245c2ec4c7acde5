// 作答: the questions of one invitation as a form (a score of 1 to 5, one option, or text), every problem the API
// finds shown by its question (`answers.<key>`), answered once with one key per fill of the form.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { sendAppealForm } from "../../shared/appeal-fields.js";
import { surveyPeriod } from "../../shared/survey-results.js";

const MINE = `query MySurveys { mySurveys { id answered enterpriseName
  survey { id title year half opensOn closesOn open questions { key text kind required options } } } }`;
const ANSWER = `mutation AnswerSurvey($input: AnswerSurveyInput!) {
  answerSurvey(input: $input) { ... on SurveyInvitation { id answered } ${USER_ERROR_FIELDS} }
}`;
const SCORES = [5, 4, 3, 2, 1];

function legend(question) {
  return [question.text, question.required ? h("span", { class: "muted" }, t("surveys.form.required")) : null];
}

function questionField(question) {
  const id = fieldId(`answers.${question.key}`);
  const name = `q-${question.key}`;
  if (question.kind === "TEXT") {
    return h("div", { class: "field" }, h("label", { for: id }, legend(question)),
      h("textarea", { id, name, rows: 3 }));
  }
  const values = question.kind === "SCALE" ? SCORES.map(String) : question.options;
  return h("div", { class: "field" }, h("fieldset", { id, tabindex: "-1" },
    h("legend", {}, legend(question)),
    values.map((value, index) => h("div", { class: "choice" },
      h("input", { type: "radio", id: `${id}-${index}`, name, value }),
      h("label", { for: `${id}-${index}` }, question.kind === "SCALE" ? t(`surveys.score.${value}`) : value)))));
}

function answerOf(question, data) {
  const value = data.get(`q-${question.key}`);
  if (question.kind === "SCALE") return { questionKey: question.key, score: value ? Number(value) : null };
  if (question.kind === "CHOICE") return { questionKey: question.key, choice: value || null };
  return { questionKey: question.key, text: value ?? "" };
}

export default async function render({ main, params, setTitle }) {
  const { mySurveys } = await request(MINE);
  const invitation = mySurveys.find((i) => i.id === params.id);
  if (!invitation) {
    setTitle(t("app.notFound"));
    replace(main, h("h1", {}, t("app.notFound")), h("p", {}, h("a", { href: "#/surveys" }, t("surveys.form.back"))));
    return;
  }
  const { survey } = invitation;
  setTitle(survey.title);
  const submit = h("button", { type: "submit", class: "button" }, t("surveys.form.submit"));
  const form = h("form", { class: "survey-form", novalidate: true },
    survey.questions.map(questionField),
    h("div", { class: "actions" }, submit,
      h("a", { class: "button button--secondary", href: "#/surveys" }, t("surveys.form.back"))));
  const done = h("div", { role: "status", class: "survey-done" });
  const key = idempotencyKey();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    await sendAppealForm({
      form, button: submit, problems: [],
      send: async () => (await request(ANSWER, { input: { invitationId: invitation.id, idempotencyKey: key,
        answers: survey.questions.map((q) => answerOf(q, data)) } })).answerSurvey,
      done: () => replace(done, h("p", { class: "notice" }, t("surveys.form.done")),
        h("p", {}, h("a", { href: "#/surveys" }, t("surveys.form.back")))),
    });
    if (done.childElementCount) form.remove();
  });
  replace(main,
    h("h1", {}, survey.title),
    h("p", { class: "muted" }, surveyPeriod(survey)),
    h("p", { class: "muted" }, t("surveys.for", { name: invitation.enterpriseName })),
    h("p", { class: "lead" }, t("surveys.form.lead")),
    done,
    invitation.answered || !survey.open ? h("p", {}, invitation.answered ? t("surveys.answered") : t("surveys.closed"))
      : form);
}
