// 叫号窗口: the clerk's counter. The ticket being served (call next, re-call, skip, finish), the live queue of the
// counter's categories (`queue` figures, refreshed on every call in the hall and every few seconds, since taking a
// ticket is not pushed) and the hall's calls as they happen (`hallCalls`). A person who comes back with the
// 受理编号 of an application the clerk filed for them (while their consent by scan stands) has its receipt found.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, isUserError, showProblem } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { t } from "../../shared/strings.js";
import { chooseCounter, servedTicket, serveTicket } from "../desk.js";
import { numberSearch } from "../number-search.js";
import { categoryNames } from "./counters.js";

const QUEUE_REFRESH_MS = 10000;
const CALLS_SHOWN = 8;
const TICKET = "id number hallCode status priority calledAt calls category { code name } counter { code }";
const QUEUE = `query Queue($hall: String!) {
  queue(hallCode: $hall) { categories { code name letter waiting counters expectedWaitMinutes } }
}`;
const CALL_NEXT = `mutation CallNext($counter: String!) {
  callNextTicket(counterCode: $counter) { ... on Ticket { ${TICKET} } ${USER_ERROR_FIELDS} }
}`;
const ACTIONS = {
  recall: ["recallTicket", `mutation Recall($id: ID!) { recallTicket(id: $id) { ... on Ticket { ${TICKET} } ${USER_ERROR_FIELDS} } }`],
  skip: ["skipTicket", `mutation Skip($id: ID!) { skipTicket(id: $id) { ... on Ticket { ${TICKET} } ${USER_ERROR_FIELDS} } }`],
  finish: ["finishTicket", `mutation Finish($id: ID!) { finishTicket(id: $id) { ... on Ticket { ${TICKET} } ${USER_ERROR_FIELDS} } }`],
};
const FIND_APPLICATION = `query FindApplication($number: String!) { application(number: $number) { id } }`;
const HALL_CALLS = `subscription HallCalls($hall: String!) { hallCalls(hallCode: $hall) { ${TICKET} } }`;

/** The expected wait of a category: none when nobody waits, unknown when no counter serves it. */
function waitText(category) {
  if (category.expectedWaitMinutes === null) return t("window.counter.noCounter");
  if (category.waiting === 0) return t("window.counter.noWait");
  return t("window.counter.minutes", { n: category.expectedWaitMinutes });
}

function findCounter(staff, code) {
  for (const hall of staff.halls) {
    const counter = hall.counters.find((c) => c.code === code);
    if (counter) return { hall, counter };
  }
  return null;
}

export default async function render({ main, params, navigate, staff, setTitle }) {
  const found = findCounter(staff, params.code);
  if (!found) {
    setTitle(t("window.counter.notYours.title"));
    replace(main, h("h1", {}, t("window.counter.notYours.title")),
      h("p", {}, t("window.counter.notYours.body", { code: params.code })),
      h("p", {}, h("a", { href: "#/counter" }, t("window.counter.choose"))));
    return undefined;
  }
  const { hall, counter } = found;
  chooseCounter(counter.code);
  const serves = new Set(counter.categories.map((c) => c.code));
  const title = t("window.counter.title", { code: counter.code });
  setTitle(title);

  const status = h("p", { class: "desk-status", role: "status", "aria-live": "polite" });
  const problem = h("div", { class: "desk-problem" });
  const serving = h("div", { class: "serving" });
  const queueBody = h("tbody");
  const queueNote = h("p", { class: "status-line" });
  const callsList = h("ol", { class: "hall-calls", "aria-labelledby": "calls-title", "aria-live": "polite",
    "aria-relevant": "additions" });
  const liveLine = h("p", { class: "status-line" });
  let ticket = servedTicket(counter.code);
  let busy = false;

  const say = (message) => {
    status.textContent = message;
  };

  function actionButton(label, onclick, { primary = false } = {}) {
    return h("button", { type: "button", class: primary ? "button" : "button button--secondary", onclick,
      disabled: busy }, label);
  }

  function drawServing() {
    if (!ticket) {
      replace(serving,
        h("p", { class: "serving__empty" }, t("window.counter.nobody")),
        h("div", { class: "actions" }, actionButton(t("window.counter.callNext"), callNext, { primary: true })));
      return;
    }
    replace(serving,
      h("p", { class: "serving__number", "aria-label": t("window.counter.numberLabel", { number: ticket.number }) },
        ticket.number),
      h("dl", { class: "summary-list" },
        h("dt", {}, t("window.counter.category")), h("dd", {}, ticket.category.name),
        h("dt", {}, t("window.counter.kind")), h("dd", {}, ticket.priority
          ? h("strong", { class: "tag tag--warning" }, t("window.counter.appointment"))
          : t("window.counter.walkIn")),
        h("dt", {}, t("window.counter.calledAt")), h("dd", {}, formatDateTime(ticket.calledAt)),
        h("dt", {}, t("window.counter.calls")), h("dd", {}, String(ticket.calls))),
      h("div", { class: "actions" },
        actionButton(t("window.counter.recall"), () => act("recall")),
        actionButton(t("window.counter.skip"), () => act("skip")),
        actionButton(t("window.counter.finish"), () => act("finish"), { primary: true })));
  }

  function setBusy(value) {
    busy = value;
    serving.querySelectorAll("button").forEach((button) => { button.disabled = value; });
  }

  function serve(next, message) {
    ticket = next && next.status === "CALLED" ? next : null;
    serveTicket(counter.code, ticket);
    drawServing();
    say(message);
  }

  async function run(document, variables, field, onDone) {
    setBusy(true);
    replace(problem);
    try {
      const result = (await request(document, variables))[field];
      if (isUserError(result)) {
        showProblem(problem, result);
        say(result.message);
      } else {
        onDone(result);
      }
    } catch (error) {
      showProblem(problem, error);
    }
    setBusy(false);
    refreshQueue();
  }

  function callNext() {
    return run(CALL_NEXT, { counter: counter.code }, "callNextTicket",
      (called) => serve(called, t("window.counter.called", { number: called.number })));
  }

  function act(action) {
    const [field, document] = ACTIONS[action];
    const number = ticket.number;
    return run(document, { id: ticket.id }, field,
      (result) => serve(result, t(`window.counter.${action}Done`, { number })));
  }

  async function refreshQueue() {
    try {
      const { queue } = await request(QUEUE, { hall: hall.code });
      const categories = [...(queue?.categories ?? [])].sort((a, b) => Number(serves.has(b.code)) - Number(serves.has(a.code)));
      replace(queueBody, categories.map((c) => h("tr", { class: serves.has(c.code) ? "queue__mine" : null },
        h("th", { scope: "row" }, `${c.letter} ${c.name}`, serves.has(c.code)
          ? h("span", { class: "tag tag--done queue__tag" }, t("window.counter.mine")) : null),
        h("td", {}, String(c.waiting)),
        h("td", {}, String(c.counters)),
        h("td", {}, waitText(c)))));
      replace(queueNote, t("window.counter.queueAt", { time: formatDateTime(new Date().toISOString()) }));
    } catch (error) {
      replace(queueNote, error.message);
    }
  }

  drawServing();
  replace(main,
    h("p", { class: "desk-caption" }, hall.name),
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.counter.serves", { categories: categoryNames(hall, counter) })),
    status,
    h("div", { class: "desk-grid" },
      h("section", { class: "panel", "aria-labelledby": "serving-title" },
        h("h2", { id: "serving-title" }, t("window.counter.serving")), problem, serving,
        h("p", {}, h("a", { href: "#/visit" }, t("window.counter.toVisit"))),
        h("h2", {}, t("window.search.label")),
        numberSearch({ kind: "B", navigate, notFound: "window.search.notFound.clerk",
          find: async (number) => {
            const { application } = await request(FIND_APPLICATION, { number });
            return application && `/visit/receipt/${encodeURIComponent(application.id)}`;
          } })),
      h("section", { class: "panel", "aria-labelledby": "queue-title" },
        h("h2", { id: "queue-title" }, t("window.counter.queue")),
        h("table", { class: "desk-table" },
          h("caption", { class: "visually-hidden" }, t("window.counter.queue")),
          h("thead", {}, h("tr", {},
            h("th", { scope: "col" }, t("window.counter.category")),
            h("th", { scope: "col" }, t("window.counter.waiting")),
            h("th", { scope: "col" }, t("window.counter.counters")),
            h("th", { scope: "col" }, t("window.counter.expectedWait")))),
          queueBody),
        queueNote,
        h("h2", { id: "calls-title" }, t("window.counter.hallCalls")), liveLine, callsList),
    ),
    h("p", {}, h("a", { href: "#/counter" }, t("window.counter.change"))));

  await refreshQueue();
  const timer = setInterval(refreshQueue, QUEUE_REFRESH_MS);
  const stop = follow({
    query: HALL_CALLS, variables: { hall: hall.code }, field: "hallCalls",
    onStatus: (state) => replace(liveLine, t(`live.${state}`)),
    onEvent: (called) => {
      callsList.prepend(h("li", {}, t("window.counter.callLine", {
        number: called.number, counter: called.counter?.code ?? "", category: called.category.name,
        time: formatDateTime(called.calledAt),
      })));
      while (callsList.children.length > CALLS_SHOWN) callsList.lastElementChild.remove();
      refreshQueue();
    },
  });
  return () => {
    clearInterval(timer);
    stop();
  };
}
