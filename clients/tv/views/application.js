// 办件进度 on the TV: the application task by task, kept live (applicationUpdated, resumed from its cursor after a
// dropped connection); what changed is said in a live region. Personal data stays masked (the API masks every
// answer to a TV).
import { formatDate, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { t } from "../../shared/strings.js";
import { statusTag } from "./applications.js";

const PROGRESS = `query TvApplication($id: ID!) { application(id: $id) {
  id number status applicant { displayName } bundle { name }
  tasks { id status version deadline overdue item { name department { name } } }
} }`;
const FOLLOW = `subscription TvFollowApplication($id: ID!, $after: String) {
  applicationUpdated(id: $id, after: $after) { cursor kind }
}`;
const TASK_CLASS = { APPROVED: "tv-tag tv-tag--done", SUPPLEMENT_REQUIRED: "tv-tag tv-tag--warning",
  REJECTED: "tv-tag tv-tag--error" };

export default async function render({ main, params, setTitle }) {
  const { application } = await request(PROGRESS, { id: params.id });
  if (!application) {
    replace(main, h("h1", {}, t("applications.detail.notFound")),
      h("p", {}, h("a", { href: "#/applications", class: "tv-button" }, t("tv.back"))));
    return undefined;
  }
  setTitle(application.bundle.name);
  const status = h("p", { class: "tv-meta", id: "application-status" });
  const rows = h("ol", { class: "tv-list", id: "tasks" });
  const news = h("p", { class: "tv-news", role: "status", id: "application-news" });
  const liveLine = h("p", { class: "tv-live" });
  let shown = application;

  const draw = (current) => {
    replace(status, statusTag(current.status), " ", t("tv.application.applicant", { name: current.applicant.displayName }),
      " · ", t("tv.application.number", { number: application.number }));
    replace(rows, current.tasks.map((task) => h("li", { id: `task-${task.id}` },
      h("span", { class: "tv-list__title" }, task.item.name),
      h("span", { class: "tv-list__meta" }, h("span", { class: TASK_CLASS[task.status] ?? "tv-tag" },
        t(`applications.task.${task.status}`)), " ", task.item.department.name,
        task.deadline && task.status !== "APPROVED" && task.status !== "REJECTED"
          ? ` · ${t("tv.application.deadline", { date: formatDate(task.deadline) })}` : ""))));
  };
  // Refreshes run one after another (an older answer never overwrites a newer one), and events arriving together
  // (the replay of a fresh subscription) share one.
  let refreshing = Promise.resolve();
  let queued = false;
  const refresh = () => {
    if (queued) return;
    queued = true;
    refreshing = refreshing.then(async () => {
      queued = false;
      const current = (await request(PROGRESS, { id: application.id })).application;
      if (!current) return;
      const before = new Map(shown.tasks.map((task) => [task.id, task.status]));
      const changes = current.tasks.filter((task) => before.get(task.id) !== task.status)
        .map((task) => t("applications.live.task", { item: task.item.name, status: t(`applications.task.${task.status}`) }));
      if (current.status !== shown.status) {
        changes.push(t("applications.live.application", { status: t(`applications.status.${current.status}`) }));
      }
      shown = current;
      draw(current);
      if (changes.length) replace(news, `${t("applications.live.label")}：${changes.join("；")}`);
    }).catch(() => { /* shown again on the next event or reconnect */ });
  };

  draw(application);
  replace(main,
    h("h1", {}, application.bundle.name),
    status,
    news,
    h("h2", { class: "tv-subtitle" }, t("tv.application.tasks")),
    rows,
    liveLine,
    h("p", {}, h("a", { href: "#/applications", class: "tv-button" }, t("tv.back"))));
  return follow({
    query: FOLLOW, variables: { id: application.id }, field: "applicationUpdated",
    onEvent: refresh,
    onStatus: (state) => {
      replace(liveLine, t(`live.${state}`));
      if (state === "live") refresh(); // after a reconnect, what changed meanwhile
    },
  });
}
