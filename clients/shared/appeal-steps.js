// The 2115 steps of an appeal as every terminal shows them: the status tag, what is due next, and the timeline of
// receipt, contact, opinion and resolution with deadlines and on-time marks (state said in words, not by colour).
import { formatDateTime, h } from "./dom.js";
import { t } from "./strings.js";
import { contactTime, gradeTag } from "./appeal-clocks.js";

const STATUS_TAGS = {
  RETURNED: "tag--warning", RESOLVED: "tag--warning", CLOSED: "tag--done",
};

export function statusTag(status) {
  return h("span", { class: `tag ${STATUS_TAGS[status] ?? ""}` }, t(`appeals.status.${status}`));
}

// The 2115 step each open status waits for: its deadline in `sla` and its verdict in `onTime`.
const WAITING_FOR = {
  ASSIGNED: ["contactBy", "contact"], CONTACTED: ["opinionBy", "opinion"], OPINION_GIVEN: ["resolveBy", "resolve"],
};

/** What happens next, in words, and whether that step is already overdue. */
export function nextStep(appeal) {
  const waiting = WAITING_FOR[appeal.status];
  if (waiting && appeal.sla) {
    const [deadline, step] = waiting;
    return {
      text: t(`appeals.next.${appeal.status}`, { time: formatDateTime(appeal.sla[deadline]) }),
      overdue: appeal.onTime[step] === false,
    };
  }
  return { text: t(`appeals.next.${appeal.status}`, { time: formatDateTime(appeal.resolvedAt) }), overdue: false };
}

// The 2115 steps after receipt: the deadline in `sla`, the time it was done, its verdict in `onTime`, and the
// text the undertaking unit wrote for it.
const SLA_STEPS = [
  { key: "contact", deadline: "contactBy", doneAt: "contactedAt" },
  { key: "opinion", deadline: "opinionBy", doneAt: "opinionAt", text: "opinion", textKey: "appeals.step.opinionText" },
  { key: "resolve", deadline: "resolveBy", doneAt: "resolvedAt", text: "summary", textKey: "appeals.step.summaryText" },
];
const CLOCK_STOPPED = ["RESOLVED", "CLOSED", "MERGED"];

/** onTime | late | overdue | running | notStarted: the state of a 2115 step, in words and as a tag. */
function stepState(appeal, step, current) {
  const verdict = appeal.onTime[step.key];
  if (appeal[step.doneAt]) {
    return verdict === false ? ["late", "tag--warning"] : ["onTime", "tag--done"];
  }
  if (verdict === false) return ["overdue", "tag--error"];
  return current ? ["running", ""] : ["notStarted", ""];
}

/** The rule of each step in words, from the appeal's clock (see appeal-clocks.js appealClock). */
function rules(clock) {
  return {
    received: t("appeals.step.received.rule", { clock: clock.name }),
    contact: t("appeals.step.contact.rule", { contact: contactTime(clock.contactMinutes,
      { minutes: "appeals.step.minutes", hours: "appeals.step.hours" }) }),
    opinion: t("appeals.step.opinion.rule", { days: clock.opinionDays }),
    resolve: t("appeals.step.resolve.rule", { days: clock.resolveDays }),
  };
}

/** The steps of `appeal` with the rules of `clock` (its grade's, or 2115). */
/** 即时答复: a consultation the 96178 seat answered on the call and closed with the caller's consent has one step. */
function answeredOnTheSpot(appeal) {
  return h("ol", { class: "timeline" }, h("li", { class: "timeline__step timeline__step--onTime" },
    h("h3", {}, t("appeals.step.onTheSpot")),
    h("p", { class: "muted" }, t("appeals.step.onTheSpot.rule")),
    h("p", {}, t("appeals.step.doneAt", { time: formatDateTime(appeal.resolvedAt) })),
    h("span", { class: "tag tag--done" }, t("appeals.step.done")),
    h("p", { class: "timeline__text" }, t("appeals.step.answerText", { text: appeal.opinion }))));
}

export function timeline(appeal, departments, clock) {
  if (appeal.answeredOnTheSpot) return answeredOnTheSpot(appeal);
  const rule = rules(clock);
  const received = h("li", { class: `timeline__step timeline__step--${appeal.receivedAt ? "done" : "waiting"}` },
    h("h3", {}, t("appeals.step.received")),
    h("p", { class: "muted" }, rule.received),
    appeal.receivedAt ? [
      h("p", {}, t("appeals.step.department", {
        name: departments.get(appeal.departmentCode) ?? appeal.departmentCode,
      })),
      h("p", {}, t("appeals.step.receivedAt", { time: formatDateTime(appeal.receivedAt) })),
      h("span", { class: "tag tag--done" }, t("appeals.step.done")),
    ] : h("span", { class: "tag" }, t("appeals.step.waiting")));
  const clockRuns = appeal.sla && !CLOCK_STOPPED.includes(appeal.status);
  const current = clockRuns ? SLA_STEPS.find((step) => !appeal[step.doneAt]) : null;
  const steps = SLA_STEPS.map((step) => {
    const [state, tag] = stepState(appeal, step, step === current);
    // After an unsatisfied confirmation the old summary stays in the record; it is shown only while it stands.
    const text = step.text && appeal[step.doneAt] && appeal[step.text];
    return h("li", {
      class: `timeline__step timeline__step--${state}`, "aria-current": step === current ? "step" : null,
    },
      h("h3", {}, t(`appeals.step.${step.key}`)),
      h("p", { class: "muted" }, rule[step.key]),
      appeal.sla ? h("p", {}, t("appeals.step.deadline", { time: formatDateTime(appeal.sla[step.deadline]) })) : null,
      appeal[step.doneAt] ? h("p", {}, t("appeals.step.doneAt", { time: formatDateTime(appeal[step.doneAt]) })) : null,
      h("span", { class: `tag ${tag}` }, t(`appeals.step.${state}`)),
      text ? h("p", { class: "timeline__text" }, t(step.textKey, { text })) : null);
  });
  return h("ol", { class: "timeline" }, received, steps);
}

/** Things that change how the 2115 clock reads: a provisional calendar, a return, an escalation, a reopening, an
 * answer on the spot (and the policy it cited). */
export function notices(appeal) {
  const items = [
    appeal.sla?.provisional ? t("appeals.detail.provisional") : null,
    appeal.status === "RETURNED" && appeal.returnReason
      ? t("appeals.detail.returned", { reason: appeal.returnReason }) : null,
    appeal.escalatedAt ? t("appeals.detail.escalated", { time: formatDateTime(appeal.escalatedAt) }) : null,
    appeal.reopened ? t("appeals.detail.reopened", { n: appeal.reopened }) : null,
    appeal.status === "MERGED" ? t("appeals.detail.merged") : null,
    appeal.answeredOnTheSpot ? t("appeals.detail.onTheSpot") : null,
    appeal.knowledgeCitation ? t("appeals.detail.citedBasis", { basis: appeal.knowledgeCitation.version.basis.title,
      number: appeal.knowledgeCitation.version.number }) : null,
  ].filter(Boolean);
  return items.map((text) => h("p", { class: "notice" }, text));
}

/** The facts of an appeal; `clock` the one it runs on (its name is said once the appeal is routed). */
export function facts(appeal, departments, clock) {
  const rows = [
    [t("appeals.detail.status"), statusTag(appeal.status)],
    [t("appeals.detail.number"), appeal.number],
    [t("appeals.detail.grade"), gradeTag(appeal)],
    [t("appeals.detail.clock"), clock.name],
    [t("appeals.detail.channel"), t(`appeals.channel.${appeal.channel}`)],
    [t("appeals.detail.category"), t(`appeals.category.${appeal.category}`)],
    [t("appeals.detail.filedAt"), formatDateTime(appeal.createdAt)],
    [t("appeals.detail.enterprise"), appeal.enterpriseName],
    [t("appeals.detail.creditCode"), appeal.maskedCreditCode],
    [t("appeals.detail.department"), appeal.departmentCode
      ? departments.get(appeal.departmentCode) ?? appeal.departmentCode : t("appeals.detail.departmentPending")],
  ];
  return h("dl", { class: "summary-list" }, rows.filter(Boolean)
    .map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}
