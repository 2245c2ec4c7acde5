// 常务会议: the supervisor convenes a meeting of their region, puts the listed topics on its agenda, invites
// entrepreneurs to attend (列席) and records the meeting's decision on each topic: the department that carries it
// out and within how many working days. The API decides; a refusal is shown next to its field.
import { formatDate, formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { labelled, sendingForm } from "../sending-form.js";

const TOPIC_FIELDS = `id appealId appealNumber appealTitle enterpriseName reason listedAt decision decidedAt
  responsibleDepartmentCode carryOutDays carryOutBy carriedOutAt`;
const MEETING_FIELDS = `id title sessionNumber heldOn regionCode topics { ${TOPIC_FIELDS} }
  invitations { enterpriseName maskedCreditCode invitedAt }`;
const PAGE = `query Meetings($region: String!) {
  executiveMeetings(regionCode: $region, first: 10) { edges { node { ${MEETING_FIELDS} } } }
  unscheduledMeetingTopics(regionCode: $region, first: 50) { edges { node { ${TOPIC_FIELDS} } } }
}`;
const CREATE = `mutation CreateMeeting($input: CreateExecutiveMeetingInput!) {
  createExecutiveMeeting(input: $input) { ... on ExecutiveMeeting { id } ${USER_ERROR_FIELDS} }
}`;
const SCHEDULE = `mutation Schedule($topic: ID!, $meeting: ID!) {
  scheduleMeetingTopic(topicId: $topic, meetingId: $meeting) { ... on MeetingTopic { id } ${USER_ERROR_FIELDS} }
}`;
const DECIDE = `mutation Decide($input: RecordMeetingDecisionInput!) {
  recordMeetingDecision(input: $input) { ... on MeetingTopic { id } ${USER_ERROR_FIELDS} }
}`;
const INVITE = `mutation Invite($meeting: ID!, $codes: [String!], $topics: Boolean!) {
  inviteToMeeting(meetingId: $meeting, creditCodes: $codes, topicEnterprises: $topics) {
    ... on ExecutiveMeeting { id } ${USER_ERROR_FIELDS}
  }
}`;

function departmentSelect(departments) {
  return h("select", { name: "departmentCode" }, h("option", { value: "" }, t("window.meetings.chooseDepartment")),
    departments.map((d) => h("option", { value: d.code }, d.name)));
}

export default async function render({ main, staff, setTitle }) {
  const title = t("window.meetings.title");
  setTitle(title);
  const names = new Map(staff.departments.map((d) => [d.code, d.name]));
  const status = h("p", { class: "status-line", role: "status" });
  const body = h("div");

  async function draw(message = "") {
    const page = await request(PAGE, { region: staff.regionCode });
    const meetings = page.executiveMeetings.edges.map((e) => e.node);
    const waiting = page.unscheduledMeetingTopics.edges.map((e) => e.node);
    status.textContent = message;
    replace(body, createForm(), waitingTopics(waiting, meetings), meetings.map(meetingPanel));
  }

  function createForm() {
    const form = sendingForm("meeting-create", [
      labelled("title", t("window.meetings.meetingTitle"), h("input", { name: "title", type: "text", value: t("window.meetings.defaultTitle") })),
      labelled("sessionNumber", t("window.meetings.sessionNumber"), h("input", { name: "sessionNumber", type: "text" }),
        t("window.meetings.sessionHint")),
      labelled("heldOn", t("window.meetings.heldOn"), h("input", { name: "heldOn", type: "date" })),
    ], t("window.meetings.create"), async (f) => (await request(CREATE, { input: {
      title: f.elements.title.value, sessionNumber: f.elements.sessionNumber.value,
      heldOn: f.elements.heldOn.value || null, regionCode: staff.regionCode, idempotencyKey: idempotencyKey(),
    } })).createExecutiveMeeting, { onDone: () => draw(t("window.meetings.created")) });
    return h("section", { class: "panel", "aria-labelledby": "create-heading" },
      h("h2", { id: "create-heading" }, t("window.meetings.createHeading")), form);
  }

  function waitingTopics(topics, meetings) {
    const entry = (topic) => h("li", { class: "meeting-topic" },
      h("a", { href: `#/appeal/${encodeURIComponent(topic.appealId)}` }, topic.appealTitle),
      h("p", { class: "muted" }, t("window.meetings.topicFacts", { enterprise: topic.enterpriseName,
        time: formatDateTime(topic.listedAt), reason: topic.reason })),
      meetings.length ? sendingForm("meeting-schedule", [labelled(`meetingId.${topic.id}`,
        t("window.meetings.scheduleInto"), h("select", { name: "meetingId" }, meetings.map((m) =>
          h("option", { value: m.id }, `${m.sessionNumber} ${m.title}（${formatDate(m.heldOn)}）`))))],
      t("window.meetings.schedule"), async (f) => (await request(SCHEDULE, { topic: topic.id,
        meeting: f.elements.meetingId.value })).scheduleMeetingTopic,
      { suffix: topic.id, onDone: () => draw(t("window.meetings.scheduled")) }) : null);
    return h("section", { class: "panel", "aria-labelledby": "waiting-heading" },
      h("h2", { id: "waiting-heading" }, t("window.meetings.waiting")),
      topics.length ? h("ul", { class: "topic-list" }, topics.map(entry)) : h("p", {}, t("window.meetings.noWaiting")));
  }

  function decisionOf(topic) {
    if (topic.decidedAt) {
      return h("div", { class: "meeting-decision" },
        h("p", {}, h("strong", {}, t("window.meetings.decisionIs")), topic.decision),
        h("p", { class: "muted" }, t("window.meetings.carryOut", {
          unit: names.get(topic.responsibleDepartmentCode) ?? topic.responsibleDepartmentCode,
          days: topic.carryOutDays, time: formatDateTime(topic.carryOutBy) })),
        h("p", { class: "muted" }, topic.carriedOutAt
          ? t("window.meetings.carriedOut", { time: formatDateTime(topic.carriedOutAt) })
          : t("window.meetings.notCarriedOut")));
    }
    return sendingForm("meeting-decide", [
      labelled(`decision.${topic.id}`, t("window.meetings.decision"), h("textarea", { name: "decision", rows: 3 })),
      labelled(`departmentCode.${topic.id}`, t("window.meetings.department"), departmentSelect(staff.departments)),
      labelled(`carryOutDays.${topic.id}`, t("window.meetings.days"),
        h("input", { name: "carryOutDays", type: "number", min: 1, max: 60, value: 10 }), t("window.meetings.daysHint")),
    ], t("window.meetings.recordDecision"), async (f) => (await request(DECIDE, { input: {
      topicId: topic.id, decision: f.elements.decision.value, departmentCode: f.elements.departmentCode.value,
      carryOutDays: Number.parseInt(f.elements.carryOutDays.value, 10) || 0,
    } })).recordMeetingDecision, { suffix: topic.id, onDone: () => draw(t("window.meetings.decided")) });
  }

  function meetingPanel(meeting) {
    const heading = `meeting-${meeting.id}`;
    const invite = sendingForm("meeting-invite", [
      labelled(`creditCodes.${meeting.id}`, t("window.meetings.creditCodes"), h("textarea", { name: "creditCodes", rows: 2 }),
        t("window.meetings.creditCodesHint")),
      h("div", { class: "choice" }, h("input", { type: "checkbox", id: `topics-${meeting.id}`, name: "topicEnterprises",
        checked: true }), h("label", { for: `topics-${meeting.id}` }, t("window.meetings.topicEnterprises"))),
    ], t("window.meetings.invite"), async (f) => {
      const codes = f.elements.creditCodes.value.split(/[\s,，、]+/).filter(Boolean);
      return (await request(INVITE, { meeting: meeting.id, codes,
        topics: f.elements.topicEnterprises.checked })).inviteToMeeting;
    }, { suffix: meeting.id, onDone: () => draw(t("window.meetings.invited")) });
    return h("section", { class: "panel meeting", "aria-labelledby": heading },
      h("h2", { id: heading }, `${meeting.sessionNumber} ${meeting.title}`),
      h("p", { class: "muted" }, t("window.meetings.heldOnFacts", { day: formatDate(meeting.heldOn),
        n: meeting.topics.length })),
      h("h3", {}, t("window.meetings.agenda")),
      meeting.topics.length ? h("ol", { class: "topic-list" }, meeting.topics.map((topic) => h("li", {},
        h("a", { href: `#/appeal/${encodeURIComponent(topic.appealId)}` }, topic.appealTitle),
        h("p", { class: "muted" }, topic.enterpriseName), decisionOf(topic))))
        : h("p", {}, t("window.meetings.noAgenda")),
      h("h3", {}, t("window.meetings.attendees")),
      meeting.invitations.length ? h("ul", { class: "invitation-list" }, meeting.invitations.map((i) =>
        h("li", {}, `${i.enterpriseName}（${i.maskedCreditCode}）`))) : h("p", {}, t("window.meetings.noAttendees")),
      invite);
  }

  await draw();
  replace(main, h("p", { class: "desk-caption" }, t("window.supervise.region", { code: staff.regionCode })),
    h("h1", {}, title), h("p", { class: "lead" }, t("window.meetings.lead")), status, body);
}
