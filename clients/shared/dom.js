// A tiny element builder: text is always set as text, never parsed as HTML.

/**
 * h("a", { href: "#/x", class: "link", onclick: fn }, "text", childNode, [more])
 * Attributes whose value is null, undefined or false are left out; `true` sets an empty attribute.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replace everything inside `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  append(element, children);
}

const dateTime = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", hour12: false,
});
const dateOnly = new Intl.DateTimeFormat("zh-CN", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit",
});

/** An instant as the portal's civil time (Asia/Shanghai), e.g. 2026/11/26 18:05. */
export function formatDateTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : "";
}

export function formatDate(iso) {
  return iso ? dateOnly.format(new Date(iso.length === 10 ? `${iso}T00:00:00+08:00` : iso)) : "";
}
