// The TV terminal (电视端): a ten-foot client driven by the remote (focus.js). Each screen is a module under views/
// whose default export renders it, as on the other terminals:
//   export default async function render({ main, params, query, navigate, session, setTitle })
// and may return a function called when the screen is left (to stop a live subscription). Back goes to the
// route's parent screen; no screen needs typing.
import { h, replace } from "../shared/dom.js";
import { showProblem } from "../shared/errors.js";
import { currentSession, onSessionChange } from "../shared/session.js";
import { currentRoute, navigate, routeParams, screens } from "../shared/router.js";
import { t } from "../shared/strings.js";
import { focusFirst, remote } from "./focus.js";

// [pattern, view module, the screen Back leads to (null: none; a function of the route's parts), signed in only]
const ROUTES = [
  [/^\/$/, "./views/home.js", null, false],
  [/^\/signin$/, "./views/signin.js", "/", false],
  [/^\/catalog$/, "./views/catalog.js", "/", false],
  [/^\/figures$/, "./views/figures.js", "/", false], // 公开数据: public, as on a hall's screen
  [/^\/bundle\/(?<code>[^/]+)$/, "./views/bundle.js", "/catalog", false],
  [/^\/applications$/, "./views/applications.js", "/", true],
  [/^\/application\/(?<id>[^/]+)$/, "./views/application.js", "/applications", true],
  [/^\/appointment(?:\/(?<hall>[^/]+))?(?:\/(?<category>[^/]+))?$/, "./views/appointment.js",
    ({ hall, category }) => (category ? `/appointment/${hall}` : hall ? "/appointment" : "/"), true],
];

const main = document.getElementById("main");
const screen = screens();

function setTitle(title) {
  document.title = title ? `${title} - ${t("tv.title")}` : t("tv.title");
}

function showAccount() {
  const session = currentSession();
  document.getElementById("tv-account").textContent = session
    ? t("tv.home.greeting", { name: session.account.displayName }) : "";
}

function matched(path) {
  return ROUTES.map(([pattern, module, parent, signedIn]) => ({ found: pattern.exec(path), module, parent, signedIn }))
    .find(({ found }) => found);
}

function back() {
  const route = matched(currentRoute().path);
  const parent = !route ? "/" : typeof route.parent === "function" ? route.parent(route.found.groups) : route.parent;
  if (parent !== null) navigate(parent);
}

async function render() {
  const isCurrent = screen.start();
  const { path, query } = currentRoute();
  const match = matched(path);
  if (!match) {
    navigate("/");
    return;
  }
  const session = currentSession();
  if (match.signedIn && !session) {
    navigate("/signin");
    return;
  }
  replace(main, h("p", { class: "loading" }, t("app.loading")));
  try {
    const view = await import(match.module);
    if (!await screen.show(view, { main, params: routeParams(match.found), query, navigate, session, setTitle },
      isCurrent)) return;
  } catch (error) {
    if (!isCurrent()) return;
    setTitle(t("errors.title"));
    showProblem(main, error);
    main.append(h("p", {}, h("a", { href: "#/", class: "tv-button" }, t("tv.back"))));
  }
  focusFirst(main);
}

// /tv/hall/<hallCode>: the hall's calling screen (hall.js), public, instead of the person's screens.
const hall = /^\/tv\/hall\/([^/]+)\/?$/.exec(location.pathname);
document.getElementById("keys-hint").textContent = t("tv.keysHint");
document.getElementById("brand-name").textContent = t("tv.title");
if (hall) {
  document.body.classList.add("tv--hall");
  import("./hall.js").then((screen) => screen.default(main, decodeURIComponent(hall[1])));
  remote({ onBack: () => {}, root: document });
} else {
  setTitle();
  showAccount();
  onSessionChange((session) => {
    showAccount();
    // Signed out (from the phone, or the session lapsed): a screen of the person's own data closes.
    if (!session && matched(currentRoute().path)?.signedIn) navigate("/signin");
  });
  window.addEventListener("hashchange", render);
  remote({ onBack: back, root: document });
  render();
}
