// The hash routes every terminal uses (#/path?query): where the page is, and how to go somewhere else.

/** Go to a route, e.g. navigate("/bundle/newborn") or navigate("/signin", {next: "/applications"}). */
export function navigate(path, query = {}) {
  const search = new URLSearchParams(query).toString();
  location.hash = `#${path}${search ? `?${search}` : ""}`;
}

/** The current route: its path ("/" when none) and its query as an object. */
export function currentRoute() {
  const [path, search = ""] = (location.hash.slice(1) || "/").split("?");
  return { path: path || "/", query: Object.fromEntries(new URLSearchParams(search)) };
}

/** The named groups of a route pattern's match, decoded (an optional group that did not match stays undefined). */
export function routeParams(found) {
  return Object.fromEntries(Object.entries(found.groups ?? {})
    .map(([key, value]) => [key, value === undefined ? undefined : decodeURIComponent(value)]));
}

/**
 * Render a screen (a loaded view module) with `context`; the function to call when the screen is left, or null.
 * When another route was rendered meanwhile (`isCurrent()` is false) the screen is left at once.
 */
export async function enter(view, context, isCurrent) {
  const cleanup = await view.default(context);
  if (typeof cleanup !== "function") return null;
  if (isCurrent()) return cleanup;
  cleanup();
  return null;
}

/**
 * One screen at a time, for a terminal's app. `start()` leaves the screen shown (calling what its view returned) and
 * gives `isCurrent`, false once a later `start()` began; `show(view, context, isCurrent)` renders a loaded view
 * module and keeps its cleanup, and says whether this screen is still the current one.
 */
export function screens() {
  let leave = null;
  let latest = 0;
  return {
    start() {
      const ticket = ++latest;
      if (leave) {
        leave();
        leave = null;
      }
      return () => ticket === latest;
    },
    async show(view, context, isCurrent) {
      if (!isCurrent()) return false;
      leave = await enter(view, context, isCurrent);
      return isCurrent();
    },
  };
}
