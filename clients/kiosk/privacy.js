// Privacy at a machine strangers use one after another: after IDLE_MS without input (a countdown shows for the
// last COUNTDOWN_MS, any touch or key extends) or at 结束办理, everything personal goes — the session is revoked
// on the server, the kiosk's storage and caches are emptied, and the page is replaced by the hall's start page
// (a fresh document: nothing held in memory survives, and no history entry leads back).
import { h } from "../shared/dom.js";
import { logout } from "../shared/graphql.js";
import { currentSession } from "../shared/session.js";
import { t } from "../shared/strings.js";

export const IDLE_MS = 60_000;
export const COUNTDOWN_MS = 10_000;
const ACTIVITY = ["pointerdown", "keydown", "touchstart", "wheel", "input"];
// The keys of this origin's storage the kiosk (and the shared library in the kiosk) writes: the session, the elder
// mode, forms in progress. sessionStorage belongs to the kiosk's tab and is emptied whole.
const KIOSK_KEYS = (key) => key.startsWith("portal.");

/** Wipe everything personal, then open `startUrl` in place of this page. */
export async function wipe(startUrl) {
  if (currentSession()) await logout();
  for (const key of Object.keys(localStorage)) if (KIOSK_KEYS(key)) localStorage.removeItem(key);
  sessionStorage.clear();
  if (typeof caches !== "undefined") {
    try {
      await Promise.all((await caches.keys()).map((name) => caches.delete(name)));
    } catch {
      /* no Cache Storage in this context: nothing kept there */
    }
  }
  location.replace(startUrl);
}

/**
 * Watch for inactivity while `active()` (a person is using the kiosk); `onIdle()` at the end. The countdown is a
 * dialog with a button to stay. Returns nothing: the page is replaced at the end anyway.
 */
export function watchIdle({ active, onIdle }) {
  let last = performance.now();
  let dialog = null;
  const body = h("p", { id: "idle-body" });
  const stay = h("button", { type: "button", class: "button kiosk-button" }, t("kiosk.idle.stay"));
  const close = () => {
    dialog?.remove();
    dialog = null;
  };
  const touched = () => {
    last = performance.now();
    close();
  };
  stay.addEventListener("click", touched);
  ACTIVITY.forEach((name) => window.addEventListener(name, touched, { capture: true, passive: true }));
  let ended = false;
  setInterval(() => {
    if (ended) return;
    if (!active()) {
      last = performance.now();
      close();
      return;
    }
    const left = IDLE_MS - (performance.now() - last);
    if (left <= 0) {
      ended = true;
      close();
      onIdle();
      return;
    }
    if (left <= COUNTDOWN_MS) {
      if (!dialog) {
        dialog = h("div", { class: "idle", role: "alertdialog", "aria-modal": "true", "aria-labelledby": "idle-title",
          "aria-describedby": "idle-body" },
          h("div", { class: "idle__box" }, h("h2", { id: "idle-title" }, t("kiosk.idle.title")), body, stay));
        document.body.append(dialog);
        stay.focus();
      }
      body.textContent = t("kiosk.idle.body", { seconds: Math.ceil(left / 1000) });
    }
  }, 250);
}
