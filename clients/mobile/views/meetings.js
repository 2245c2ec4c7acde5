// 列席: the executive meetings this enterprise is invited to attend, each with its topics and, once decided, the
// meeting's decision on each (another enterprise's appeal by its public title only).
import { formatDate, formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const INVITATIONS = `query MeetingInvitations {
  me { meetingInvitations { id invitedAt meeting { id title sessionNumber heldOn }
    topics { id title ownAppeal decision decidedAt responsibleDepartmentCode carryOutBy } } }
  departments { code name }
}`;

function topicEntry(topic, departments) {
  return h("li", { class: "meeting-topic" },
    h("h3", {}, topic.title, topic.ownAppeal ? h("span", { class: "tag" }, t("meetings.ownAppeal")) : null),
    topic.decidedAt
      ? [h("p", { class: "meeting-outcome__decision" }, topic.decision),
        h("p", { class: "muted" }, t("meetings.carryOut", {
          unit: departments.get(topic.responsibleDepartmentCode) ?? topic.responsibleDepartmentCode,
          time: formatDateTime(topic.carryOutBy) }))]
      : h("p", { class: "muted" }, t("meetings.awaiting")));
}

export default async function render({ main, setTitle }) {
  setTitle(t("meetings.title"));
  const { me, departments: list } = await request(INVITATIONS);
  const departments = new Map(list.map(({ code, name }) => [code, name]));
  const invitations = me?.meetingInvitations ?? [];
  replace(main,
    h("h1", {}, t("meetings.title")),
    h("p", { class: "lead" }, t("meetings.lead")),
    invitations.length
      ? h("ul", { class: "card-list meeting-list" }, invitations.map((invitation) => h("li", { class: "card" },
        h("h2", {}, `${invitation.meeting.sessionNumber} ${invitation.meeting.title}`),
        h("p", { class: "muted" }, t("meetings.invitedFacts", { day: formatDate(invitation.meeting.heldOn),
          time: formatDateTime(invitation.invitedAt) })),
        h("ol", { class: "meeting-topics" }, invitation.topics.map((topic) => topicEntry(topic, departments))))))
      : h("p", {}, t("meetings.none")));
}
