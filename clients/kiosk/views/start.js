// The hall's start screen: how to sign in (scan the 鲁通码, or the keypad), take a ticket, the queue now, and the
// "one things" this kiosk offers. Nothing personal is ever on it.
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { queueList, queueOf } from "../queue.js";

export const BUNDLES = `query KioskBundles {
  bundles(terminal: KIOSK, audience: CITIZEN, first: 50) { edges { node { code name promisedDays } } }
}`;

export function bundleTiles(bundles, go) {
  return h("ul", { class: "kiosk-grid" }, bundles.map((bundle) => h("li", {},
    h("button", { type: "button", class: "kiosk-tile", onclick: () => go("apply", { code: bundle.code }) },
      h("span", { class: "kiosk-tile__title" }, bundle.name),
      h("span", {}, t("kiosk.bundles.promised", { days: bundle.promisedDays }))))));
}

export default async function render({ main, hall, go, setTitle }) {
  const [categories, { bundles }] = await Promise.all([queueOf(hall), request(BUNDLES)]);
  setTitle(hall.name);
  replace(main,
    h("h1", {}, t("kiosk.start.welcome")),
    h("p", { class: "kiosk-scan-hint" }, t("kiosk.start.scanHint")),
    h("div", { class: "kiosk-actions" },
      h("button", { type: "button", class: "button kiosk-button", onclick: () => go("ticket") }, t("kiosk.start.ticket")),
      h("button", { type: "button", class: "button button--secondary kiosk-button", onclick: () => go("signin") },
        t("kiosk.start.signIn"))),
    h("h2", {}, t("kiosk.start.queue")),
    queueList(categories),
    h("h2", {}, t("kiosk.start.bundles")),
    bundleTiles(bundles.edges.map((e) => e.node), go));
}
