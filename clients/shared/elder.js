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

/** Make `button` a switch (role=switch, aria-checked) for the mode whose own text says the mode it is in
 * (长辈模式：开 / 关), however the mode changes (the switch, or a kiosk hall's default). A switch taken off the
 * page stops listening at the next change. */
export function bindElderSwitch(button) {
  const render = () => {
    button.setAttribute("role", "switch");
    button.setAttribute("aria-checked", String(elderMode()));
    button.textContent = t(elderMode() ? "elder.switch.on" : "elder.switch.off");
  };
  button.addEventListener("click", () => setElderMode(!elderMode()));
  const stop = onElderModeChange(() => (button.isConnected ? render() : stop()));
  render();
}
