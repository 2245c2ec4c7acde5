// 办件进度: one application task by task (item, department, status, deadline, overdue), kept live with
// applicationUpdated: the rows and the status change in place and an aria-live region says what changed.
// 补正 (application-supplement.js) and 好差评 (application-rating.js) appear when the tasks call for them. A task
// decided by its item's rule says so (系统自动审批（秒批）, with the rule's name) where a handler's would not; the
// offers the application's approvals made (免申即享, offers.js) follow the progress, and appear live too.
import { h, replace, formatDateTime } from "../../shared/dom.js";
import { USER_ERROR_FIELDS } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { t } from "../../shared/strings.js";
import { OFFER_FIELDS, offerCard } from "../offers.js";
import { STATUS_TAG } from "./applications.js";
import { ratingSection } from "./application-rating.js";
import { supplementSection } from "./application-supplement.js";

const TASK_FIELDS = `id status version deadline deadlineProvisional overdue decidedAt decidedBy rule note
  supplement { fields materials message } item { code name department { name } }`;
const PROGRESS_FIELDS = `id status formValues tasks { ${TASK_FIELDS} } offers { ${OFFER_FIELDS} }`;
const LOAD = `query Application($id: ID!) {
  application(id: $id) {
    ${PROGRESS_FIELDS} number createdAt
    bundle { code name form {
      fields { key label type required hint options { value label } validation { multiline } }
      materials { code name }
    } }
  }
}`;
const REFRESH = `query ApplicationProgress($id: ID!) { application(id: $id) { ${PROGRESS_FIELDS} } }`;
const FOLLOW = `subscription FollowApplication($id: ID!, $after: String) {
  applicationUpdated(id: $id, after: $after) { cursor kind task { id version } }
}`;
const SUPPLEMENT = `mutation SupplementApplication($id: ID!, $formValues: JSON!, $idempotencyKey: String!,
    $materials: [MaterialInput!]) {
  supplementApplication(id: $id, formValues: $formValues, idempotencyKey: $idempotencyKey, materials: $materials) {
    ... on Application { ${PROGRESS_FIELDS} } ${USER_ERROR_FIELDS}
  }
}`;
const TASK_TAG = { APPROVED: "tag tag--done", SUPPLEMENT_REQUIRED: "tag tag--warning", REJECTED: "tag tag--error" };

/** What an application page says when the application does not exist or is not the viewer's to see. */
export function applicationNotFound(main, setTitle) {
  setTitle(t("applications.detail.notFound"));
  replace(main, h("h1", {}, t("applications.detail.notFound")),
    h("p", {}, h("a", { href: "#/applications" }, t("applications.detail.back"))));
}

export default async function render({ main, params, setTitle, session, navigate }) {
  const { application } = await request(LOAD, { id: params.id });
  if (!application) {
    applicationNotFound(main, setTitle);
    return undefined;
  }
  setTitle(application.bundle.name);
  const page = progressPage(application, { session, navigate });
  replace(main, page.elements);
  return follow({
    query: FOLLOW, variables: { id: application.id }, field: "applicationUpdated",
    onEvent: page.onEvent, onStatus: page.onStatus,
  });
}

function progressPage(application, { session, navigate }) {
  const shown = new Map(); // task id → the task as its row shows it
  let status = application.status;
  let stale = false;
  let refreshing = Promise.resolve();
  const statusTag = h("span", {});
  const liveStatus = h("p", { class: "status-line progress-live" }, t("live.connecting"));
  const news = h("div", { class: "progress-news", role: "status" });
  const rows = h("ol", { class: "task-cards" });

  const showStatus = () => {
    statusTag.className = STATUS_TAG[status] ?? "tag";
    statusTag.textContent = t(`applications.status.${status}`);
  };
  const announce = (messages) => {
    if (messages.length) replace(news, h("strong", {}, `${t("applications.live.label")}：`), messages.join("；"));
  };

  const supplement = supplementSection(application, async (formValues, materials, idempotencyKey) => {
    const { supplementApplication: result } = await request(SUPPLEMENT,
      { id: application.id, formValues, materials, idempotencyKey });
    if (result.__typename === "Application") update(result, [t("applications.supplement.sent")]);
    return result;
  });
  const rating = ratingSection(application);
  const offers = offersMade({ session, navigate });

  /** Show `current` (a load, a refresh or a mutation's answer): rows whose version moved are redrawn. */
  function update(current, messages = []) {
    for (const task of current.tasks) {
      const before = shown.get(task.id);
      if (before && before.version >= task.version) continue; // the row already shows this, or newer
      const row = rows.querySelector(`#task-${CSS.escape(task.id)}`);
      if (row) replace(row, taskContent(task));
      else rows.append(h("li", { class: "card task-card", id: `task-${task.id}` }, taskContent(task)));
      if (before && before.status !== task.status) {
        messages.push(task.decidedBy === "RULE" ? t("instant.live", { item: task.item.name })
          : t("applications.live.task", { item: task.item.name, status: t(`applications.task.${task.status}`) }));
      }
      shown.set(task.id, task);
    }
    if (current.status !== status) {
      status = current.status;
      messages.push(t("applications.live.application", { status: t(`applications.status.${status}`) }));
    }
    showStatus();
    const tasks = [...shown.values()];
    supplement.update(tasks, current.formValues);
    rating.update(tasks, status);
    offers.update(current.offers);
    announce(messages);
  }

  // Refreshes run one after another, so an older answer never overwrites a newer one.
  const refresh = () => {
    refreshing = refreshing.then(async () => {
      try {
        update((await request(REFRESH, { id: application.id })).application);
        stale = false;
      } catch {
        stale = true; // shown again once the subscription is back
      }
    });
  };

  update(application);
  return {
    elements: [
      h("h1", {}, application.bundle.name),
      h("dl", { class: "summary-list" },
        h("dt", {}, t("applications.detail.number")), h("dd", {}, application.number),
        h("dt", {}, t("applications.detail.status")), h("dd", {}, statusTag),
        h("dt", {}, t("applications.detail.submittedAt")), h("dd", {}, formatDateTime(application.createdAt))),
      liveStatus, news, supplement.element,
      h("h2", {}, t("applications.progress.title")), rows,
      rating.element, offers.element,
      h("p", {}, h("a", { href: "#/applications" }, t("applications.detail.back"))),
    ],
    // The subscription first replays the application's history: events the rows already show are skipped.
    onEvent(event) {
      if (event.task && (shown.get(event.task.id)?.version ?? -1) < event.task.version) refresh();
    },
    onStatus(state) {
      liveStatus.textContent = t(`live.${state}`);
      liveStatus.dataset.state = state;
      if (state === "live" && stale) refresh();
    },
  };
}

function taskContent(task) {
  const fact = (label, ...value) => [h("dt", {}, label), h("dd", {}, value)];
  let deadline = t("applications.progress.notStarted");
  if (task.deadline) {
    const time = formatDateTime(task.deadline);
    deadline = task.deadlineProvisional ? t("applications.progress.provisional", { time }) : time;
  }
  return [
    h("h3", {}, task.item.name),
    h("dl", { class: "summary-list task-card__facts" },
      fact(t("applications.progress.department"), task.item.department.name),
      fact(t("applications.progress.status"),
        h("span", { class: TASK_TAG[task.status] ?? "tag" }, t(`applications.task.${task.status}`)),
        task.overdue ? [" ", h("span", { class: "tag tag--error" }, t("applications.progress.overdue"))] : null),
      fact(t("applications.progress.deadline"), deadline),
      task.decidedBy === "RULE" ? [
        fact(t("instant.decidedBy"), h("span", { class: "tag tag--instant" }, t("instant.byRule"))),
        fact(t("instant.rule"), task.rule)] : null,
      task.decidedAt ? fact(t("applications.progress.decidedAt"), formatDateTime(task.decidedAt)) : null,
      task.note ? fact(task.status === "REJECTED" ? t("applications.progress.reason") : t("applications.progress.note"),
        task.note) : null),
  ];
}

/** The offers this application's approvals made (免申即享): shown once there is one, each answered in place. */
function offersMade({ session, navigate }) {
  const list = h("ul", { class: "card-list offer-list" });
  const element = h("section", { class: "offers", "aria-labelledby": "offers-made", hidden: true },
    h("h2", { id: "offers-made" }, t("offers.title")), h("p", {}, t("offers.madeHere")), list);
  const shown = new Map(); // offer id → the status its card shows
  return {
    element,
    update(offers) {
      for (const offer of offers) {
        if (shown.get(offer.id) === offer.status) continue;
        const card = offerCard(offer, { session, navigate, showSource: false,
          onDeclined: () => {
            shown.set(offer.id, "DECLINED");
            list.append(offerCard({ ...offer, status: "DECLINED" }, { session, navigate, showSource: false }));
          } });
        const old = list.querySelector(`#offer-${CSS.escape(offer.id)}`);
        if (old) old.replaceWith(card);
        else list.append(card);
        shown.set(offer.id, offer.status);
      }
      element.hidden = !offers.length;
    },
  };
}
