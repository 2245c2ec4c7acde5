// The clock of each grade of appeal (分级: 特急, 紧急, 一般; 分类: 投诉, 咨询, 建议, 举报) as the API gives it
// (`appealClocks`, data in portal/appeals/data/clocks.yaml): which one an appeal runs on, and how it reads,
// e.g. "特急：30分钟内联系，5个工作日内办结".
import { h } from "./dom.js";
import { t } from "./strings.js";

/** The selection of `appealClocks` every screen asks for. */
export const CLOCK_FIELDS = "urgency kind name contactMinutes opinionDays resolveDays";

// 2115: what appeals routed before grades had clocks ran on (their `sla.clockName` is empty).
const CLOCK_2115 = { name: "2115", contactMinutes: 120, opinionDays: 1, resolveDays: 15 };

/** The clock of a grade: the entry of the urgency and kind, else the urgency's entry for every kind. */
export function clockOf(clocks, urgency, kind) {
  return clocks.find((c) => c.urgency === urgency && c.kind === kind)
    ?? clocks.find((c) => c.urgency === urgency && !c.kind) ?? null;
}

/** The clock an appeal runs on: the one it was given when routed (by name), else its grade's; 2115 for old ones. */
export function appealClock(clocks, appeal) {
  if (appeal.sla) {
    if (!appeal.sla.clockName) return CLOCK_2115;
    const given = clocks.find((c) => c.name === appeal.sla.clockName);
    if (given) return given;
  }
  return clockOf(clocks, appeal.urgency, appeal.kind) ?? CLOCK_2115;
}

/** "30分钟" or "2小时": the contact time limit in words. */
export function contactTime(minutes, keys = { minutes: "appeals.clock.minutes", hours: "appeals.clock.hours" }) {
  return minutes % 60 ? t(keys.minutes, { n: minutes }) : t(keys.hours, { n: minutes / 60 });
}

/** "30分钟内联系，5个工作日内办结", with the clock's name in front when `named`. */
export function clockText(clock, { named = true } = {}) {
  const params = { name: clock.name, contact: contactTime(clock.contactMinutes), days: clock.resolveDays };
  return t(named ? "appeals.clock.text" : "appeals.clock.terms", params);
}

/** The grade as a tag: 特急 stands out (in words first: the grade's name is the text). */
export function gradeTag(appeal) {
  return h("span", { class: `tag grade-tag${appeal.urgency === "URGENT" ? " tag--error grade-tag--urgent" : ""}` },
    appeal.gradeName);
}

/** The grade of an appeal in a worklist: its tag and the clock it runs on (or will, once routed). */
export function gradeCell(appeal, clocks) {
  return [gradeTag(appeal), " ", h("span", { class: "muted grade-clock-name" }, appealClock(clocks, appeal).name)];
}
