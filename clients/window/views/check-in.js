// 酒店入住一件事 at a hotel desk (a LODGING scene operator): the guest shows their 鲁通码, the desk types the room
// and the nights, and one `checkInGuest` scans the code and files the registration for the guest. The items carry
// instant-approval rules (秒批), so the registration usually comes back done at once; the screen shows each task
// with how it was decided. One idempotency key per guest: a retry after a network failure files nothing twice.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, clearErrors, fieldId, isUserError, showErrors } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { personPanel } from "../scanned.js";

const LODGING = "LODGING";
const SCENES = `query ScannerScenes { myScannerScenes }`;
const CHECK_IN = `mutation CheckInGuest($payload: String!, $roomNumber: String!, $nights: Int!, $key: String!) {
  checkInGuest(payload: $payload, roomNumber: $roomNumber, nights: $nights, idempotencyKey: $key) {
    ... on CheckIn {
      scan { holder { maskedName maskedIdNumber } certificates { type name number validUntil }
             legacyCodes { type name value } }
      application { id number status tasks { id status decidedBy rule item { name } } }
    }
    ${USER_ERROR_FIELDS}
  }
}`;
// The API's field names for what the desk types.
const ROOM = "stay.roomNumber";
const NIGHTS = "stay.nights";

function field(key, label, attributes) {
  return h("div", { class: "field" },
    h("label", { for: fieldId(key) }, label),
    h("input", { id: fieldId(key), name: key, autocomplete: "off", ...attributes }));
}

function taskLine(task) {
  const byRule = task.decidedBy === "RULE";
  return h("li", { class: "check-in__task" },
    h("strong", {}, task.item.name), " ",
    h("span", { class: byRule ? "tag tag--instant" : "tag" },
      byRule ? t("instant.byRule") : t(`applications.task.${task.status}`)),
    byRule ? h("span", { class: "muted" }, ` ${t("applications.task.APPROVED")} · ${task.rule}`) : null);
}

function registration(application) {
  return h("section", { class: "panel", "aria-labelledby": "registration-title" },
    h("h2", { id: "registration-title" }, t("window.checkIn.registration")),
    h("dl", { class: "summary-list" },
      h("dt", {}, t("window.checkIn.number")), h("dd", {}, application.number),
      h("dt", {}, t("window.checkIn.status")),
      h("dd", { class: "check-in__status" }, t(`applications.status.${application.status}`))),
    h("ul", { class: "check-in__tasks" }, application.tasks.map(taskLine)));
}

export default async function render({ main, setTitle }) {
  const title = t("window.checkIn.title");
  setTitle(title);
  const heading = h("h1", {}, title);
  const scenes = (await request(SCENES)).myScannerScenes;
  if (!scenes.includes(LODGING)) {
    replace(main, heading, h("p", {}, t("window.checkIn.notLodging")));
    return;
  }
  let key = idempotencyKey();
  const shown = h("div", { class: "scan-result", role: "status" });
  const button = h("button", { type: "submit", class: "button" }, t("window.checkIn.submit"));
  const form = h("form", { novalidate: true, class: "scan-form check-in-form" },
    field("payload", t("window.visit.payload"), { type: "text", class: "input--code scan-input",
      spellcheck: "false", "data-autofocus": true }),
    field(ROOM, t("window.checkIn.room"), { type: "text", maxlength: 20 }),
    field(NIGHTS, t("window.checkIn.nights"), { type: "number", min: 1, step: 1, value: "1", inputmode: "numeric" }),
    h("div", { class: "actions" }, button));
  const control = (name) => form.querySelector(`#${CSS.escape(fieldId(name))}`);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const payload = control("payload").value.trim();
    const roomNumber = control(ROOM).value.trim();
    const nights = Number(control(NIGHTS).value);
    const missing = [
      !payload && { field: "payload", message: t("window.visit.payloadRequired") },
      !roomNumber && { field: ROOM, message: t("window.checkIn.roomRequired") },
      !(Number.isInteger(nights) && nights >= 1) && { field: NIGHTS, message: t("window.checkIn.nightsRequired") },
    ].filter(Boolean);
    if (missing.length) {
      showErrors(form, { __typename: "FormInvalid", errors: missing });
      return;
    }
    button.disabled = true;
    button.textContent = t("window.checkIn.sending");
    try {
      const { checkInGuest: result } = await request(CHECK_IN, { payload, roomNumber, nights, key });
      if (isUserError(result)) {
        showErrors(form, result);
      } else {
        clearErrors(form);
        form.reset();
        key = idempotencyKey(); // the next guest is a new check-in
        replace(shown, registration(result.application),
          result.scan ? personPanel(result.scan, { heading: t("window.checkIn.guest") }) : null);
        control("payload").focus();
      }
    } catch (error) {
      showErrors(form, error);
    }
    button.disabled = false;
    button.textContent = t("window.checkIn.submit");
  });
  replace(main, heading, h("p", { class: "lead" }, t("window.checkIn.lead")), form, shown);
}
