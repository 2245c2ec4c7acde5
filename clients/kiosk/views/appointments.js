// 预约签到: the person's appointments of today and later; one touch checks in one of this hall (from 30 minutes
// before its slot) and gives its priority ticket.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { queueOf } from "../queue.js";

const APPOINTMENTS = "query KioskAppointments { me { appointments { id hallCode category { code name } slot status } } }";
const CHECK_IN = `mutation KioskCheckIn($id: ID!) {
  checkInAppointment(id: $id) { ... on Ticket { id number category { code name } } ${USER_ERROR_FIELDS} }
}`;

export default async function render({ main, hall, go, setTitle }) {
  setTitle(t("kiosk.appointments.title"));
  const { me } = await request(APPOINTMENTS);
  const problems = h("div", {});
  const checkIn = async (appointment, button) => {
    button.disabled = true;
    try {
      const { checkInAppointment: ticket } = await request(CHECK_IN, { id: appointment.id });
      if (ticket.__typename === "Ticket") {
        const category = (await queueOf(hall)).find((c) => c.code === ticket.category.code);
        go("slip", { ticket, ahead: Math.max((category?.waiting ?? 1) - 1, 0), takenAt: new Date().toISOString() });
        return;
      }
      showErrors(problems, ticket);
    } catch (error) {
      showErrors(problems, error);
    }
    button.disabled = false;
  };
  const here = (me?.appointments ?? []).filter((a) => a.hallCode === hall.code);
  const items = here.map((appointment) => {
    const when = formatDateTime(appointment.slot);
    if (appointment.status !== "BOOKED") {
      return h("li", { class: "card" }, t("kiosk.appointments.slot", { category: appointment.category.name, time: when }),
        " ", h("span", { class: "tag tag--done" }, t("kiosk.appointments.checkedIn")));
    }
    const button = h("button", { type: "button", class: "kiosk-tile" },
      h("span", { class: "kiosk-tile__title" }, t("kiosk.appointments.checkIn", { category: appointment.category.name,
        time: when })));
    button.addEventListener("click", () => checkIn(appointment, button));
    return h("li", {}, button);
  });
  replace(main, h("h1", {}, t("kiosk.appointments.title")), problems,
    items.length ? h("ul", { class: "kiosk-grid" }, items) : h("p", { class: "lead" }, t("kiosk.appointments.none")),
    h("div", { class: "kiosk-actions" }, h("button", { type: "button", class: "button button--secondary kiosk-button",
      onclick: () => go("home") }, t("kiosk.back"))));
}
