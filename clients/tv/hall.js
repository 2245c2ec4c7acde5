// 大厅叫号屏 (/tv/hall/<hallCode>): public, no sign-in. The calls of the hall as they happen (hallCalls), large,
// with the last calls, and each category's waiting count and expected wait (refreshed after each call and every
// 30 s). Optionally spoken (Web Speech API, zh-CN) with a visible switch. The shared live.js reconnects by itself
// after a network drop or a server restart; a call already shown (same ticket, same call time) is never shown or
// spoken again as new.
import { formatDateTime, h, replace } from "../shared/dom.js";
import { request } from "../shared/graphql.js";
import { follow } from "../shared/live.js";
import { t } from "../shared/strings.js";
import { focusFirst } from "./focus.js";

const HALL = `query TvHall { halls { code name } }`;
const QUEUE = `query TvHallQueue($hall: String!) {
  queue(hallCode: $hall) { categories { code name letter waiting counters expectedWaitMinutes } }
}`;
const CALLS = `subscription TvHallCalls($hall: String!) {
  hallCalls(hallCode: $hall) { id number calledAt category { name } counter { code } }
}`;
const QUEUE_REFRESH_MS = 30000;
const RECENT_SHOWN = 6;
const SPEECH_KEY = "portal.tv.hall.speech";

/** "JNSMZX-05" → "5" (the number on the counter's sign); a code without a number as it is. */
export function counterNumber(code) {
  const found = /-0*(\d+)$/.exec(code ?? "");
  return found ? found[1] : code ?? "";
}

function callText(call) {
  const number = counterNumber(call.counter?.code);
  return /^\d+$/.test(number) ? t("tv.hall.call", { number: call.number, counter: number })
    : t("tv.hall.callWindow", { number: call.number, counter: number });
}

function speak(call) {
  if (!("speechSynthesis" in window)) return;
  const utterance = new SpeechSynthesisUtterance(t("tv.hall.say", {
    number: call.number.split("").join(" "), counter: counterNumber(call.counter?.code) }));
  utterance.lang = "zh-CN";
  window.speechSynthesis.speak(utterance);
}

/** The hall screen of `hallCode` in `main`, for as long as the page is open. */
export default async function showHall(main, hallCode) {
  const { halls } = await request(HALL);
  const hall = halls.find((x) => x.code === hallCode);
  if (!hall) {
    document.title = t("tv.hall.notFound");
    replace(main, h("h1", {}, t("tv.hall.notFound")));
    return;
  }
  document.title = `${hall.name} ${t("tv.hall.title")}`;

  const seen = new Set(); // ticket id + call time of every call shown
  const recent = [];
  const now = h("p", { class: "hall-now", id: "hall-now", role: "status", "aria-live": "assertive" }, t("tv.hall.noCalls"));
  const nowCategory = h("p", { class: "hall-now__category" });
  const recentList = h("ol", { class: "hall-recent", id: "hall-recent" });
  const queueBody = h("tbody", { id: "hall-queue" });
  const updated = h("p", { class: "tv-meta" });
  const liveLine = h("p", { class: "tv-live", id: "hall-live", "data-state": "connecting" }, t("live.connecting"));
  const speechAvailable = "speechSynthesis" in window;
  let speech = speechAvailable && localStorage.getItem(SPEECH_KEY) === "on";
  const speechButton = h("button", { type: "button", class: "tv-button", id: "speech-switch",
    "aria-pressed": String(speech), disabled: !speechAvailable,
    onclick: () => {
      speech = !speech;
      localStorage.setItem(SPEECH_KEY, speech ? "on" : "off");
      drawSpeech();
    } });
  const drawSpeech = () => {
    speechButton.textContent = speechAvailable ? t(speech ? "tv.hall.speechOn" : "tv.hall.speechOff")
      : t("tv.hall.speechUnavailable");
    speechButton.setAttribute("aria-pressed", String(speech));
  };

  let refreshing = null;
  const refreshQueue = () => {
    refreshing ??= request(QUEUE, { hall: hall.code }).then(({ queue }) => {
      replace(queueBody, (queue?.categories ?? []).map((c) => h("tr", {},
        h("th", { scope: "row" }, `${c.letter} ${c.name}`),
        h("td", {}, String(c.waiting)),
        h("td", {}, c.waiting && c.expectedWaitMinutes ? t("tv.hall.minutes", { minutes: c.expectedWaitMinutes })
          : t("tv.hall.noWait")))));
      replace(updated, t("tv.hall.updated", { time: formatDateTime(new Date().toISOString()) }));
    }).catch(() => { /* kept as shown; the next refresh tries again */ }).finally(() => { refreshing = null; });
  };

  const called = (call) => {
    const key = `${call.id}@${call.calledAt}`;
    if (seen.has(key)) return; // an old call delivered again: not news
    seen.add(key);
    replace(now, callText(call));
    replace(nowCategory, call.category.name);
    recent.unshift(call);
    recent.splice(RECENT_SHOWN);
    replace(recentList, recent.map((c) => h("li", {}, h("span", { class: "hall-recent__number" }, c.number),
      h("span", {}, t("tv.hall.recentCounter", { counter: counterNumber(c.counter?.code) })),
      h("span", { class: "hall-recent__category" }, c.category.name))));
    if (speech) speak(call);
    refreshQueue();
  };

  drawSpeech();
  replace(main,
    h("header", { class: "hall-header" }, h("h1", {}, hall.name, " ", t("tv.hall.title")), liveLine),
    h("div", { class: "hall-grid" },
      h("section", { class: "hall-panel hall-panel--now", "aria-labelledby": "now-title" },
        h("h2", { id: "now-title" }, t("tv.hall.now")), now, nowCategory),
      h("section", { class: "hall-panel", "aria-labelledby": "recent-title" },
        h("h2", { id: "recent-title" }, t("tv.hall.recent")), recentList),
      h("section", { class: "hall-panel hall-panel--queue", "aria-labelledby": "queue-title" },
        h("h2", { id: "queue-title" }, t("tv.hall.queue")),
        h("table", { class: "hall-table" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("tv.hall.category")),
            h("th", { scope: "col" }, t("tv.hall.waiting")), h("th", { scope: "col" }, t("tv.hall.expected")))),
          queueBody),
        updated)),
    h("p", { class: "hall-footer" }, speechButton));
  refreshQueue();
  setInterval(refreshQueue, QUEUE_REFRESH_MS);
  follow({
    query: CALLS, variables: { hall: hall.code }, field: "hallCalls", onEvent: called,
    onStatus: (state) => {
      liveLine.dataset.state = state;
      replace(liveLine, t(`live.${state}`));
      if (state === "live") refreshQueue(); // after a reconnect: the figures may have moved meanwhile
    },
  });
  focusFirst(main);
}
