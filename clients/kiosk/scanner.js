// The kiosk's 鲁通码 scanner types like a keyboard (a keyboard wedge): a fast burst of characters ending in Enter.
// A burst of at least MIN_LENGTH characters, each within MAX_GAP_MS of the one before, beginning with the code's
// prefix and ended by Enter is a scan, wherever the focus is; its characters never land in a focused field.
// Anything slower is a person typing: each key is held for at most MAX_GAP_MS (to see whether a burst follows)
// and then typed into the focused field as usual.

export const PREFIX = "LTM1.";
export const MIN_LENGTH = 20;
export const MAX_GAP_MS = 35;

/** Whether keys ([{key, at}], `at` in ms) ended by an Enter at `enterAt` are a scanner's burst of a 鲁通码. */
export function isScan(keys, enterAt) {
  if (keys.length < MIN_LENGTH) return false;
  if (!keys.map((k) => k.key).join("").startsWith(PREFIX)) return false;
  const times = [...keys.map((k) => k.at), enterAt];
  return times.every((at, n) => n === 0 || at - times[n - 1] < MAX_GAP_MS);
}

/** Type `text` into `element` at its caret as a person would (an `input` event follows), if it takes text. */
export function typeInto(element, text) {
  const takesText = element instanceof HTMLTextAreaElement
    || (element instanceof HTMLInputElement && ["text", "tel", "password", "search"].includes(element.type));
  if (!takesText || element.disabled || element.readOnly) return;
  const room = element.maxLength > 0 ? element.maxLength - element.value.length : text.length;
  const start = element.selectionStart ?? element.value.length;
  element.setRangeText(text.slice(0, Math.max(room, 0)), start, element.selectionEnd ?? start, "end");
  element.dispatchEvent(new Event("input", { bubbles: true }));
}

/**
 * Listen to every key of the page (before any field sees it); `onScan(code)` is called with each scan.
 * Returns the function that stops listening.
 */
export function listenForScans(onScan) {
  let held = [];
  let timer = null;
  const flush = () => {
    clearTimeout(timer);
    const text = held.map((k) => k.key).join("");
    held = [];
    if (text) typeInto(document.activeElement, text);
  };
  const onKey = (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    const at = event.timeStamp;
    if (event.key === "Enter" && held.length) {
      if (isScan(held, at)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        clearTimeout(timer);
        const code = held.map((k) => k.key).join("");
        held = [];
        onScan(code);
        return;
      }
      flush();
      return;
    }
    // Only visible characters can be part of a code (no space: a focused button's space still presses it).
    if (event.key.length !== 1 || event.key === " ") {
      flush();
      return;
    }
    if (held.length && at - held[held.length - 1].at >= MAX_GAP_MS) flush();
    event.preventDefault();
    event.stopImmediatePropagation();
    held.push({ key: event.key, at });
    clearTimeout(timer);
    timer = setTimeout(flush, MAX_GAP_MS);
  };
  window.addEventListener("keydown", onKey, true);
  return () => {
    window.removeEventListener("keydown", onKey, true);
    flush();
  };
}
