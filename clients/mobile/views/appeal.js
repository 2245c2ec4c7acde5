// One appeal: what was asked, the 2115 steps as a timeline with deadlines and on-time marks, followed live;
// when it is resolved the enterprise confirms the result, and may rate the service (好差评).
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId, isUserError, showErrors, showProblem } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { ratingName, ratingStars, ratingText } from "../../shared/rating.js";
import { t } from "../../shared/strings.js";
import { facts, notices, timeline } from "../../shared/appeal-steps.js";
import { meetingOutcome } from "../meetings.js";
import { radioField } from "../../shared/appeal-fields.js";
import { CLOCK_FIELDS, appealClock } from "../../shared/appeal-clocks.js";

const APPEAL_FIELDS = `id number status channel category urgency kind gradeName title content enterpriseName maskedCreditCode departmentCode
  createdAt receivedAt contactedAt opinionAt opinion resolvedAt summary returnReason satisfied rating comment reopened
  escalatedAt sla { contactBy opinionBy resolveBy provisional clockName } onTime attachments { fileId name size }
  meetingTopic { decision decidedAt responsibleDepartmentCode carryOutBy meeting { title sessionNumber heldOn } }
  answeredOnTheSpot knowledgeCitation { version { number basis { title } } }`;

const PAGE = `query AppealPage($id: ID!) { appeal(id: $id) { ${APPEAL_FIELDS} } departments { code name }
  appealClocks { ${CLOCK_FIELDS} } }`;

const APPEAL = `query Appeal($id: ID!) { appeal(id: $id) { ${APPEAL_FIELDS} } }`;

const UPDATES = `subscription AppealUpdated($id: ID!, $after: String) {
  appealUpdated(id: $id, after: $after) { cursor kind appeal { id status } }
}`;

const CONFIRM = `mutation ConfirmAppeal($id: ID!, $satisfied: Boolean!, $rating: Int!, $comment: String) {
  confirmAppeal(id: $id, satisfied: $satisfied, rating: $rating, comment: $comment) {
    ... on Appeal { ${APPEAL_FIELDS} } ${USER_ERROR_FIELDS}
  }
}`;


const EVALUATION_FIELDS = "rating bad returnVisitBy";

const MY_EVALUATION = `query MyEvaluation($target: String!) { myEvaluation(targetId: $target) { ${EVALUATION_FIELDS} } }`;

const EVALUATE = `mutation EvaluateAppeal($input: EvaluateInput!) {
  evaluate(input: $input) { ... on Evaluation { ${EVALUATION_FIELDS} } ${USER_ERROR_FIELDS} }
}`;


function commentField(label, value = "") {
  const id = fieldId("comment");
  const textarea = h("textarea", { id, name: "comment", maxlength: 500, "aria-describedby": `${id}-hint` });
  textarea.value = value;
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    h("span", { class: "hint", id: `${id}-hint` }, t("appeals.confirm.commentHint")),
    textarea);
}

/** Choices the API cannot be asked about without a value: a Boolean! and an Int! must be picked first. */
function unchosen(data, required) {
  return Object.entries(required).filter(([key]) => !data.get(key))
    .map(([field, message]) => ({ field, code: "REQUIRED", message }));
}

async function send(form, button, sending, call) {
  const label = button.textContent;
  button.disabled = true;
  button.textContent = sending;
  try {
    const result = await call();
    if (isUserError(result)) {
      showErrors(form, result);
      return null;
    }
    return result;
  } catch (error) {
    showErrors(form, error);
    return null;
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

function confirmForm(appeal, confirmed) {
  const button = h("button", { type: "submit", class: "button" }, t("appeals.confirm.submit"));
  const form = h("form", { novalidate: true },
    radioField("satisfied", t("appeals.confirm.satisfied"),
      [["true", t("appeals.confirm.yes")], ["false", t("appeals.confirm.no")]], { hint: t("appeals.confirm.noHint") }),
    h("div", { class: "field" }, ratingStars(t("appeals.confirm.rating")).element),
    commentField(t("appeals.confirm.comment")),
    h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const problems = unchosen(data, {
      satisfied: t("appeals.confirm.required.satisfied"), rating: t("appeals.confirm.required.rating"),
    });
    if (problems.length) {
      showErrors(form, { __typename: "FormInvalid", errors: problems });
      return;
    }
    const result = await send(form, button, t("appeals.confirm.sending"), async () => (await request(CONFIRM, {
      id: appeal.id, satisfied: data.get("satisfied") === "true", rating: Number(data.get("rating")),
      comment: data.get("comment"),
    })).confirmAppeal);
    if (result) confirmed(result);
  });
  return h("section", { class: "appeal-response", "aria-labelledby": "appeal-confirm-heading" },
    h("h2", { id: "appeal-confirm-heading" }, t("appeals.confirm.heading")),
    h("p", {}, t("appeals.confirm.lead")),
    form);
}

/** The 好差评 given: its rating, and for a bad review when the return visit is due. */
function evaluated(evaluation) {
  return [
    h("p", { class: "notice notice--done", tabindex: "-1" },
      t("appeals.evaluate.done", { rating: ratingName(evaluation.rating) })),
    evaluation.bad && evaluation.returnVisitBy
      ? h("p", {}, t("appeals.evaluate.returnVisit", { time: formatDateTime(evaluation.returnVisitBy) })) : null,
  ];
}

/** 好差评 of the appeal, offered with what the enterprise said when confirming, to send as it is or change. */
function evaluateForm(appeal) {
  const button = h("button", { type: "submit", class: "button" }, t("appeals.evaluate.submit"));
  const form = h("form", { novalidate: true },
    h("p", {}, t("appeals.evaluate.lead")),
    h("div", { class: "field" }, ratingStars(t("appeals.evaluate.rating"), { checked: appeal.rating }).element),
    commentField(t("appeals.evaluate.comment"), appeal.comment),
    h("div", { class: "actions" }, button));
  const key = idempotencyKey();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const problems = unchosen(data, { rating: t("appeals.evaluate.required.rating") });
    if (problems.length) {
      showErrors(form, { __typename: "FormInvalid", errors: problems });
      return;
    }
    const evaluation = await send(form, button, t("appeals.confirm.sending"), async () => (await request(EVALUATE, {
      input: { targetId: `appeal:${appeal.id}`, rating: Number(data.get("rating")), comment: data.get("comment"),
        idempotencyKey: key },
    })).evaluate);
    if (!evaluation) return;
    const [done, returnVisit] = evaluated(evaluation);
    form.replaceWith(done);
    if (returnVisit) done.after(returnVisit);
    done.focus();
  });
  return form;
}

/** The 好差评 part: what was given, or the form when the enterprise has not rated the appeal yet. */
function evaluation(appeal) {
  const body = h("div", {}, h("p", { class: "loading" }, t("app.loading")));
  request(MY_EVALUATION, { target: `appeal:${appeal.id}` })
    .then(({ myEvaluation }) => replace(body, myEvaluation ? evaluated(myEvaluation) : evaluateForm(appeal)))
    .catch((error) => showProblem(body, error));
  return h("section", { class: "appeal-evaluate", "aria-labelledby": "appeal-evaluate-heading" },
    h("h2", { id: "appeal-evaluate-heading" }, t("appeals.evaluate.heading")),
    body);
}

function confirmation(appeal) {
  return h("section", { class: "appeal-response", "aria-labelledby": "appeal-result-heading" },
    h("h2", { id: "appeal-result-heading", tabindex: "-1" }, t("appeals.result.heading")),
    h("dl", { class: "summary-list" },
      h("dt", {}, t("appeals.result.satisfied")),
      h("dd", {}, t(appeal.satisfied ? "appeals.result.yes" : "appeals.result.no")),
      h("dt", {}, t("appeals.result.rating")), h("dd", {}, ratingText(appeal.rating)),
      appeal.comment ? [h("dt", {}, t("appeals.result.comment")), h("dd", {}, appeal.comment)] : null));
}

function notFound(main, setTitle) {
  setTitle(t("appeals.detail.notFound"));
  replace(main,
    h("h1", {}, t("appeals.detail.notFound")),
    h("p", {}, t("appeals.detail.notFoundLead")),
    h("p", {}, h("a", { href: "#/appeals" }, t("appeals.back"))));
}

export default async function render({ main, params, setTitle }) {
  const { appeal: first, departments: list, appealClocks: clocks } = await request(PAGE, { id: params.id });
  if (!first) {
    notFound(main, setTitle);
    return undefined;
  }
  setTitle(first.title);
  const departments = new Map(list.map(({ code, name }) => [code, name]));
  const liveStatus = h("p", { class: "status-line live-status" });
  const announcement = h("p", { class: "live-announcement", role: "status" });
  const refreshProblem = h("div");
  const summary = h("div");
  const progress = h("div");
  const response = h("div");
  const progressHeading = h("h2", { id: "appeal-progress-heading", tabindex: "-1" });
  let shown = null;

  /** Show `appeal` in place; the response part is rebuilt only when the status changes (it may hold a form). */
  function update(appeal, { announce }) {
    const clock = appealClock(clocks, appeal);
    progressHeading.textContent = t("appeals.detail.progress", { clock: clock.name });
    replace(summary, facts(appeal, departments, clock));
    replace(progress, notices(appeal), meetingOutcome(appeal.meetingTopic, departments),
      timeline(appeal, departments, clock));
    if (shown && announce && appeal.status !== shown.status) {
      announcement.textContent = t("appeals.live.changed", { status: t(`appeals.status.${appeal.status}`) });
    }
    if (!shown || appeal.status !== shown.status) {
      replace(response,
        appeal.status === "RESOLVED" ? confirmForm(appeal, confirmed) : null,
        // Answered on the spot with the caller's consent, it closed without a confirmation to show.
        appeal.status === "CLOSED" ? [appeal.satisfied === null ? null : confirmation(appeal), evaluation(appeal)]
          : null);
    }
    shown = appeal;
  }

  function confirmed(appeal) {
    update(appeal, { announce: false });
    if (appeal.status === "CLOSED") {
      response.querySelector("#appeal-result-heading").focus();
      return;
    }
    // Not satisfied: the appeal went back to the unit; say so, and show the new deadline in the timeline.
    announcement.textContent = t("appeals.confirm.reopened");
    progressHeading.focus();
  }

  // Events only say that something changed: fetch the appeal again. Events that arrive while a fetch is
  // under way (the replay on subscribing, say) are folded into one more fetch.
  let fetching = false;
  let again = false;
  let stopped = false;
  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }
    fetching = true;
    try {
      do {
        again = false;
        const { appeal } = await request(APPEAL, { id: first.id });
        if (appeal && !stopped) update(appeal, { announce: true });
      } while (again && !stopped);
      replace(refreshProblem);
    } catch (error) {
      showProblem(refreshProblem, error);
    } finally {
      fetching = false;
    }
  }

  update(first, { announce: false });
  replace(main,
    h("h1", {}, first.title),
    liveStatus,
    announcement,
    refreshProblem,
    h("div", { class: "appeal-layout" },
      h("div", { class: "appeal-layout__facts" },
        h("section", { "aria-labelledby": "appeal-facts-heading" },
          h("h2", { id: "appeal-facts-heading" }, t("appeals.detail.facts")), summary),
        h("section", { "aria-labelledby": "appeal-content-heading" },
          h("h2", { id: "appeal-content-heading" }, t("appeals.detail.content")),
          h("p", { class: "appeal-content" }, first.content),
          first.attachments.length ? [h("h3", {}, t("appeals.detail.attachments")),
            h("ul", {}, first.attachments.map((file) => h("li", {}, file.name)))] : null)),
      h("section", { class: "appeal-layout__progress", "aria-labelledby": "appeal-progress-heading" },
        progressHeading, progress)),
    response,
    h("p", {}, h("a", { href: "#/appeals" }, t("appeals.back"))));

  const unfollow = follow({
    query: UPDATES, variables: { id: first.id }, field: "appealUpdated",
    onEvent: refresh,
    onStatus: (status, reason) => {
      liveStatus.textContent = reason ? t("appeals.live.because", { status: t(`live.${status}`), reason })
        : t(`live.${status}`);
      liveStatus.dataset.status = status;
    },
  });
  return () => {
    stopped = true;
    unfollow();
  };
}
