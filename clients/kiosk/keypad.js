// On-screen keys for a touch screen without a keyboard: digits (with X, the last character of some ID numbers) for
// ID numbers and phones, and a letter board for passwords. Each key types into its field as a person would.
import { h } from "../shared/dom.js";
import { t } from "../shared/strings.js";
import { typeInto } from "./scanner.js";

const DIGITS = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["X", "0"]];
const LETTERS = [["1", "2", "3", "4", "5", "6", "7", "8", "9", "0"], ["q", "w", "e", "r", "t", "y", "u", "i", "o", "p"],
  ["a", "s", "d", "f", "g", "h", "j", "k", "l", "-"], ["z", "x", "c", "v", "b", "n", "m", "_", ".", "@"]];

function deleteBefore(input) {
  const start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  if (start === end && start > 0) input.setRangeText("", start - 1, end, "end");
  else input.setRangeText("", start, end, "end");
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

/** Keys typing into `input`; `letters` for a full board with a shift key, else digits and X. */
export function keypad(input, { letters = false, label = "" } = {}) {
  let upper = false;
  const keys = [];
  const press = (key) => {
    input.focus();
    typeInto(input, upper ? key.toUpperCase() : key);
  };
  const key = (value) => {
    const button = h("button", { type: "button", class: "key", onclick: () => press(button.dataset.key) }, value);
    button.dataset.key = value;
    keys.push(button);
    return button;
  };
  const shift = letters ? h("button", { type: "button", class: "key key--wide", "aria-pressed": "false", onclick: () => {
    upper = !upper;
    shift.setAttribute("aria-pressed", String(upper));
    keys.forEach((k) => { k.textContent = upper ? k.dataset.key.toUpperCase() : k.dataset.key; });
  } }, "⇧ 大写") : null;
  const rows = (letters ? LETTERS : DIGITS).map((row) => h("div", { class: "keypad__row" }, row.map(key)));
  const edit = h("div", { class: "keypad__row" }, shift,
    h("button", { type: "button", class: "key key--wide", onclick: () => { input.focus(); deleteBefore(input); } },
      t("kiosk.keypad.delete")),
    h("button", { type: "button", class: "key key--wide", onclick: () => {
      input.value = "";
      input.dispatchEvent(new Event("input", { bubbles: true }));
      input.focus();
    } }, t("kiosk.keypad.clear")));
  return h("div", { class: `keypad${letters ? " keypad--letters" : ""}`, role: "group",
    "aria-label": t("kiosk.keypad.target", { field: label }) }, rows, edit);
}
