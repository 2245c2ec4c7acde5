// Sign in: show the 鲁通码 to the scanner (any screen listens), or type the ID number and the password with the
// on-screen keys. The password typed on a kiosk opens a kiosk session only (the API's device session).
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { keypad } from "../keypad.js";

const LOGIN = `mutation KioskLogin($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) {
    ... on AuthPayload { token expiresAt account { id kind displayName } } ${USER_ERROR_FIELDS}
  }
}`;

export default async function render({ main, go, signIn, setTitle }) {
  setTitle(t("kiosk.signIn.title"));
  // inputmode=none: the kiosk's own keys type, no system keyboard covers the screen.
  const idNumber = h("input", { type: "text", id: "field-username", name: "username", inputmode: "none",
    autocomplete: "off", spellcheck: "false", maxlength: "18", class: "input--code", "data-autofocus": true });
  const password = h("input", { type: "password", id: "field-password", name: "password", inputmode: "none",
    autocomplete: "off" });
  const board = h("div", { class: "kiosk-keys" });
  let keysFor = null;
  const showKeys = (input, options) => {
    if (keysFor === input) return;  // a key pressed gives the focus back to its field: keep the board as it is
    keysFor = input;
    replace(board, keypad(input, options));
  };
  idNumber.addEventListener("focus", () => showKeys(idNumber, { label: t("kiosk.signIn.idNumber") }));
  password.addEventListener("focus", () => showKeys(password, { letters: true, label: t("kiosk.signIn.password") }));
  const button = h("button", { type: "submit", class: "button kiosk-button" }, t("kiosk.signIn.submit"));
  const form = h("form", { novalidate: true, class: "kiosk-form" },
    h("div", { class: "field" }, h("label", { for: "field-username" }, t("kiosk.signIn.idNumber")), idNumber),
    h("div", { class: "field" }, h("label", { for: "field-password" }, t("kiosk.signIn.password")),
      h("span", { class: "hint", id: "hint-password" }, t("kiosk.signIn.passwordHint")), password),
    board,
    h("div", { class: "kiosk-actions" }, button,
      h("button", { type: "button", class: "button button--secondary kiosk-button", onclick: () => go("start") },
        t("kiosk.back"))));
  password.setAttribute("aria-describedby", "hint-password");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    try {
      const { login } = await request(LOGIN, { username: idNumber.value.trim(), password: password.value });
      if (login.__typename === "AuthPayload") {
        await signIn(login);
        return;
      }
      password.value = "";
      showErrors(form, login);
    } catch (error) {
      showErrors(form, error);
    }
    button.disabled = false;
  });
  replace(main, h("h1", {}, t("kiosk.signIn.title")), h("p", { class: "kiosk-scan-hint" }, t("kiosk.start.scanHint")),
    form);
  showKeys(idNumber, { label: t("kiosk.signIn.idNumber") });
}
