// 适老化: the elder-friendly mode — larger type, higher contrast, simpler wording.
// The choice is remembered on this device; the stylesheet reads <html data-mode="elder">.
import { t } from "./strings.js";

const KEY = "portal.elderMode";
const listeners = new Set();

export function elderMode() {
  return localStorage.getItem(KEY) === "on";
}

export function setElderMode(on) {
  localStorage.setItem(KEY, on ? "on" : "off");
  apply();
  listeners.forEach((listener) => listener(on));
}

export function onElderModeChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Reflect the stored choice on <html>; call once at start. */
export function apply() {
  if (elderMode()) document.documentElement.dataset.mode = "elder";
  else delete document.documentElement.dataset.mode;
}

/** Make `button` a switch (role=switch, aria-checked) for the mode. */
export function bindElderSwitch(button) {
  const render = () => {
    button.setAttribute("role", "switch");
    button.setAttribute("aria-checked", String(elderMode()));
    button.textContent = t("elder.switch");
  };
  button.addEventListener("click", () => {
    setElderMode(!elderMode());
    render();
  });
  render();
}
