// The signed-in person's menu: one large button per thing the kiosk does.
import { h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";

export default async function render({ main, person, go, setTitle }) {
  const title = t("kiosk.home.title", { name: person.displayName });
  setTitle(title);
  const tile = (screen, key) => h("li", {}, h("button", { type: "button", class: "kiosk-tile", onclick: () => go(screen) },
    h("span", { class: "kiosk-tile__title" }, t(key))));
  replace(main, h("h1", {}, title), h("p", { class: "lead" }, t("kiosk.home.lead")),
    h("ul", { class: "kiosk-grid" }, tile("ticket", "kiosk.home.ticket"), tile("appointments", "kiosk.home.appointments"),
      tile("bundles", "kiosk.home.apply"), tile("progress", "kiosk.home.progress")));
}
