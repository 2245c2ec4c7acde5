// The "one things" this kiosk offers, for the signed-in person to choose one.
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { BUNDLES, bundleTiles } from "./start.js";

export default async function render({ main, go, setTitle }) {
  setTitle(t("kiosk.bundles.title"));
  const { bundles } = await request(BUNDLES);
  replace(main, h("h1", {}, t("kiosk.bundles.title")), bundleTiles(bundles.edges.map((e) => e.node), go),
    h("div", { class: "kiosk-actions" }, h("button", { type: "button", class: "button button--secondary kiosk-button",
      onclick: () => go("home") }, t("kiosk.back"))));
}
