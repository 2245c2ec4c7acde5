// The window terminal (窗口端) and staff workbench: one sign-in page, then the screens of the signed-in staff
// member's role (TERMINALS.md). A hash router like the mobile client's; each screen is a module under views/
// whose default export renders it:
//   export default async function render({ main, params, query, navigate, staff, setTitle })
// and may return a function that is called when the screen is left (to stop a live subscription).
import { h, replace } from "../shared/dom.js";
import { showProblem } from "../shared/errors.js";
import { logout, request } from "../shared/graphql.js";
import { currentSession, onSessionChange } from "../shared/session.js";
import { currentRoute, navigate, routeParams, screens } from "../shared/router.js";
import { t } from "../shared/strings.js";
import { forgetDesk } from "./desk.js";

// [pattern, view module, the roles that may open it ("anyone": also signed out)]
const ROUTES = [
  [/^\/signin$/, "./views/signin.js", "anyone"],
  [/^\/$/, "./views/home.js", "staff"],
  [/^\/counter$/, "./views/counters.js", ["WINDOW_CLERK"]],
  [/^\/counter\/(?<code>[^/]+)$/, "./views/counter.js", ["WINDOW_CLERK"]],
  [/^\/visit$/, "./views/visit.js", ["WINDOW_CLERK"]],
  [/^\/visit\/apply\/(?<code>[^/]+)$/, "./views/visit-apply.js", ["WINDOW_CLERK"]],
  [/^\/visit\/receipt\/(?<id>[^/]+)$/, "./views/receipt.js", ["WINDOW_CLERK"]],
  [/^\/scan$/, "./views/scan.js", ["SCENE_OPERATOR"]],
  [/^\/check-in$/, "./views/check-in.js", ["SCENE_OPERATOR"]],
  [/^\/tasks$/, "./views/tasks.js", ["DEPARTMENT_HANDLER"]],
  [/^\/task\/(?<application>[^/]+)\/(?<task>[^/]+)$/, "./views/task.js", ["DEPARTMENT_HANDLER"]],
  [/^\/appeals$/, "./views/appeals-route.js", ["APPEALS_COORDINATOR"]],
  [/^\/appeals\/new$/, "./views/appeal-record.js", ["APPEALS_COORDINATOR"]],
  [/^\/unit-appeals$/, "./views/unit-appeals.js", ["DEPARTMENT_HANDLER"]],
  [/^\/appeal\/(?<id>[^/]+)$/, "./views/appeal.js", ["APPEALS_COORDINATOR", "DEPARTMENT_HANDLER", "SUPERVISOR"]],
  [/^\/knowledge$/, "./views/knowledge.js", ["APPEALS_COORDINATOR", "ADMIN", "SUPERVISOR"]],
  [/^\/knowledge\/new$/, "./views/knowledge-edit.js", ["APPEALS_COORDINATOR", "ADMIN"]],
  [/^\/knowledge\/(?<id>[^/]+)\/edit$/, "./views/knowledge-edit.js", ["APPEALS_COORDINATOR", "ADMIN"]],
  [/^\/knowledge\/(?<id>[^/]+)$/, "./views/knowledge-entry.js", ["APPEALS_COORDINATOR", "ADMIN", "SUPERVISOR"]],
  [/^\/supervise$/, "./views/supervise.js", ["SUPERVISOR"]],
  [/^\/figures$/, "./views/figures.js", ["SUPERVISOR"]],
  [/^\/surveys$/, "./views/surveys.js", ["SUPERVISOR"]],
  [/^\/surveys\/new$/, "./views/survey-new.js", ["SUPERVISOR"]],
  [/^\/packs$/, "./views/packs.js", ["SUPERVISOR", "DEPARTMENT_HANDLER"]],
  [/^\/packs\/new$/, "./views/pack-new.js", ["SUPERVISOR", "DEPARTMENT_HANDLER"]],
  [/^\/packs\/(?<id>[^/]+)$/, "./views/pack.js", ["SUPERVISOR", "DEPARTMENT_HANDLER"]],
  [/^\/meetings$/, "./views/meetings.js", ["SUPERVISOR"]],
  [/^\/notices$/, "./views/notices.js", ["SUPERVISOR", "DEPARTMENT_HANDLER"]],
];

// What a role finds in the navigation (its home screen first).
const NAV = {
  WINDOW_CLERK: [["/counter", "window.nav.counter"], ["/visit", "window.nav.visit"]],
  DEPARTMENT_HANDLER: [["/tasks", "window.nav.tasks"], ["/unit-appeals", "window.nav.unitAppeals"],
    ["/packs", "window.nav.packs"], ["/notices", "window.nav.unitNotices"]],
  APPEALS_COORDINATOR: [["/appeals", "window.nav.route"], ["/appeals/new", "window.nav.record"],
    ["/knowledge", "window.nav.knowledge"]],
  SUPERVISOR: [["/supervise", "window.nav.supervise"], ["/figures", "window.nav.figures"],
    ["/meetings", "window.nav.meetings"], ["/notices", "window.nav.notices"], ["/surveys", "window.nav.surveys"],
    ["/packs", "window.nav.packs"], ["/knowledge", "window.nav.knowledge"]],
  ADMIN: [["/knowledge", "window.nav.knowledge"]],
  SCENE_OPERATOR: [["/scan", "window.nav.scan"], ["/check-in", "window.nav.checkIn"]],
};

const STAFF = `query Staff {
  me {
    account { id kind displayName }
    profile { role departmentCode regionCode }
    halls { code name categories { code name letter } counters { code categories { code } } }
  }
  departments { code name }
}`;

const main = document.getElementById("main");
const nav = document.getElementById("site-nav");
const identity = document.getElementById("staff-identity");
const screen = screens();
// The signed-in staff member (role, department, halls), loaded once per session token.
let staff = null;

function setTitle(title) {
  document.title = title ? `${title} - ${t("window.title")}` : t("window.title");
}

/** Who is signed in: the account with its role, department and halls; null when nobody is. */
async function loadStaff() {
  const session = currentSession();
  if (!session) return null;
  if (staff?.token === session.token) return staff;
  const { me, departments } = await request(STAFF);
  if (!me) return null;
  const department = departments.find((d) => d.code === me.profile.departmentCode) ?? null;
  staff = { token: session.token, account: me.account, role: me.profile.role, department, halls: me.halls,
    regionCode: me.profile.regionCode, departments };
  return staff;
}

export function homeOf(role) {
  return NAV[role]?.[0]?.[0] ?? null;
}

function renderNav() {
  const { path } = currentRoute();
  if (!staff) {
    replace(identity);
    replace(nav, h("ul", {}, h("li", {}, h("a", { href: "#/signin", "aria-current": path === "/signin" ? "page" : null },
      t("window.nav.signIn")))));
    return;
  }
  const who = [staff.account.displayName, staff.role ? t(`window.role.${staff.role}`) : null, staff.department?.name];
  replace(identity, who.filter(Boolean).join(" · "));
  // The current entry is the longest that leads here (/appeals/new is 登记, not also 待分办).
  const entries = NAV[staff.role] ?? [];
  const current = entries.map(([href]) => href).filter((href) => path === href || path.startsWith(`${href}/`))
    .sort((a, b) => b.length - a.length)[0];
  const links = entries.map(([href, key]) => h("li", {}, h("a", {
    href: `#${href}`, "aria-current": href === current ? "page" : null,
  }, t(key))));
  links.push(h("li", { class: "site-nav__account" },
    h("button", { type: "button", class: "link-button", onclick: signOut }, t("nav.signOut"))));
  replace(nav, h("ul", {}, links));
}

async function signOut() {
  await logout();
  navigate("/signin");
}

function notAllowed() {
  setTitle(t("window.notAllowed.title"));
  replace(main, h("h1", {}, t("window.notAllowed.title")), h("p", {}, t("window.notAllowed.body")),
    h("p", {}, h("a", { href: "#/" }, t("window.nav.home"))));
}

async function render() {
  const isCurrent = screen.start();
  const { path, query } = currentRoute();
  const match = ROUTES.map(([pattern, module, access]) => ({ found: pattern.exec(path), module, access }))
    .find(({ found }) => found);
  replace(main, h("p", { class: "loading" }, t("app.loading")));
  try {
    const who = await loadStaff();
    if (!isCurrent()) return;
    renderNav();
    if (!match) {
      setTitle(t("app.notFound"));
      replace(main, h("h1", {}, t("app.notFound")), h("p", {}, h("a", { href: "#/" }, t("window.nav.home"))));
    } else if (match.access !== "anyone" && !who) {
      navigate("/signin", path === "/" ? {} : { next: path });
      return;
    } else if (Array.isArray(match.access) && !match.access.includes(who.role)) {
      notAllowed();
    } else {
      const view = await import(match.module);
      if (!await screen.show(view, { main, params: routeParams(match.found), query, navigate, staff: who, setTitle,
        homeOf }, isCurrent)) return;
    }
  } catch (error) {
    if (!isCurrent()) return;
    setTitle(t("errors.title"));
    showProblem(main, error);
  }
  // The focus goes to the control a screen marks (the scan field, where a scanner types), else to its heading,
  // so that a screen reader announces the change.
  const target = main.querySelector("[data-autofocus]") ?? main.querySelector("h1");
  if (target) {
    if (target.tagName === "H1") target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: true });
  }
}

document.getElementById("skip-link").textContent = t("app.skip");
document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  main.focus();
});
document.getElementById("brand-name").textContent = t("window.title");
nav.setAttribute("aria-label", t("window.nav.label"));
setTitle();
window.addEventListener("hashchange", render);
onSessionChange((session) => {
  if (session) return;
  // Signed out (here or by an expired token): nothing of the last person served stays in this tab.
  staff = null;
  forgetDesk();
  renderNav();
});
render();
