// The 2115 clock on the workbench: the next deadline an open appeal waits for (contact, opinion, resolve) and a
// countdown to it that ticks every second. An overdue step says so in words ("已超时 …" and a tag), never by
// colour alone. The countdown is not a live region: a screen reader would otherwise hear it every second.
import { formatDateTime, h } from "../shared/dom.js";
import { t } from "../shared/strings.js";

// The step each state waits for (as the deadline sweep counts them: a returned appeal's contact clock runs on).
const WAITING_FOR = {
  ASSIGNED: ["contact", "contactBy"], RETURNED: ["contact", "contactBy"],
  CONTACTED: ["opinion", "opinionBy"], OPINION_GIVEN: ["resolve", "resolveBy"],
};

/** The step an appeal waits for and its deadline ({step, at}), or null when no 2115 clock runs. */
export function nextDeadline(appeal) {
  const waiting = WAITING_FOR[appeal.status];
  if (!waiting || !appeal.sla) return null;
  const [step, deadline] = waiting;
  return { step, at: appeal.sla[deadline] };
}

/** A span of time in words, largest units first: 2天3小时, 1小时59分, 4分12秒. */
export function duration(milliseconds) {
  const seconds = Math.floor(Math.abs(milliseconds) / 1000);
  const [days, hours, minutes, rest] = [Math.floor(seconds / 86400), Math.floor(seconds / 3600) % 24,
    Math.floor(seconds / 60) % 60, seconds % 60];
  if (days) return t("window.clock.daysHours", { d: days, h: hours });
  if (hours) return t("window.clock.hoursMinutes", { h: hours, m: minutes });
  return t("window.clock.minutesSeconds", { m: minutes, s: rest });
}

function show(element, now) {
  const left = new Date(element.dataset.deadline).getTime() - now;
  const step = t(`appeals.step.${element.dataset.step}`);
  const overdue = left < 0;
  element.querySelector(".clock__text").textContent = overdue
    ? t("window.clock.overdue", { step, time: duration(left) }) : t("window.clock.left", { step, time: duration(left) });
  element.querySelector(".clock__tag").hidden = !overdue;
  element.classList.toggle("clock--overdue", overdue);
}

/** The countdown to an appeal's next deadline (or a dash when no clock runs); `tick` keeps it current. */
export function clock(appeal) {
  const next = nextDeadline(appeal);
  if (!next) return h("span", { class: "clock clock--stopped" }, t("window.clock.none"));
  const element = h("span", { class: "clock", dataset: { deadline: next.at, step: next.step } },
    h("strong", { class: "tag tag--error clock__tag", hidden: true }, t("appeals.overdue")), " ",
    h("span", { class: "clock__text" }), " ",
    h("time", { class: "clock__at", datetime: next.at }, t("window.clock.due", { time: formatDateTime(next.at) })));
  show(element, Date.now());
  return element;
}

/** Update every countdown under `root` each second; returns the function that stops it. */
export function tick(root) {
  const timer = setInterval(() => {
    const now = Date.now();
    root.querySelectorAll(".clock[data-deadline]").forEach((element) => show(element, now));
  }, 1000);
  return () => clearInterval(timer);
}
