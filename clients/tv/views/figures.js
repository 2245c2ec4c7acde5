// 公开数据 on the TV (at home, or a hall's screen): the public figures of the enterprise appeals zone of the last
// 12 months, for the province or a city (chips). 调度: each month is a bar the remote moves along with the arrow keys;
// the focused month's figures, its governor's mailbox letters (省长信箱) among them, are written beside the bars.
// Nothing names an enterprise.
import { PROVINCE, figureRegions, lastTwelveMonths, monthName, shown } from "../../shared/appeal-figures.js";
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const STATS = "received complaintsPer10k resolutionRate satisfactionRate contactOnTimeRate resolveOnTimeRate "
  + "resolvedAtFirstContact firstContactRate";
const FIGURES = `query TvFigures($region: String!, $from: Date!, $to: Date!) {
  appealStats(regionCode: $region, from: $from, to: $to) { ${STATS} }
  appealStatsMonthly(regionCode: $region, from: $from, to: $to) { month stats { ${STATS} } }
  mailboxMonthly: appealStatsMonthly(regionCode: $region, from: $from, to: $to, channel: MAILBOX) {
    month stats { received } }
}`;
const TOTALS = ["received", "complaintsPer10k", "resolutionRate", "satisfactionRate", "firstContactRate"];
const MONTH = ["received", "resolutionRate", "satisfactionRate", "contactOnTimeRate", "resolveOnTimeRate",
  "resolvedAtFirstContact"];

function facts(keys, stats, extra = []) {
  return h("dl", { class: "tv-figures__facts" }, keys.map((key) => h("div", {},
    h("dt", {}, t(`figures.${key}`)), h("dd", { dataset: { figure: key } }, shown(key, stats[key])))), extra);
}

export default async function render({ main, query, navigate, setTitle }) {
  const regions = await figureRegions();
  const region = regions.find((choice) => choice.code === query.region) ?? regions.find((r) => r.code === PROVINCE);
  const period = lastTwelveMonths();
  setTitle(t("tv.figures.title"));
  const figures = await request(FIGURES, { region: region.code, ...period });
  const letters = new Map(figures.mailboxMonthly.map((m) => [m.month, m.stats.received]));
  const most = Math.max(1, ...figures.appealStatsMonthly.map((m) => m.stats.received));
  const detail = h("section", { class: "tv-figures__month", id: "tv-month", "aria-live": "polite" });
  const showMonth = (m) => replace(detail,
    h("h2", { class: "tv-subtitle" }, monthName(m.month)),
    facts(MONTH, m.stats, h("div", {}, h("dt", {}, t("tv.figures.letters")),
      h("dd", { dataset: { figure: "mailbox" } }, String(letters.get(m.month) ?? 0)))));
  const months = figures.appealStatsMonthly;
  const chip = (choice) => h("li", {}, h("button", {
    type: "button", class: "tv-chip", "aria-pressed": String(choice.code === region.code),
    onclick: () => navigate("/figures", choice.code === PROVINCE ? {} : { region: choice.code }),
  }, choice.name));
  const bar = (m, index) => h("li", {}, h("button", {
    type: "button", class: "tv-bar", dataset: { month: m.month }, "data-autofocus": index === months.length - 1,
    onfocus: () => showMonth(m),
  },
  h("span", { class: "tv-bar__track", "aria-hidden": "true" },
    h("span", { class: "tv-bar__fill", style: `height: ${(m.stats.received / most) * 100}%` })),
  h("span", { class: "tv-bar__count" }, t("tv.figures.count", { n: m.stats.received })),
  h("span", { class: "tv-bar__month" }, t("tv.figures.monthShort", { month: Number(m.month.slice(5, 7)) }),
    h("span", { class: "visually-hidden" }, monthName(m.month)))));
  showMonth(months[months.length - 1]);
  replace(main,
    h("h1", {}, t("tv.figures.heading", { region: region.name })),
    h("p", { class: "tv-lead" }, t("tv.figures.lead", period)),
    h("nav", { "aria-label": t("tv.figures.regions") }, h("ul", { class: "tv-chips" }, regions.map(chip))),
    h("section", { "aria-labelledby": "tv-totals" },
      h("h2", { class: "tv-subtitle", id: "tv-totals" }, t("tv.figures.totals")),
      facts(TOTALS, figures.appealStats)),
    h("div", { class: "tv-figures" },
      h("section", { "aria-labelledby": "tv-months" },
        h("h2", { class: "tv-subtitle", id: "tv-months" }, t("tv.figures.months")),
        h("ol", { class: "tv-bars" }, months.map(bar))),
      detail));
}
