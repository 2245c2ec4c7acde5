// 工作人员登录: username and password. Only staff accounts are kept signed in here; a citizen or an enterprise is
// told to use the 爱山东 app and their new session is ended at once.
import { h, replace } from "../../shared/dom.js";
import { destination, inputField, passwordField } from "../../shared/account-fields.js";
import { USER_ERROR_FIELDS, isUserError, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { signedIn } from "../../shared/session.js";
import { t } from "../../shared/strings.js";

const LOGIN = `mutation StaffLogin($input: LoginInput!) {
  login(input: $input) { ... on AuthPayload { token expiresAt account { id kind displayName } } ${USER_ERROR_FIELDS} }
}`;
const LOGOUT_WITH = "mutation { logout { __typename } }";

async function endSession(token) {
  // The token is not stored, so it is sent by hand to end the session it opened.
  await fetch("/graphql", { method: "POST", body: JSON.stringify({ query: LOGOUT_WITH }),
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` } }).catch(() => {});
}

export default async function render({ main, query, navigate, setTitle }) {
  setTitle(t("window.signIn.title"));
  const button = h("button", { type: "submit", class: "button" }, t("window.signIn.submit"));
  const form = h("form", { class: "auth-form", novalidate: true },
    inputField("username", t("window.signIn.username"), t("window.signIn.usernameHint"), {
      autocomplete: "username", autocapitalize: "off", spellcheck: "false",
    }),
    passwordField("password", "current-password"),
    h("div", { class: "actions" }, button));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    button.textContent = t("window.signIn.sending");
    try {
      const { login: result } = await request(LOGIN, { input: {
        username: form.elements.username.value, password: form.elements.password.value,
      } });
      if (isUserError(result)) showErrors(form, result);
      else if (result.account.kind !== "STAFF") {
        await endSession(result.token);
        showErrors(form, { __typename: "PermissionDenied", code: "STAFF_ONLY", message: t("window.signIn.staffOnly") });
      } else {
        signedIn(result);
        navigate(destination(query.next));
        return;
      }
    } catch (error) {
      showErrors(form, error);
    }
    button.disabled = false;
    button.textContent = t("window.signIn.submit");
  });
  replace(main, h("div", { class: "desk-narrow" },
    h("h1", {}, t("window.signIn.title")),
    h("p", { class: "lead" }, t("window.signIn.lead")),
    form));
}
