// 诉求办理: one appeal on the workbench, for the staff member who may act on it, followed live (`appealUpdated`).
// The facts, the content and attachments, the 2115 timeline with a countdown to the next deadline, the record of
// every step, and what this role may do in this state:
//   诉求专席  RECEIVED: answer a consultation by phone on the spot from the knowledge base (the caller consenting),
//            route to a unit, or merge into a similar appeal; RETURNED: uphold the 退单 by routing to
//            another unit (a new clock), or reject it (the unit keeps it, its clock runs on)
//   承办单位  ASSIGNED: contacted (or 退单 within the 2-hour window); CONTACTED: the opinion; OPINION_GIVEN: resolved
//   督办      open: 督办; any: list as a topic of the provincial executive meeting
// The API decides again; a refusal is shown next to the field or at the top of the form.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId, isUserError, showErrors, showProblem } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { t } from "../../shared/strings.js";
import { facts, notices, timeline } from "../../shared/appeal-steps.js";
import { CLOCK_FIELDS, appealClock, clockOf, clockText, gradeTag } from "../../shared/appeal-clocks.js";
import { clock, tick } from "../appeal-clock.js";
import { knowledgeSearch } from "../knowledge-search.js";

const FIELDS = `id number status channel category urgency kind gradeName title content enterpriseName maskedCreditCode regionCode
  departmentCode createdAt receivedAt contactedAt opinionAt opinion resolvedAt summary returnReason satisfied rating
  comment reopened escalatedAt meetingTopicAt mergedInto sla { contactBy opinionBy resolveBy provisional clockName } onTime
  attachments { fileId name size url } steps { at action actorName departmentCode note } kind gradeName
  answeredOnTheSpot knowledgeCitation { version { number basis { title } } }`;
const APPEAL = `query StaffAppeal($id: ID!) { appeal(id: $id) { ${FIELDS} } }`;
const PAGE = `query StaffAppealPage($id: ID!) { appeal(id: $id) { ${FIELDS} } appealClocks { ${CLOCK_FIELDS} } }`;
const SIMILAR = `query Similar($id: ID!) { similarAppeals(id: $id) {
  score appeal { id number title status enterpriseName createdAt } } }`;
const UPDATES = `subscription StaffAppealUpdates($id: ID!, $after: String) {
  appealUpdated(id: $id, after: $after) { cursor kind appeal { id status } }
}`;
const RESULT = `... on Appeal { id status } ${USER_ERROR_FIELDS}`;
// Each action: its mutation's field, its document, and the variables its form gives.
const ACTIONS = {
  answer: ["answerOnTheSpot", `mutation Answer($id: ID!, $answer: String!, $callerConsents: Boolean!,
    $knowledgeEntryId: ID) { answerOnTheSpot(id: $id, answer: $answer, callerConsents: $callerConsents,
    knowledgeEntryId: $knowledgeEntryId) { ${RESULT} } }`],
  assign: ["assignAppeal", `mutation Assign($id: ID!, $departmentCode: String!) {
    assignAppeal(id: $id, departmentCode: $departmentCode) { ${RESULT} } }`],
  rejectReturn: ["rejectAppealReturn", `mutation RejectReturn($id: ID!, $reason: String!) {
    rejectAppealReturn(id: $id, reason: $reason) { ${RESULT} } }`],
  merge: ["mergeAppeal", `mutation Merge($id: ID!, $intoId: ID!) { mergeAppeal(id: $id, intoId: $intoId) { ${RESULT} } }`],
  contact: ["recordAppealContact", `mutation Contact($id: ID!) { recordAppealContact(id: $id) { ${RESULT} } }`],
  return: ["returnAppeal", `mutation Return($id: ID!, $reason: String!) { returnAppeal(id: $id, reason: $reason) { ${RESULT} } }`],
  opinion: ["giveAppealOpinion", `mutation Opinion($id: ID!, $opinion: String!) {
    giveAppealOpinion(id: $id, opinion: $opinion) { ${RESULT} } }`],
  resolve: ["resolveAppeal", `mutation Resolve($id: ID!, $summary: String!) {
    resolveAppeal(id: $id, summary: $summary) { ${RESULT} } }`],
  escalate: ["escalateAppeal", `mutation Escalate($id: ID!, $reason: String!) {
    escalateAppeal(id: $id, reason: $reason) { ${RESULT} } }`],
  meetingTopic: ["listAppealAsMeetingTopic", `mutation MeetingTopic($id: ID!, $reason: String!) {
    listAppealAsMeetingTopic(id: $id, reason: $reason) { ${RESULT} } }`],
};
const CODED_NOTES = ["received", "assigned"];
const OPEN = ["RECEIVED", "ASSIGNED", "RETURNED", "CONTACTED", "OPINION_GIVEN"];

/** A refusal's field errors pointed at this form's controls (`names`: argument -> control). */
function onControls(result, names) {
  const move = (error) => ({ ...error, field: names[error.field] ?? error.field });
  if (result.__typename === "FormInvalid") return { ...result, errors: result.errors.map(move) };
  return result.__typename === "ValidationError" ? move(result) : result;
}

function textArea(name, label, hint) {
  const id = fieldId(name);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("textarea", { id, name, rows: 3, "aria-describedby": hint ? `${id}-hint` : null }));
}

function departmentField(departments, exclude) {
  const id = fieldId("departmentCode");
  return h("div", { class: "field" },
    h("label", { for: id }, t("window.appeal.department")),
    h("select", { id, name: "departmentCode" },
      h("option", { value: "" }, t("appeals.form.categoryChoose")),
      departments.filter((d) => d.code !== exclude).map((d) => h("option", { value: d.code }, d.name))));
}

export default async function render({ main, params, query, staff, setTitle }) {
  const { appeal: first, appealClocks: clocks } = await request(PAGE, { id: params.id });
  if (!first) {
    setTitle(t("appeals.detail.notFound"));
    replace(main, h("h1", {}, t("appeals.detail.notFound")), h("p", {}, t("window.appeal.notFoundBody")));
    return undefined;
  }
  const names = new Map(staff.departments.map((d) => [d.code, d.name]));
  const status = h("p", { class: "desk-status", role: "status", "aria-live": "polite" },
    query.recorded ? t("window.appeal.recorded", { number: first.number }) : "");
  const liveLine = h("p", { class: "status-line live-status" });
  const summary = h("div");
  const progress = h("div");
  const countdown = h("p", { class: "appeal-clock" });
  const history = h("div");
  const actions = h("div");
  let shown = null;

  async function act(action, form, variables, controls) {
    const [field, document] = ACTIONS[action];
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const result = (await request(document, { id: first.id, ...variables }))[field];
      if (isUserError(result)) {
        showErrors(form, onControls(result, controls));
        return;
      }
      status.textContent = t(`window.appeal.done.${action}`, { status: t(`appeals.status.${result.status}`) });
      await refresh();
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  }

  /** A form for one action: `controls`, a submit button, and what the form gives the mutation. `names` maps an
   * argument to the control that holds it when two forms on the page take the same argument (ids are unique). */
  function actionForm(action, controls, read, { secondary = false, names = {} } = {}) {
    const form = h("form", { novalidate: true, class: `decision decision--${action}` }, controls,
      h("div", { class: "actions" }, h("button", { type: "submit", class: secondary ? "button button--secondary" : "button" },
        t(`window.appeal.action.${action}`))));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const variables = read(form);
      if (variables) act(action, form, variables, names);
    });
    return form;
  }

  const reason = (name) => (form) => ({ [name]: form.elements[name].value });
  const chooseUnit = (appeal) => actionForm("assign", departmentField(staff.departments, appeal.departmentCode),
    (form) => {
      if (form.elements.departmentCode.value) return { departmentCode: form.elements.departmentCode.value };
      showErrors(form, { __typename: "FormInvalid", errors: [{ field: "departmentCode", code: "REQUIRED",
        message: t("window.appeal.required.department") }] });
      return null;
    });

  function similarBlock(appeal) {
    const body = h("div", {}, h("p", { class: "loading" }, t("app.loading")));
    request(SIMILAR, { id: appeal.id }).then(({ similarAppeals }) => replace(body, similarAppeals.length
      ? h("ul", { class: "similar-list" }, similarAppeals.map(({ appeal: other, score }) => h("li", {},
        h("p", {}, h("a", { href: `#/appeal/${encodeURIComponent(other.id)}` }, other.title)),
        h("p", { class: "muted" }, t("window.appeal.similarFacts", { number: other.number, enterprise: other.enterpriseName,
          status: t(`appeals.status.${other.status}`), score: Math.round(score * 100) })),
        actionForm("merge", null, () => ({ intoId: other.id }), { secondary: true }))))
      : h("p", {}, t("window.appeal.noSimilar")))).catch((error) => showProblem(body, error));
    return h("section", { class: "decision-block", "aria-labelledby": "similar-heading" },
      h("h3", { id: "similar-heading" }, t("window.appeal.similar")), h("p", { class: "hint" }, t("window.appeal.similarHint")),
      body);
  }

  /** 即时答复: a consultation by phone, still with the seat: search the knowledge base, take an answer (editable),
   * and close it at first contact if the caller consents; the answer cites the entry it was taken from. */
  function spotBlock(appeal) {
    let cited = null;
    const citedLine = h("p", { class: "hint knowledge-cited", role: "status" });
    const consentId = fieldId("callerConsents");
    const consent = h("div", { class: "field choice" },
      h("input", { type: "checkbox", id: consentId, name: "callerConsents" }),
      h("label", { for: consentId }, t("window.appeal.spotConsent")));
    const form = actionForm("answer", [citedLine,
      textArea("answer", t("window.appeal.spotAnswer"), t("window.appeal.spotAnswerHint")), consent],
    (chosen) => ({ answer: chosen.elements.answer.value, callerConsents: chosen.elements.callerConsents.checked,
      knowledgeEntryId: cited }));
    function cite(hit) {
      cited = hit?.entry.id ?? null;
      if (hit) form.elements.answer.value = hit.entry.current.answer;
      replace(citedLine, hit ? [t("window.appeal.spotCited", { title: hit.entry.current.title,
        version: hit.entry.version }), " ", h("button", { type: "button", class: "link-button",
        onclick: () => cite(null) }, t("window.appeal.spotUncite"))] : null);
      form.elements.answer.focus();
    }
    return h("section", { class: "decision-block", "aria-labelledby": "spot-heading" },
      h("h3", { id: "spot-heading" }, t("window.appeal.spotHeading")), h("p", { class: "hint" }, t("window.appeal.spotHint")),
      knowledgeSearch({ regionCode: appeal.regionCode, initial: appeal.title, onUse: cite, departments: names }), form);
  }

  /** What this role may do with the appeal in its state. */
  function offered(appeal) {
    const role = staff.role;
    const block = (key, ...content) => h("section", { class: "decision-block" }, h("h3", {}, t(key)), content);
    const folded = (key, ...content) => h("details", { class: "decision-block" }, h("summary", {}, t(key)), content);
    if (role === "APPEALS_COORDINATOR" && appeal.status === "RECEIVED") {
      const answerable = appeal.channel === "HOTLINE" && appeal.kind === "CONSULTATION";
      return [answerable ? spotBlock(appeal) : null, block("window.appeal.routeHeading", h("p", { class: "hint" },
        t("window.appeal.routeHint", { clock: clockText(clockOf(clocks, appeal.urgency, appeal.kind)
          ?? appealClock(clocks, appeal)) })), chooseUnit(appeal)),
        similarBlock(appeal)];
    }
    if (role === "APPEALS_COORDINATOR" && appeal.status === "RETURNED") {
      return [
        h("p", { class: "notice" }, t("window.appeal.returnedBy", { unit: names.get(appeal.departmentCode) ?? "",
          reason: appeal.returnReason })),
        block("window.appeal.upholdHeading", h("p", { class: "hint" }, t("window.appeal.upholdHint")), chooseUnit(appeal)),
        block("window.appeal.rejectHeading", h("p", { class: "hint" }, t("window.appeal.rejectHint")),
          actionForm("rejectReturn", textArea("reason", t("window.appeal.rejectReason"), null), reason("reason"),
            { secondary: true }))];
    }
    if (role === "DEPARTMENT_HANDLER" && appeal.status === "ASSIGNED") {
      return [block("window.appeal.action.contact", h("p", { class: "hint" }, t("window.appeal.contactHint")),
        actionForm("contact", null, () => ({}))),
      folded("window.appeal.action.return", h("p", { class: "hint" }, t("window.appeal.returnHint")),
        actionForm("return", textArea("reason", t("window.appeal.returnReason"), null), reason("reason"),
          { secondary: true }))];
    }
    if (role === "DEPARTMENT_HANDLER" && appeal.status === "CONTACTED") {
      return block("window.appeal.action.opinion",
        actionForm("opinion", textArea("opinion", t("window.appeal.opinion"), t("window.appeal.opinionHint")),
          reason("opinion")));
    }
    if (role === "DEPARTMENT_HANDLER" && appeal.status === "OPINION_GIVEN") {
      return block("window.appeal.action.resolve",
        actionForm("resolve", textArea("summary", t("window.appeal.summary"), t("window.appeal.summaryHint")),
          reason("summary")));
    }
    if (role === "SUPERVISOR") {
      return [
        OPEN.includes(appeal.status) ? block("window.appeal.action.escalate",
          actionForm("escalate", textArea("reason", t("window.appeal.escalateReason"), t("window.appeal.escalateHint")),
            reason("reason"))) : null,
        appeal.meetingTopicAt
          ? h("p", {}, t("window.appeal.meetingTopicAt", { time: formatDateTime(appeal.meetingTopicAt) }))
          : folded("window.appeal.action.meetingTopic", actionForm("meetingTopic",
            textArea("meetingReason", t("window.appeal.meetingReason"), t("window.appeal.meetingHint")),
            (form) => ({ reason: form.elements.meetingReason.value }),
            { secondary: true, names: { reason: "meetingReason" } }))];
    }
    return h("p", {}, t("window.appeal.nothingToDo"));
  }

  function steps(appeal) {
    return h("ol", { class: "appeal-steps" }, appeal.steps.map((step) => h("li", {},
      h("strong", {}, t(`window.appeal.step.${step.action}`)), " ",
      h("span", { class: "muted" }, `${formatDateTime(step.at)} · ${step.actorName}`),
      step.departmentCode ? ` · ${names.get(step.departmentCode) ?? step.departmentCode}` : null,
      // The notes of receipt and routing are codes (the channel, the unit) the entry already says in words.
      step.note && !CODED_NOTES.includes(step.action) ? h("p", { class: "appeal-steps__note" }, step.note) : null)));
  }

  /** Show `appeal`; the actions are rebuilt only when the state changes (they may hold what someone typed). */
  function update(appeal) {
    const appealsClock = appealClock(clocks, appeal);
    progressHeading.textContent = t("appeals.detail.progress", { clock: appealsClock.name });
    replace(grade, gradeTag(appeal));
    replace(summary, facts(appeal, names, appealsClock),
      h("h2", {}, t("appeals.detail.content")), h("p", { class: "appeal-content" }, appeal.content),
      appeal.attachments.length ? [h("h2", {}, t("appeals.detail.attachments")),
        h("ul", { class: "material-list" }, appeal.attachments.map((file) => h("li", {},
          file.url ? h("a", { href: file.url, target: "_blank", rel: "noopener" }, file.name) : file.name)))] : null);
    replace(countdown, clock(appeal));
    replace(progress, notices(appeal), timeline(appeal, names, appealsClock));
    replace(history, steps(appeal));
    if (!shown || shown.status !== appeal.status || shown.escalatedAt !== appeal.escalatedAt
        || shown.meetingTopicAt !== appeal.meetingTopicAt) {
      replace(actions, offered(appeal));
    }
    shown = appeal;
  }

  let stopped = false;
  let fetching = null;
  async function refresh() {
    // Events only say that something changed; one fetch at a time, and one more for whatever came meanwhile.
    if (fetching) return fetching.then(refresh);
    fetching = request(APPEAL, { id: first.id }).then(({ appeal }) => {
      if (appeal && !stopped) update(appeal);
    }).finally(() => { fetching = null; });
    return fetching;
  }

  const title = first.title;
  setTitle(title);
  const progressHeading = h("h2", { id: "appeal-progress" });
  const grade = h("span", { class: "desk-grade" });
  update(first);
  replace(main,
    h("p", { class: "desk-caption" }, t("window.appeal.caption", { number: first.number,
      channel: t(`window.appeals.channel.${first.channel}`) }), " ", grade),
    h("h1", {}, title),
    status, liveLine,
    h("div", { class: "desk-grid desk-grid--task" },
      h("section", { class: "panel", "aria-labelledby": "appeal-facts" },
        h("h2", { id: "appeal-facts" }, t("appeals.detail.facts")), summary,
        h("h2", {}, t("window.appeal.actions")), actions),
      h("section", { class: "panel", "aria-labelledby": "appeal-progress" },
        progressHeading, countdown, progress,
        h("h2", {}, t("window.appeal.history")), history)),
    h("p", {}, h("a", { href: `#${backTo(staff.role)}` }, t("window.appeal.back"))));

  const stopTick = tick(main);
  const stopLive = follow({
    query: UPDATES, variables: { id: first.id }, field: "appealUpdated",
    onStatus: (state) => {
      liveLine.dataset.status = state;
      liveLine.textContent = t(`live.${state}`);
    },
    onEvent: () => refresh().catch(() => { /* the next event or a reload shows it */ }),
  });
  return () => {
    stopped = true;
    stopTick();
    stopLive();
  };
}

function backTo(role) {
  return { APPEALS_COORDINATOR: "/appeals", DEPARTMENT_HANDLER: "/unit-appeals", SUPERVISOR: "/supervise" }[role];
}
