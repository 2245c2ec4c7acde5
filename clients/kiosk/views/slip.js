// 排队小票: the hall, the category, the number, how many wait before it and when it was taken; printed with the
// print stylesheet (only the slip). A ticket names nobody.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";

export default async function render({ main, hall, params, go, person, setTitle }) {
  const { ticket, ahead, takenAt } = params;
  setTitle(t("kiosk.slip.title"));
  replace(main,
    h("article", { class: "slip receipt", "aria-labelledby": "slip-title" },
      h("h1", { id: "slip-title" }, t("kiosk.slip.title")),
      h("p", { class: "slip__number" }, h("span", { class: "visually-hidden" }, t("kiosk.slip.number")), ticket.number),
      h("dl", { class: "summary-list" },
        h("dt", {}, t("kiosk.slip.hall")), h("dd", {}, hall.name),
        h("dt", {}, t("kiosk.slip.category")), h("dd", {}, ticket.category.name),
        h("dt", {}, t("kiosk.slip.waiting")), h("dd", { class: "slip__ahead" }, t("kiosk.slip.waitingCount", { n: ahead })),
        h("dt", {}, t("kiosk.slip.time")), h("dd", {}, formatDateTime(takenAt))),
      h("p", {}, t("kiosk.slip.note"))),
    h("div", { class: "kiosk-actions no-print" },
      h("button", { type: "button", class: "button kiosk-button", onclick: () => window.print() }, t("kiosk.print")),
      h("button", { type: "button", class: "button button--secondary kiosk-button",
        onclick: () => go(person ? "home" : "start") }, t("kiosk.back"))));
}
