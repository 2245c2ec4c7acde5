// 预约办事 on the TV: pick a hall, then a category, then a working day and a time (the category's slots from 9:00
// to 17:00 on the next working days the calendar knows), all with the remote. A full slot or any refusal is said
// plainly and another time can be picked at once.
import { formatDateTime, formatDate, h, replace } from "../../shared/dom.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const HALLS = `query TvHalls { halls { code name address categories { code name letter slotMinutes } } }`;
const DAYS_SHOWN = 5;
const BOOK = `mutation TvBook($hall: String!, $category: String!, $slot: DateTime!, $key: String!) {
  bookAppointment(hallCode: $hall, category: $category, slot: $slot, idempotencyKey: $key) {
    __typename ... on Appointment { id slot category { name } } ... on UserError { code message }
    ... on FormInvalid { errors { message } }
  }
}`;
const OPENS_MINUTES = 9 * 60;
const CLOSES_MINUTES = 17 * 60;

/** The next working days after today in Shanghai (from the portal's calendar), as YYYY-MM-DD. */
async function workingDays() {
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(new Date());
  const fields = Array.from({ length: DAYS_SHOWN }, (_, i) => `d${i}: addWorkingDays(from: $from, days: ${i + 1}) { date }`);
  const data = await request(`query TvDays($from: Date!) { ${fields.join(" ")} }`, { from: today });
  return Array.from({ length: DAYS_SHOWN }, (_, i) => data[`d${i}`].date);
}

/** The slots of a day for a category: HH:MM from opening, each `minutes` long, ending by closing time. */
export function slotsOf(minutes) {
  const slots = [];
  for (let start = OPENS_MINUTES; start + minutes <= CLOSES_MINUTES; start += minutes) {
    slots.push(`${String(Math.floor(start / 60)).padStart(2, "0")}:${String(start % 60).padStart(2, "0")}`);
  }
  return slots;
}

function choice(label, href, { pressed = null, autofocus = false, onclick = null } = {}) {
  const attributes = { class: pressed === null ? "tv-chip tv-chip--wide" : "tv-chip", "aria-pressed": pressed === null
    ? null : String(pressed), "data-autofocus": autofocus };
  return h("li", {}, href ? h("a", { href, ...attributes }, label)
    : h("button", { type: "button", onclick, ...attributes }, label));
}

export default async function render({ main, params, query, navigate, setTitle }) {
  setTitle(t("tv.appointment.title"));
  const { halls } = await request(HALLS);
  const hall = halls.find((x) => x.code === params.hall);
  const category = hall?.categories.find((c) => c.code === params.category);
  if (!hall) {
    replace(main, h("h1", {}, t("tv.appointment.title")), h("h2", { class: "tv-subtitle" }, t("tv.appointment.hall")),
      h("ul", { class: "tv-chips" }, halls.map((x, i) => choice(x.name, `#/appointment/${encodeURIComponent(x.code)}`,
        { autofocus: i === 0 }))));
    return;
  }
  if (!category) {
    replace(main, h("h1", {}, hall.name), h("p", { class: "tv-meta" }, hall.address),
      h("h2", { class: "tv-subtitle" }, t("tv.appointment.category")),
      h("ul", { class: "tv-chips" }, hall.categories.map((c, i) => choice(c.name,
        `#/appointment/${encodeURIComponent(hall.code)}/${encodeURIComponent(c.code)}`, { autofocus: i === 0 }))));
    return;
  }
  const days = await workingDays();
  const day = days.includes(query.day) ? query.day : days[0];
  const outcome = h("div", { role: "status", id: "appointment-outcome" });
  const book = async (time, button) => {
    button.disabled = true;
    try {
      const { bookAppointment: result } = await request(BOOK, { hall: hall.code, category: category.code,
        slot: `${day}T${time}:00+08:00`, key: idempotencyKey() });
      if (result.__typename === "Appointment") {
        replace(main, h("h1", {}, t("tv.appointment.booked")),
          h("p", { class: "tv-outcome", id: "appointment-booked" }, t("tv.appointment.bookedAt", {
            hall: hall.name, category: result.category.name, time: formatDateTime(result.slot) })),
          h("p", { class: "tv-lead" }, t("tv.appointment.checkIn")),
          h("p", {}, h("a", { href: "#/", class: "tv-button", "data-autofocus": true }, t("tv.home.title"))));
        main.querySelector("a").focus();
        return;
      }
      replace(outcome, h("p", { class: "tv-outcome tv-outcome--error", role: "alert" },
        result.errors?.[0]?.message ?? result.message));
    } finally {
      if (button.isConnected) {
        button.disabled = false;
        button.focus();
      }
    }
  };
  replace(main,
    h("h1", {}, `${hall.name} · ${category.name}`),
    h("h2", { class: "tv-subtitle" }, t("tv.appointment.day")),
    h("ul", { class: "tv-chips" }, days.map((d) => choice(formatDate(d), null, { pressed: d === day,
      autofocus: d === day, onclick: () => navigate(`/appointment/${hall.code}/${category.code}`, { day: d }) }))),
    h("h2", { class: "tv-subtitle" }, t("tv.appointment.time")),
    h("ul", { class: "tv-chips tv-chips--grid" }, slotsOf(category.slotMinutes).map((time) => h("li", {},
      h("button", { type: "button", class: "tv-chip", "aria-label": t("tv.appointment.slot", { day: formatDate(day), time }),
        onclick: (event) => book(time, event.currentTarget) }, time)))),
    outcome);
}
