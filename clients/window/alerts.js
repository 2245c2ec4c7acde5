// 督办提醒 on the workbench: the missed 2115 and 好差评 deadlines and the 督办 of the staff member's unit or region,
// as they happen (`deadlineAlerts` through the shared live.js, resumed from the last cursor after a dropped
// connection). New alerts are read out (a log region); each names the step, the appeal and when it was due.
import { formatDateTime, h } from "../shared/dom.js";
import { follow } from "../shared/live.js";
import { t } from "../shared/strings.js";

const ALERTS = `subscription Alerts($after: String) { deadlineAlerts(after: $after) { cursor kind at detail } }`;

/** What one alert says, in words, and the page it leads to. */
function entry(alert, names) {
  const detail = alert.detail ?? {};
  const [type, id] = String(detail.target ?? "").split(":");
  const unit = detail.departmentCode ? names.get(detail.departmentCode) ?? detail.departmentCode : null;
  const what = detail.kind === "ESCALATED"
    ? t("window.alerts.escalated", { reason: detail.reason ?? "" })
    : t("window.alerts.missed", { step: t(`window.alerts.step.${detail.step}`),
      time: formatDateTime(detail.dueAt) });
  const subject = type === "appeal"
    ? h("a", { href: `#/appeal/${encodeURIComponent(id)}` }, t("window.alerts.appeal", { id, title: detail.title ?? "" }))
    : t("window.alerts.evaluation", { id, rating: detail.rating ?? "" });
  return h("li", { class: "alert-entry" },
    h("strong", { class: `tag ${detail.kind === "ESCALATED" ? "tag--warning" : "tag--error"}` },
      t(`window.alerts.kind.${detail.kind === "ESCALATED" ? "escalated" : "missed"}`)), " ",
    subject, " ", what,
    unit ? h("span", { class: "muted" }, ` · ${unit}`) : null,
    h("span", { class: "muted" }, ` · ${t("window.alerts.at", { time: formatDateTime(alert.at) })}`));
}

/** The alerts section and the function that stops following. */
export function followAlerts(staff) {
  const names = new Map(staff.departments.map((d) => [d.code, d.name]));
  const list = h("ol", { class: "alert-list" });
  const empty = h("p", { class: "alert-empty" }, t("window.alerts.none"));
  const liveLine = h("p", { class: "status-line live-status" });
  const stop = follow({
    query: ALERTS, field: "deadlineAlerts",
    onStatus: (state) => {
      liveLine.dataset.status = state;
      liveLine.textContent = t(`live.${state}`);
    },
    onEvent: (alert) => {
      empty.hidden = true;
      list.prepend(entry(alert, names));
    },
  });
  const section = h("section", { class: "panel alerts", "aria-labelledby": "alerts-heading" },
    h("h2", { id: "alerts-heading" }, t("window.alerts.title")),
    h("p", { class: "hint" }, t("window.alerts.lead")),
    liveLine, empty,
    // The log region wraps the list, so that the entries stay list items for a screen reader.
    h("div", { role: "log", "aria-live": "polite", "aria-labelledby": "alerts-heading" }, list));
  return { section, stop };
}
