// 督办: the supervisor's desk. The missed deadlines and 督办 of their region as they happen (each leads to the
// appeal, where 督办 and the meeting topic are given), and the topics listed for the provincial executive meeting
// (常务会议议题) from their region.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";
import { statusTag } from "../../shared/appeal-steps.js";
import { followAlerts } from "../alerts.js";
import { findAppeal, numberSearch } from "../number-search.js";

const PAGE = 20;
const TOPICS = `query MeetingTopics($region: String!, $first: Int, $after: String) {
  meetingTopics(regionCode: $region, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { node { id title status enterpriseName departmentCode meetingTopicAt } }
  }
}`;

export default async function render({ main, navigate, staff, setTitle }) {
  const names = new Map(staff.departments.map((d) => [d.code, d.name]));
  const variables = { region: staff.regionCode, first: PAGE };
  const { meetingTopics: first } = await request(TOPICS, { ...variables, after: null });
  const title = t("window.supervise.title");
  setTitle(title);
  const list = h("ul", { class: "topic-list" });
  const count = h("p", { class: "status-line" });
  const { controls, show } = pager({
    list, label: t("window.tasks.more"), loadingLabel: t("app.loading"),
    entry: (appeal) => h("li", {},
      h("a", { href: `#/appeal/${encodeURIComponent(appeal.id)}` }, appeal.title), " ", statusTag(appeal.status),
      h("p", { class: "muted" }, t("window.supervise.topicFacts", { enterprise: appeal.enterpriseName,
        unit: names.get(appeal.departmentCode) ?? t("appeals.detail.departmentPending"),
        time: formatDateTime(appeal.meetingTopicAt) }))),
    nextPage: async (after) => (await request(TOPICS, { ...variables, after })).meetingTopics,
    onPage: (connection) => replace(count, t("window.supervise.topicCount", { n: connection.totalCount })),
  });
  show(first);
  const alerts = followAlerts(staff);
  replace(main,
    h("p", { class: "desk-caption" }, t("window.supervise.region", { code: staff.regionCode })),
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.supervise.lead")),
    numberSearch({ kind: "S", navigate, find: findAppeal, notFound: "window.search.notFound.region" }),
    h("div", { class: "desk-grid desk-grid--task" },
      alerts.section,
      h("section", { class: "panel", "aria-labelledby": "topics-heading" },
        h("h2", { id: "topics-heading" }, t("window.supervise.topics")),
        count,
        first.totalCount ? list : h("p", {}, t("window.supervise.noTopics")),
        controls)));
  return alerts.stop;
}
