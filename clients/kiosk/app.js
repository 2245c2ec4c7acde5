// The self-service kiosk (自助端) of a hall, at /kiosk/<hallCode>: touch-first, large type, elder mode as the hall
// sets it. Strangers use it one after another, so nothing personal outlives a person's visit: screens change with
// history.replaceState only (the back button never leads to a personal screen), and idleness or 结束办理 wipes
// everything (privacy.js). Each screen is a module under views/ whose default export renders it:
//   export default async function render({ main, hall, params, go, person, signIn, setTitle, notice })
import { h, replace } from "../shared/dom.js";
import { bindElderSwitch, setElderMode } from "../shared/elder.js";
import { showProblem } from "../shared/errors.js";
import { GraphQLFailure, logout, request } from "../shared/graphql.js";
import { currentSession, signedIn } from "../shared/session.js";
import { t } from "../shared/strings.js";
import { listenForScans } from "./scanner.js";
import { wipe, watchIdle } from "./privacy.js";

const SCREENS = {
  start: "./views/start.js",
  signin: "./views/signin.js",
  home: "./views/home.js",
  ticket: "./views/ticket.js",
  slip: "./views/slip.js",
  appointments: "./views/appointments.js",
  bundles: "./views/bundles.js",
  apply: "./views/apply.js",
  receipt: "./views/receipt.js",
  progress: "./views/progress.js",
};
// Screens that need the person signed in.
const PERSONAL = new Set(["home", "appointments", "apply", "receipt", "progress"]);

const HALLS = "query KioskHalls { halls { code name address kioskElderMode } }";
const SCAN_SIGN_IN = `mutation KioskScan($code: String!, $hall: String!) {
  signInWithLuTongCode(input: {code: $code, hallCode: $hall}) {
    __typename ... on AuthPayload { token expiresAt account { id kind displayName } } ... on UserError { code message }
  }
}`;

const main = document.getElementById("main");
const hallName = document.getElementById("hall-name");
const tools = document.getElementById("kiosk-tools");
const status = document.getElementById("kiosk-status");
const hallCode = decodeURIComponent(location.pathname.replace(/^\/kiosk\/?/, "").split("/")[0] ?? "");
const startUrl = hallCode ? `/kiosk/${encodeURIComponent(hallCode)}` : "/kiosk/";

// Everything about the person being served lives in this object and in the screen; the page is replaced at the end.
const state = { screen: "start", params: {}, person: null, hall: null };
let rendering = 0;

function setTitle(title) {
  document.title = title ? `${title} - ${t("kiosk.title")}` : t("kiosk.title");
}

/** A notice at the top of the screen (a failed scan, the network gone), or none. */
function notice(text) {
  replace(status, text ? h("p", { class: "kiosk-notice", role: "alert" }, text) : null);
}

function finish() {
  wipe(startUrl);
}

function renderTools() {
  const elder = h("button", { type: "button", class: "elder-switch" });
  bindElderSwitch(elder);
  const busy = state.person || state.screen !== "start";
  replace(tools, elder, busy ? h("button", { type: "button", class: "button kiosk-finish", onclick: finish },
    t("kiosk.finish")) : null);
}

/** Show `screen` in place of the current one (never a new history entry). */
async function go(screen, params = {}) {
  if (PERSONAL.has(screen) && !state.person) {
    state.next = { screen, params };
    screen = "signin";
  }
  state.screen = screen;
  state.params = params;
  history.replaceState(null, "", `${startUrl}#${screen}`);
  await render();
}

async function signIn(payload) {
  signedIn(payload);
  state.person = payload.account;
  const next = state.next ?? { screen: "home", params: {} };
  state.next = null;
  await go(next.screen, next.params);
}

async function scanned(code) {
  if (!state.hall) return;
  notice(t("kiosk.signIn.scanning"));
  try {
    const { signInWithLuTongCode: result } = await request(SCAN_SIGN_IN, { code, hall: state.hall.code });
    if (result.__typename !== "AuthPayload") {
      notice(t("kiosk.signIn.scanFailed", { message: result.message }));
      return;
    }
    notice(null);
    if (state.person) await logout();
    await signIn(result);
  } catch (error) {
    notice(error.offline ? t("kiosk.offline") : t("kiosk.signIn.scanFailed", { message: error.message }));
  }
}

async function render() {
  const ticket = ++rendering;
  renderTools();
  replace(main, h("p", { class: "loading" }, t("app.loading")));
  try {
    const view = await import(SCREENS[state.screen] ?? SCREENS.start);
    if (ticket !== rendering) return;
    await view.default({ main, hall: state.hall, params: state.params, go, person: state.person, signIn, setTitle,
      notice, finish });
  } catch (error) {
    if (ticket !== rendering) return;
    if (error instanceof GraphQLFailure && error.offline) notice(t("kiosk.offline"));
    showProblem(main, error);
  }
  if (ticket !== rendering) return;
  const target = main.querySelector("[data-autofocus]") ?? main.querySelector("h1");
  if (target) {
    if (target.tagName === "H1") target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }
}

function chooseHall(halls) {
  setTitle(t("kiosk.halls.title"));
  replace(main, h("h1", {}, t("kiosk.halls.title")), h("p", { class: "lead" }, t("kiosk.halls.lead")),
    h("ul", { class: "kiosk-grid" }, halls.map((hall) => h("li", {},
      h("a", { class: "kiosk-tile", href: `/kiosk/${encodeURIComponent(hall.code)}` },
        h("span", { class: "kiosk-tile__title" }, hall.name), h("span", {}, hall.address))))));
}

async function start() {
  const skip = document.getElementById("skip-link");
  skip.textContent = t("app.skip");
  skip.addEventListener("click", (event) => {
    event.preventDefault();  // a hash link would add a history entry
    main.focus();
  });
  setTitle();
  // A session left by a page that was closed without a wipe belongs to someone else: end it first.
  if (currentSession()) await logout();
  const { halls } = await request(HALLS);
  if (!hallCode) {
    chooseHall(halls);
    return;
  }
  state.hall = halls.find((hall) => hall.code === hallCode) ?? null;
  if (!state.hall) {
    setTitle(t("kiosk.hall.unknown"));
    replace(main, h("h1", {}, t("kiosk.hall.unknown")));
    return;
  }
  setElderMode(state.hall.kioskElderMode);
  hallName.textContent = state.hall.name;
  listenForScans(scanned);
  watchIdle({ active: () => Boolean(state.person) || state.screen !== "start", onIdle: finish });
  window.addEventListener("offline", () => notice(t("kiosk.offline")));
  window.addEventListener("online", () => notice(null));
  // Leaving the page (or the browser keeping it for "back") takes the person's screen with it.
  window.addEventListener("pagehide", () => {
    if (state.person) main.replaceChildren();
  });
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) location.replace(startUrl);
  });
  await go("start");
}

start().catch((error) => showProblem(main, error));
