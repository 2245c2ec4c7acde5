// 登录: one account field for every kind of account (ID number or phone, credit code, staff username).
// The form helpers are exported for the sign-up screen, which shares its flow.
import { h, replace } from "../../shared/dom.js";
import { destination, inputField, passwordField } from "../../shared/account-fields.js";
import { USER_ERROR_FIELDS, isUserError, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { signedIn } from "../../shared/session.js";
import { t } from "../../shared/strings.js";

/** The selection of a signed-in session, for login and both registrations. */
export const AUTH_PAYLOAD_FIELDS = `... on AuthPayload { token expiresAt account { id kind displayName } }`;

const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${USER_ERROR_FIELDS} }
}`;

/**
 * Send a login or registration mutation. On success the session is stored and the app goes on to
 * `next`; otherwise every problem is shown in the form, and what was typed stays where it was.
 */
export async function submitAuth(form, { document, field, input, sending, next, navigate }) {
  const button = form.querySelector("button[type=submit]");
  const label = button.textContent;
  button.disabled = true;
  button.textContent = sending;
  try {
    const result = (await request(document, { input }))[field];
    if (isUserError(result)) {
      showErrors(form, result);
      return;
    }
    signedIn(result);
    navigate(destination(next));
  } catch (error) {
    showErrors(form, error);
  } finally {
    button.disabled = false;
    button.textContent = label;
  }
}

/**
 * The page around an account form: heading, lead, the form, and a link to the other account screen
 * (sign in, sign up) that keeps `next`.
 */
export function renderAuthPage(main, form, { title, lead, switchPrompt, switchLink, route, next }) {
  const href = next ? `#/${route}?${new URLSearchParams({ next })}` : `#/${route}`;
  replace(main,
    h("h1", {}, title),
    h("p", { class: "lead" }, lead),
    form,
    h("p", { class: "auth-switch" }, switchPrompt, " ", h("a", { href }, switchLink)));
}

export default async function render({ main, query, navigate, setTitle }) {
  setTitle(t("account.signIn.title"));
  const form = h("form", { class: "auth-form", novalidate: true },
    inputField("username", t("account.signIn.username"), t("account.signIn.usernameHint"), {
      autocomplete: "username", autocapitalize: "off", spellcheck: "false",
    }),
    passwordField("password", "current-password"),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("account.signIn.submit"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submitAuth(form, {
      document: LOGIN, field: "login", next: query.next, navigate, sending: t("account.signIn.sending"),
      input: { username: form.elements.username.value, password: form.elements.password.value },
    });
  });
  renderAuthPage(main, form, {
    title: t("account.signIn.title"), lead: t("account.signIn.lead"), switchPrompt: t("account.signIn.noAccount"),
    switchLink: t("account.signIn.toSignUp"), route: "signup", next: query.next,
  });
}
