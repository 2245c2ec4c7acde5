// The signed-in session of this browser: the bearer token and the account it belongs to.
// Kept in localStorage so that a reload or an installed PWA stays signed in until the token expires.
// Each terminal other than /m/ names itself (<html data-terminal="window">) and keeps a session of its own, so
// that a clerk signed in at the window is not signed in on the citizens' client of the same browser.

const TERMINAL = document.documentElement.dataset.terminal;
const KEY = TERMINAL ? `portal.session.${TERMINAL}` : "portal.session";

// The PWA (/m/) is both the phone terminal and the desktop one. It decides which once per load, and applies with
// that channel: MOBILE when the primary pointer is coarse (a touch screen: a phone or a tablet) or the window is
// narrower than a tablet (PHONE_MAX_WIDTH), DESKTOP otherwise (a computer with a mouse and a wide window). A window
// resized later keeps the channel it loaded with, so a form is never submitted under a channel it was not shown for.
const PHONE_MAX_WIDTH = 767;

function pwaTerminal() {
  const phone = matchMedia("(pointer: coarse)").matches || matchMedia(`(max-width: ${PHONE_MAX_WIDTH}px)`).matches;
  return phone ? "MOBILE" : "DESKTOP";
}

/** The terminal this client is (TV, KIOSK, WINDOW; the PWA MOBILE or DESKTOP), sent with every request
 * (X-Portal-Terminal; on a WebSocket, the connection's `terminal` parameter) and the channel it applies on: a TV's
 * or a kiosk's session works only from its own terminal, and answers there are masked. */
export const TERMINAL_NAME = TERMINAL ? TERMINAL.toUpperCase() : pwaTerminal();

/** Headers naming the bearer and the terminal, for fetches outside graphql.js (uploads). */
export function authHeaders() {
  const result = {};
  const bearer = token();
  if (bearer) result.authorization = `Bearer ${bearer}`;
  result["x-portal-terminal"] = TERMINAL_NAME;
  return result;
}
const listeners = new Set();

export function currentSession() {
  try {
    const session = JSON.parse(localStorage.getItem(KEY) || "null");
    if (session && Date.parse(session.expiresAt) > Date.now()) return session;
  } catch {
    /* a corrupt entry counts as signed out */
  }
  return null;
}

export function token() {
  return currentSession()?.token ?? null;
}

/** Store an AuthPayload ({token, expiresAt, account}) after sign-in or registration. */
export function signedIn(payload) {
  localStorage.setItem(KEY, JSON.stringify({
    token: payload.token, expiresAt: payload.expiresAt, account: payload.account,
  }));
  listeners.forEach((listener) => listener(currentSession()));
}

export function signedOut() {
  localStorage.removeItem(KEY);
  listeners.forEach((listener) => listener(null));
}

export function onSessionChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
