// 取号: one touch per category; anonymous on the start screen, the person's own ticket when signed in.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, showErrors } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { queueOf } from "../queue.js";

const TAKE = `mutation KioskTicket($hall: String!, $category: String!, $key: String!) {
  takeTicket(hallCode: $hall, category: $category, idempotencyKey: $key) {
    ... on Ticket { id number category { code name } } ${USER_ERROR_FIELDS}
  }
}`;

export default async function render({ main, hall, go, person, setTitle }) {
  setTitle(t("kiosk.ticket.title"));
  const categories = await queueOf(hall);
  // One key per visit to this screen: touching twice, or again after a network failure, gives one ticket.
  const keys = new Map();
  const problems = h("div", {});
  const take = async (category, button) => {
    button.disabled = true;
    if (!keys.has(category.code)) keys.set(category.code, idempotencyKey());
    try {
      const { takeTicket: ticket } = await request(TAKE, { hall: hall.code, category: category.code,
        key: keys.get(category.code) });
      if (ticket.__typename === "Ticket") {
        go("slip", { ticket, ahead: category.waiting, takenAt: new Date().toISOString() });
        return;
      }
      showErrors(problems, ticket);
    } catch (error) {
      showErrors(problems, error);
    }
    button.disabled = false;
  };
  replace(main, h("h1", {}, t("kiosk.ticket.title")), h("p", { class: "lead" }, t("kiosk.ticket.lead")), problems,
    h("ul", { class: "kiosk-grid" }, categories.map((category) => {
      const button = h("button", { type: "button", class: "kiosk-tile" },
        h("span", { class: "kiosk-tile__title" }, `${category.letter} · ${category.name}`),
        h("span", {}, t("kiosk.start.waiting", { name: t("kiosk.slip.waiting"), waiting: category.waiting })));
      button.addEventListener("click", () => take(category, button));
      return h("li", {}, button);
    })),
    h("div", { class: "kiosk-actions" }, h("button", { type: "button", class: "button button--secondary kiosk-button",
      onclick: () => go(person ? "home" : "start") }, t("kiosk.back"))));
}
