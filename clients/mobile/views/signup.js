// 注册: real-name registration of a citizen (ID number) or an enterprise (unified social credit code).
// One form: the choice at the top shows the fields of that kind; what is typed in shared fields is kept.
import { h } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, clearErrors } from "../../shared/errors.js";
import { t } from "../../shared/strings.js";
import { inputField, passwordField } from "../../shared/account-fields.js";
import { industryField, loadIndustries } from "../../shared/industry-field.js";
import { AUTH_PAYLOAD_FIELDS, renderAuthPage, submitAuth } from "./signin.js";

const REGISTER = {
  citizen: {
    field: "registerCitizen",
    document: `mutation RegisterCitizen($input: RegisterCitizenInput!) {
      registerCitizen(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${USER_ERROR_FIELDS} }
    }`,
    keys: ["name", "idNumber", "phone", "password"],
    name: { label: "account.signUp.citizenName", hint: "account.signUp.citizenNameHint", autocomplete: "name" },
  },
  enterprise: {
    field: "registerEnterprise",
    document: `mutation RegisterEnterprise($input: RegisterEnterpriseInput!) {
      registerEnterprise(input: $input) { ${AUTH_PAYLOAD_FIELDS} ${USER_ERROR_FIELDS} }
    }`,
    keys: ["name", "creditCode", "legalRepresentativeIdNumber", "phone", "industry", "password"],
    name: {
      label: "account.signUp.enterpriseName", hint: "account.signUp.enterpriseNameHint", autocomplete: "organization",
    },
  },
};

const ID_INPUT = { autocomplete: "off", autocapitalize: "characters", spellcheck: "false" };

function kindChoice(kind, checked) {
  const id = `signup-kind-${kind}`;
  return h("div", { class: "choice" },
    h("input", { type: "radio", name: "kind", id, value: kind, checked }),
    h("label", { for: id }, t(`account.signUp.kind.${kind}`)));
}

export default async function render({ main, query, navigate, setTitle }) {
  setTitle(t("account.signUp.title"));
  const initialKind = query.kind === "enterprise" ? "enterprise" : "citizen";
  const { name } = REGISTER[initialKind];
  const fields = {
    // A person's or a company's name: showKind() changes its label, hint and autofill with the choice.
    name: inputField("name", t(name.label), t(name.hint), { autocomplete: name.autocomplete }),
    idNumber: inputField("idNumber", t("account.signUp.idNumber"), t("account.signUp.idNumberHint"), ID_INPUT),
    creditCode: inputField("creditCode", t("account.signUp.creditCode"), t("account.signUp.creditCodeHint"),
      ID_INPUT),
    legalRepresentativeIdNumber: inputField("legalRepresentativeIdNumber", t("account.signUp.legalRepresentative"),
      t("account.signUp.idNumberHint"), ID_INPUT),
    phone: inputField("phone", t("account.signUp.phone"), t("account.signUp.phoneHint"),
      { type: "tel", inputmode: "numeric", autocomplete: "tel" }),
    industry: industryField(await loadIndustries()), // optional: an enterprise may name it later in its account
    password: passwordField("password", "new-password", t("account.signUp.passwordHint")),
  };
  const form = h("form", { class: "auth-form", novalidate: true },
    h("fieldset", { class: "field" },
      h("legend", {}, t("account.signUp.kind")),
      kindChoice("citizen", initialKind === "citizen"),
      kindChoice("enterprise", initialKind === "enterprise")),
    Object.values(fields),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("account.signUp.submit"))));

  const kind = () => form.elements.kind.value;
  const showKind = () => {
    const { keys, name } = REGISTER[kind()];
    fields.name.querySelector("label").textContent = t(name.label);
    fields.name.querySelector(".hint").textContent = t(name.hint);
    fields.name.querySelector("input").setAttribute("autocomplete", name.autocomplete);
    for (const [key, field] of Object.entries(fields)) field.hidden = !keys.includes(key);
  };
  form.addEventListener("change", (event) => {
    if (event.target.name !== "kind") return;
    clearErrors(form);
    showKind();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const { field, document, keys } = REGISTER[kind()];
    submitAuth(form, {
      document, field, next: query.next, navigate, sending: t("account.signUp.sending"),
      // An industry not chosen is left out (null), not sent as "".
      input: Object.fromEntries(keys.map((key) => [key, form.elements[key].value || (key === "industry" ? null : "")])),
    });
  });
  showKind();

  renderAuthPage(main, form, {
    title: t("account.signUp.title"), lead: t("account.signUp.lead"), switchPrompt: t("account.signUp.haveAccount"),
    switchLink: t("account.signUp.toSignIn"), route: "signin", next: query.next,
  });
}
