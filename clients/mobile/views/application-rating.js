// 好差评: rate each finished task (办结 or 不予办理), and the whole application once it is finished — the
// targets `evaluate` accepts — with 1 to 5 stars (a labelled radio group) and an optional comment.
import { h, replace, formatDateTime } from "../../shared/dom.js";
import { fieldId, showErrors, clearErrors, USER_ERROR_FIELDS } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { ratingStars, ratingText } from "../../shared/rating.js";
import { t } from "../../shared/strings.js";

const EVALUATE = `mutation Evaluate($input: EvaluateInput!) {
  evaluate(input: $input) { ... on Evaluation { id targetId rating comment returnVisitBy } ${USER_ERROR_FIELDS} }
}`;
const FINISHED_TASK = ["APPROVED", "REJECTED"];
const FINISHED_APPLICATION = ["DONE", "REJECTED"];

/** The section for `application`; update(tasks, status) offers what has become ratable. */
export function ratingSection(application) {
  const names = new Map(); // target id → how the page names it
  const rated = new Set();
  let key = idempotencyKey(); // one per rating filled in, reused when sending is retried
  const given = h("div", { class: "rating__given", role: "status" });
  const target = h("select", { id: fieldId("targetId"), name: "targetId" });
  const stars = ratingStars(t("applications.rating.stars"));
  const comment = h("textarea", { id: fieldId("comment"), name: "comment", rows: "3" });
  const button = h("button", { type: "submit", class: "button" }, t("applications.rating.submit"));
  const form = h("form", { novalidate: true, class: "rating__form" },
    h("div", { class: "field" }, h("label", { for: target.id }, t("applications.rating.target")), target),
    h("div", { class: "field" }, stars.element),
    h("div", { class: "field" }, h("label", { for: comment.id }, t("applications.rating.comment")), comment),
    h("div", { class: "actions" }, button));
  const element = h("section", { class: "rating", "aria-labelledby": "rating-title", hidden: true },
    h("h2", { id: "rating-title" }, t("applications.rating.title")),
    h("p", {}, t("applications.rating.lead")), given, form);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    button.textContent = t("applications.rating.sending");
    try {
      const { evaluate: result } = await request(EVALUATE, { input: {
        targetId: target.value, rating: stars.value(), comment: comment.value, idempotencyKey: key,
      } });
      if (result.__typename === "Evaluation") {
        showGiven(result);
        key = idempotencyKey();
        form.reset();
        stars.reset();
        clearErrors(form);
      } else {
        showErrors(form, result);
      }
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
      button.textContent = t("applications.rating.submit");
    }
  });

  function showGiven(evaluation) {
    rated.add(evaluation.targetId);
    given.append(h("div", { class: "rating__entry" },
      h("p", {}, ratingText(evaluation.rating)[0], " ", t("applications.rating.given", {
        target: names.get(evaluation.targetId), n: evaluation.rating, meaning: t(`rating.${evaluation.rating}`) })),
      evaluation.comment ? h("p", { class: "muted" }, evaluation.comment) : null,
      evaluation.returnVisitBy
        ? h("p", {}, t("applications.rating.returnVisit", { time: formatDateTime(evaluation.returnVisitBy) })) : null));
    offer();
  }

  // Ratings given before (on another visit or device) are read back once per target, in one request.
  const looked = new Set();
  async function readBack(ids) {
    const fresh = ids.filter((id) => !looked.has(id));
    if (!fresh.length) return;
    fresh.forEach((id) => looked.add(id));
    const variables = Object.fromEntries(fresh.map((id, n) => [`t${n}`, id]));
    const document = `query OwnEvaluations(${fresh.map((_, n) => `$t${n}: String!`).join(", ")}) {
      ${fresh.map((_, n) => `t${n}: myEvaluation(targetId: $t${n}) { targetId rating comment returnVisitBy }`)
        .join("\n")}
    }`;
    try {
      const data = await request(document, variables);
      Object.values(data).filter(Boolean).forEach((evaluation) => {
        if (!rated.has(evaluation.targetId)) showGiven(evaluation);
      });
    } catch {
      fresh.forEach((id) => looked.delete(id)); // try again with the next update
    }
  }

  let targets = [];
  function offer() {
    const open = targets.filter((id) => !rated.has(id));
    const selected = target.value;
    replace(target, open.map((id) => h("option", { value: id, selected: id === selected }, names.get(id))));
    form.hidden = !open.length;
    element.hidden = !open.length && !rated.size;
  }

  function update(tasks, status) {
    targets = [];
    for (const task of tasks) {
      if (!FINISHED_TASK.includes(task.status)) continue;
      const id = `task:${task.id}`;
      names.set(id, `“${task.item.name}”`);
      targets.push(id);
    }
    if (FINISHED_APPLICATION.includes(status)) {
      const id = `application:${application.id}`;
      names.set(id, t("applications.rating.targetApplication", { bundle: application.bundle.name }));
      targets.push(id);
    }
    offer();
    readBack(targets);
  }

  return { element, update };
}
