// 起草满意度调查: the survey's region, half-year, dates and sample, and its questions entered one by one (key,
// text, kind, required, options one per line, the department it is about); every problem the API finds is shown
// by its field (`questions[2].options`).
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { sendAppealForm } from "../../shared/appeal-fields.js";

const DRAFT = `mutation DraftSurvey($input: DraftSurveyInput!) {
  draftSurvey(input: $input) { ... on Survey { id } ${USER_ERROR_FIELDS} } }`;
const KINDS = ["SCALE", "CHOICE", "TEXT"];
const shanghaiDay = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" });

function field(key, label, control) {
  return h("div", { class: "field" }, h("label", { for: fieldId(key) }, label), control);
}

function input(key, attributes = {}) {
  return h("input", { id: fieldId(key), name: key, type: "text", ...attributes });
}

export default async function render({ main, navigate, staff, setTitle }) {
  const title = t("window.surveys.form.title");
  setTitle(title);
  const today = shanghaiDay.format(new Date());
  const month = Number(today.slice(5, 7));
  const questions = h("ol", { class: "survey-question-list" });

  function renumber() {
    // Each question's controls carry its place, so that `questions[2].text` lands on the third question.
    [...questions.children].forEach((item, index) => {
      item.querySelector("legend").textContent = t("window.surveys.form.question", { n: index + 1 });
      for (const control of item.querySelectorAll("[data-part]")) {
        control.id = fieldId(`questions[${index}].${control.dataset.part}`);
        const label = control.closest(".field")?.querySelector("label");
        if (label) label.htmlFor = control.id;
      }
    });
  }

  function addQuestion() {
    const item = h("li", { class: "survey-question" }, h("fieldset", {},
      h("legend", {}),
      field("k", t("window.surveys.form.keyLabel"), h("input", { type: "text", dataset: { part: "key" } })),
      field("t", t("window.surveys.form.textLabel"), h("input", { type: "text", dataset: { part: "text" } })),
      field("kind", t("window.surveys.form.kindLabel"), h("select", { dataset: { part: "kind" } },
        KINDS.map((kind) => h("option", { value: kind }, t(`window.surveys.form.kind.${kind}`))))),
      field("o", t("window.surveys.form.optionsLabel"), h("textarea", { rows: 3, dataset: { part: "options" } })),
      field("d", t("window.surveys.form.departmentLabel"), h("select", { dataset: { part: "departmentCode" } },
        h("option", { value: "" }, t("window.surveys.form.noDepartment")),
        staff.departments.map((d) => h("option", { value: d.code }, `${d.name}（${d.code}）`)))),
      h("div", { class: "choice" }, h("label", {}, h("input", { type: "checkbox", checked: true,
        dataset: { part: "required" } }), " ", t("window.surveys.form.requiredLabel"))),
      h("button", { type: "button", class: "link-button", onclick: () => { item.remove(); renumber(); } },
        t("window.surveys.form.removeQuestion"))));
    questions.append(item);
    renumber();
    return item;
  }

  function questionValues() {
    return [...questions.children].map((item) => {
      const part = (name) => item.querySelector(`[data-part="${name}"]`);
      const kind = part("kind").value;
      return { key: part("key").value, text: part("text").value, kind, required: part("required").checked,
        options: kind === "CHOICE" ? part("options").value.split("\n").map((o) => o.trim()).filter(Boolean) : [],
        departmentCode: part("departmentCode").value || null };
    });
  }

  const submit = h("button", { type: "submit", class: "button" }, t("window.surveys.form.submit"));
  const form = h("form", { class: "survey-draft", novalidate: true },
    field("title", t("window.surveys.form.titleLabel"), input("title")),
    field("regionCode", t("window.surveys.form.regionLabel"), input("regionCode", { value: staff.regionCode })),
    field("year", t("window.surveys.form.yearLabel"), input("year", { type: "number", value: today.slice(0, 4) })),
    field("half", t("window.surveys.form.halfLabel"), h("select", { id: fieldId("half"), name: "half" },
      ["H1", "H2"].map((half) => h("option", { value: half, selected: (half === "H2") === (month > 6) },
        t(`surveys.half.${half}`))))),
    field("opensOn", t("window.surveys.form.opensOnLabel"), input("opensOn", { type: "date", value: today })),
    field("closesOn", t("window.surveys.form.closesOnLabel"), input("closesOn", { type: "date" })),
    field("samplePercent", t("window.surveys.form.samplePercentLabel"),
      input("samplePercent", { type: "number", min: 1, max: 100, value: 20 })),
    h("h2", { id: fieldId("questions"), tabindex: "-1" }, t("window.surveys.form.questions")),
    questions,
    h("p", {}, h("button", { type: "button", class: "button button--secondary", onclick: () => {
      addQuestion().querySelector("input").focus();
    } }, t("window.surveys.form.addQuestion"))),
    h("div", { class: "actions" }, submit,
      h("a", { class: "button button--secondary", href: "#/surveys" }, t("window.surveys.form.back"))));
  addQuestion();
  const key = idempotencyKey();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    // A Date! cannot be sent empty: a blank date is said here, every other judgement is the API's.
    const problems = ["opensOn", "closesOn"].filter((name) => !data.get(name))
      .map((name) => ({ field: name, code: "REQUIRED", message: t("window.surveys.form.requiredDate") }));
    await sendAppealForm({
      form, button: submit, problems,
      send: async () => (await request(DRAFT, { input: {
        title: data.get("title"), regionCode: data.get("regionCode"), year: Number(data.get("year")),
        half: data.get("half"), opensOn: data.get("opensOn"), closesOn: data.get("closesOn"),
        samplePercent: Number(data.get("samplePercent")), questions: questionValues(), idempotencyKey: key,
      } })).draftSurvey,
      done: () => navigate("/surveys"),
    });
  });

  replace(main,
    h("p", { class: "desk-caption" }, t("window.supervise.region", { code: staff.regionCode })),
    h("h1", {}, title),
    form);
}
