// Ten-foot navigation: the remote's arrow keys move the focus to the nearest control in that direction, OK (Enter)
// presses it, Back (Escape, Backspace) goes up one screen. The focus is never lost: when the focused control
// disappears (a screen redrawn, a button removed) the first control of the screen takes it.

const FOCUSABLE = "a[href], button:not([disabled]), [tabindex='0']";
const DIRECTIONS = { ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };
const BACK_KEYS = new Set(["Escape", "Backspace", "BrowserBack", "GoBack"]);

/** The controls the remote can reach, in document order (only those shown). */
export function focusables(root = document) {
  return [...root.querySelectorAll(FOCUSABLE)].filter((element) => {
    if (element.closest("[hidden], [inert]")) return false;
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  });
}

/** Focus `element`, or the screen's first control, and bring it into view. */
export function focusFirst(root = document, preferred = null) {
  const target = preferred && focusables(root).includes(preferred) ? preferred
    : root.querySelector("[data-autofocus]:not([disabled])") ?? focusables(root)[0];
  if (target) {
    target.focus({ preventScroll: true });
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
  return target ?? null;
}

function centre(box) {
  return [box.left + box.width / 2, box.top + box.height / 2];
}

/** How far `to` lies from `from` in direction [dx, dy]; Infinity when it is not in that direction at all. */
function distance(from, to, [dx, dy]) {
  const [fx, fy] = centre(from);
  const [tx, ty] = centre(to);
  const along = dx ? (tx - fx) * dx : (ty - fy) * dy;
  // Strictly beyond the current control's edge in that direction (half a pixel of tolerance).
  const beyond = dx ? (dx > 0 ? to.left >= from.right - 0.5 || tx > from.right : to.right <= from.left + 0.5 || tx < from.left)
    : (dy > 0 ? to.top >= from.bottom - 0.5 || ty > from.bottom : to.bottom <= from.top + 0.5 || ty < from.top);
  if (along <= 0 || !beyond) return Infinity;
  // Sideways: the gap between the two boxes across the direction (0 when they overlap), weighted so that a
  // control straight ahead wins over a nearer one off to the side.
  const gap = dx ? Math.max(0, to.top - from.bottom, from.top - to.bottom)
    : Math.max(0, to.left - from.right, from.left - to.right);
  return along + gap * 3;
}

/** Move the focus from the focused control towards the arrow key's direction; stays put at the edge. */
export function move(key, root = document) {
  const controls = focusables(root);
  const current = document.activeElement;
  if (!controls.includes(current)) {
    focusFirst(root);
    return;
  }
  const from = current.getBoundingClientRect();
  let best = null;
  let bestDistance = Infinity;
  for (const control of controls) {
    if (control === current) continue;
    const d = distance(from, control.getBoundingClientRect(), DIRECTIONS[key]);
    if (d < bestDistance) {
      best = control;
      bestDistance = d;
    }
  }
  if (best) focusFirst(root, best);
}

/**
 * Drive the page with the remote: arrows move, Back calls `onBack`. Returns a function that stops.
 * OK (Enter) on a link or a button is the browser's own activation; on another control (tabindex=0) it clicks.
 */
export function remote({ onBack, root = document }) {
  const keydown = (event) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    if (event.key in DIRECTIONS) {
      event.preventDefault();
      move(event.key, root);
    } else if (BACK_KEYS.has(event.key)) {
      event.preventDefault();
      onBack();
    } else if (event.key === "Enter" && document.activeElement?.matches("[tabindex='0']:not(a, button)")) {
      event.preventDefault();
      document.activeElement.click();
    }
  };
  // A control removed while focused leaves the focus on <body>: give it to the screen's first control.
  const watch = new MutationObserver(() => {
    if (!focusables(root).includes(document.activeElement)) focusFirst(root);
  });
  document.addEventListener("keydown", keydown);
  watch.observe(document.body, { childList: true, subtree: true, attributes: true,
    attributeFilter: ["hidden", "disabled"] });
  return () => {
    document.removeEventListener("keydown", keydown);
    watch.disconnect();
  };
}
