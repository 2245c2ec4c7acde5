// The mobile and desktop client: a hash router, the shell (navigation, elder switch, offline notice)
// and the service worker. Each screen is a module under views/ whose default export renders it:
//   export default async function render({ main, params, query, navigate, session, setTitle, offline })
// and may return a function that is called when the screen is left (to stop a live subscription).
import { h, replace } from "../shared/dom.js";
import { apply as applyElderMode, bindElderSwitch, onElderModeChange } from "../shared/elder.js";
import { showProblem } from "../shared/errors.js";
import { currentSession, onSessionChange } from "../shared/session.js";
import { keepForOffline, logout, request } from "../shared/graphql.js";
import { currentRoute, navigate, routeParams, screens } from "../shared/router.js";
import { t } from "../shared/strings.js";

// [pattern, view module, who may open it: "anyone" | "signed-in" | "appeals" (an enterprise, or a citizen it
// authorised as its agent: see mayUseAppeals)]
const ROUTES = [
  [/^\/$/, "./views/bundles.js", "anyone"],
  [/^\/bundle\/(?<code>[^/]+)$/, "./views/bundle.js", "anyone"],
  [/^\/signin$/, "./views/signin.js", "anyone"],
  [/^\/signup$/, "./views/signup.js", "anyone"],
  [/^\/apply\/(?<code>[^/]+)(?:\/(?<step>[^/]+))?$/, "./views/apply.js", "signed-in"],
  [/^\/applications$/, "./views/applications.js", "signed-in"],
  [/^\/application\/(?<id>[^/]+)$/, "./views/application.js", "signed-in"],
  [/^\/application\/(?<id>[^/]+)\/submitted$/, "./views/application-submitted.js", "signed-in"],
  [/^\/lutong$/, "./views/lutong.js", "signed-in"],
  [/^\/appeals$/, "./views/appeals.js", "appeals"],
  [/^\/appeals\/new$/, "./views/appeal-new.js", "appeals"],
  [/^\/appeal\/(?<id>[^/]+)$/, "./views/appeal.js", "appeals"],
  [/^\/surveys$/, "./views/surveys.js", "signed-in"], // an enterprise's, or the enterprises its agent acts for
  [/^\/survey\/(?<id>[^/]+)$/, "./views/survey.js", "signed-in"],
  [/^\/figures$/, "./views/figures.js", "anyone"], // 公开数据: the zone's figures and the published surveys
  [/^\/survey-results$/, "./views/survey-results.js", "anyone"],
  [/^\/packs$/, "./views/packs.js", "signed-in"], // an enterprise's, or an agent's for its enterprises
  [/^\/pack\/(?<id>[^/]+)$/, "./views/pack.js", "signed-in"],
  [/^\/meetings$/, "./views/meetings.js", "appeals"],
  [/^\/device$/, "./views/device.js", "anyone"], // it sends the signed-out to sign in, keeping the code
  [/^\/account$/, "./views/account.js", "signed-in"],
];

const main = document.getElementById("main");
const nav = document.getElementById("site-nav");
const offlineNotice = document.getElementById("offline-notice");
const screen = screens();

/** Show or hide the offline notice; views call it with `true` when they show cached data. */
export function offline(showingCachedData = false) {
  const off = !navigator.onLine || showingCachedData;
  offlineNotice.hidden = !off;
  offlineNotice.textContent = off ? t("app.offline") : "";
}

function setTitle(title) {
  document.title = title ? `${title} - ${t("app.title")}` : `${t("app.title")} - ${t("app.tagline")}`;
}

const AGENT_GRANTS = "query AgentGrants { me { agents { revokedAt } } }";
let agentCheck = null; // { token, allowed: null (asking) | boolean, answer: Promise<boolean> }

/**
 * Whether the session may use the appeals zone: an enterprise, or a citizen with at least one active grant
 * (`me.agents`), asked once per session token. Unknown (offline, say) counts as no; the API decides anyway.
 */
function mayUseAppeals(session) {
  if (session.account.kind === "ENTERPRISE") return Promise.resolve(true);
  if (session.account.kind !== "CITIZEN") return Promise.resolve(false);
  // Offline the question could only fail (and say so in the console): it is asked when the app is back online.
  if (!navigator.onLine) return Promise.resolve(false);
  if (agentCheck?.token !== session.token) {
    const check = { token: session.token, allowed: null };
    check.answer = request(AGENT_GRANTS).then(({ me }) => (me?.agents ?? []).some((grant) => !grant.revokedAt))
      .catch(() => false).then((allowed) => {
        check.allowed = allowed;
        if (allowed && agentCheck === check) renderNav();
        return allowed;
      });
    agentCheck = check;
  }
  return agentCheck.answer;
}

function renderNav() {
  const session = currentSession();
  const links = [["#/", t("nav.bundles")], ["#/figures", t("nav.figures")]];
  if (session) {
    links.push(["#/applications", t("nav.applications")], ["#/lutong", t("nav.lutong")]);
    const agent = agentCheck?.token === session.token && agentCheck.allowed;
    if (session.account.kind === "ENTERPRISE" || agent) {
      links.push(["#/appeals", t("nav.appeals")], ["#/surveys", t("nav.surveys")], ["#/packs", t("packs.nav")],
        ["#/meetings", t("nav.meetings")]);
    } else mayUseAppeals(session);
    links.push(["#/account", t("account.page.title")]);
  }
  const { path } = currentRoute();
  const items = links.map(([href, label]) => h("li", {}, h("a", {
    href, "aria-current": href === `#${path}` ? "page" : null,
  }, label)));
  if (session) {
    items.push(h("li", { class: "site-nav__account" },
      h("span", { class: "site-nav__name" }, session.account.displayName),
      h("button", { type: "button", class: "link-button", onclick: signOut }, t("nav.signOut"))));
  } else {
    items.push(h("li", { class: "site-nav__account" },
      h("a", { href: "#/signin" }, t("nav.signIn")), h("a", { href: "#/signup" }, t("nav.signUp"))));
  }
  nav.setAttribute("aria-label", t("nav.main"));
  replace(nav, h("ul", {}, items));
}

async function signOut() {
  await logout();
  navigator.serviceWorker?.controller?.postMessage({ type: "forget-personal-data" });
  navigate("/");
}

async function render({ keepFocus = false } = {}) {
  const isCurrent = screen.start();
  const { path, query } = currentRoute();
  renderNav();
  offline();
  const match = ROUTES.map(([pattern, module, access]) => ({ found: pattern.exec(path), module, access }))
    .find(({ found }) => found);
  if (!match) {
    setTitle(t("app.notFound"));
    replace(main, h("h1", {}, t("app.notFound")), h("p", {}, h("a", { href: "#/" }, t("nav.home"))));
    main.focus();
    return;
  }
  const session = currentSession();
  if (match.access !== "anyone" && !session) {
    navigate("/signin", { next: path });
    return;
  }
  if (match.access === "appeals" && !await mayUseAppeals(session)) {
    if (isCurrent()) navigate("/");
    return;
  }
  replace(main, h("p", { class: "loading" }, t("app.loading")));
  try {
    const view = await import(match.module);
    const context = { main, params: routeParams(match.found), query, navigate, session, setTitle, offline };
    if (!await screen.show(view, context, isCurrent)) return;
  } catch (error) {
    if (!isCurrent()) return;
    setTitle(t("errors.title"));
    showProblem(main, error);
  }
  // Move the focus to the new screen's heading, so a screen reader announces the change.
  const heading = main.querySelector("h1");
  if (heading && !keepFocus) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

/** True when a form on the screen holds something the person entered or changed. */
function hasInput(container) {
  return [...container.querySelectorAll("input, textarea, select")].some((control) => {
    if (control.type === "radio" || control.type === "checkbox") return control.checked !== control.defaultChecked;
    if (control.tagName === "SELECT") return [...control.options].some((o) => o.selected !== o.defaultSelected);
    if (control.type === "file") return control.files.length > 0;
    return control.value !== control.defaultValue;
  });
}

applyElderMode();
bindElderSwitch(document.getElementById("elder-switch"));
document.getElementById("skip-link").textContent = t("app.skip");
document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
setTitle();
window.addEventListener("hashchange", render);
window.addEventListener("online", () => { offline(); renderNav(); }); // an agent's appeals link, asked now
window.addEventListener("offline", () => offline());
onSessionChange(renderNav);
onElderModeChange(() => {
  // The simpler wording shows at once, unless redrawing would lose what the person has typed.
  if (hasInput(main)) renderNav();
  else render({ keepFocus: true });
});
render();

if ("serviceWorker" in navigator) {
  // On the very first visit the page loads before the worker controls it, so the worker did not keep the
  // catalog or "my applications": once it takes over, it is given those queries again.
  navigator.serviceWorker.addEventListener("controllerchange", keepForOffline, { once: true });
  navigator.serviceWorker.register("/m/sw.js", { scope: "/m/" });
}
