// 常务会议 as an enterprise reads it: the meeting's decision on a topic (on the appeal's own page and in its
// invitations to attend).
import { formatDate, formatDateTime, h } from "../shared/dom.js";
import { t } from "../shared/strings.js";

/** The decision on `topic` ({decision, decidedAt, responsibleDepartmentCode, carryOutBy, meeting}), or what is
 * awaited; nothing when the appeal is no topic. */
export function meetingOutcome(topic, departments) {
  if (!topic) return null;
  const meeting = topic.meeting
    ? t("meetings.meeting", { number: topic.meeting.sessionNumber, title: topic.meeting.title,
      day: formatDate(topic.meeting.heldOn) })
    : t("meetings.notScheduled");
  return h("div", { class: "meeting-outcome" },
    h("h3", {}, t("meetings.outcome")),
    h("p", { class: "muted" }, meeting),
    topic.decidedAt
      ? [h("p", { class: "meeting-outcome__decision" }, topic.decision),
        h("p", { class: "muted" }, t("meetings.carryOut", {
          unit: departments.get(topic.responsibleDepartmentCode) ?? topic.responsibleDepartmentCode,
          time: formatDateTime(topic.carryOutBy) }))]
      : h("p", {}, t("meetings.awaiting")));
}
