// 确认设备登录: the page a TV's or a kiosk's QR code opens (#/device?code=BCDF-GHJK). Signed in the ordinary way,
// the person sees which device asks (terminal, when, from where, until when) and approves or denies it. Without
// a code (typed from the screen instead) the code is asked first.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { inputField } from "../../shared/account-fields.js";
import { USER_ERROR_FIELDS, isUserError, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const REQUEST_FIELDS = `... on DeviceSignInRequest { userCode terminal device status createdAt expiresAt maskedAddress }`;
const LOOK = `query DeviceSignInRequest($userCode: String!) {
  deviceSignInRequest(userCode: $userCode) { ${REQUEST_FIELDS} ${USER_ERROR_FIELDS} }
}`;
const APPROVE = `mutation ApproveDeviceSignIn($userCode: String!) {
  approveDeviceSignIn(userCode: $userCode) { ${REQUEST_FIELDS} ${USER_ERROR_FIELDS} }
}`;
const DENY = `mutation DenyDeviceSignIn($userCode: String!) {
  denyDeviceSignIn(userCode: $userCode) { ${REQUEST_FIELDS} ${USER_ERROR_FIELDS} }
}`;

export default async function render({ main, query, session, navigate, setTitle }) {
  setTitle(t("device.title"));
  const code = query.code ?? "";
  if (!session) {
    navigate("/signin", { next: `/device?${new URLSearchParams({ code })}` });
    return;
  }
  const form = h("form", { class: "auth-form", novalidate: true },
    inputField("userCode", t("device.enterCode"), t("device.codeHint"), {
      value: code, autocapitalize: "characters", autocomplete: "off", spellcheck: "false",
    }),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button button--secondary" }, t("device.look"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate("/device", { code: form.elements.userCode.value.trim() });
  });
  const details = h("div", { class: "device-request" });
  replace(main, h("h1", {}, t("device.title")), h("p", { class: "lead" }, t("device.lead")), details, form);
  if (!code) return;

  const { deviceSignInRequest: asking } = await request(LOOK, { userCode: code });
  if (isUserError(asking)) {
    showErrors(form, asking);
    return;
  }
  const outcome = h("div", { role: "status", class: "device-outcome" });
  const decide = async (document, field, messageKey) => {
    buttons.forEach((button) => { button.disabled = true; });
    try {
      const result = (await request(document, { userCode: asking.userCode }))[field];
      if (isUserError(result)) {
        replace(outcome, h("p", { class: "error-summary", role: "alert" }, result.message));
        return;
      }
      replace(outcome, h("p", { class: "notice notice--done" }, t(messageKey, { device: result.device })));
      actions.remove();
    } finally {
      buttons.forEach((button) => { button.disabled = false; });
    }
  };
  const buttons = [
    h("button", { type: "button", class: "button", id: "approve-device",
      onclick: () => decide(APPROVE, "approveDeviceSignIn", "device.approved") }, t("device.approve")),
    h("button", { type: "button", class: "button button--secondary", id: "deny-device",
      onclick: () => decide(DENY, "denyDeviceSignIn", "device.denied") }, t("device.deny")),
  ];
  const actions = h("div", { class: "actions" }, buttons);
  replace(details,
    h("dl", { class: "facts" },
      h("dt", {}, t("device.device")), h("dd", {}, asking.device),
      h("dt", {}, t("device.code")), h("dd", { class: "device-code" }, asking.userCode),
      h("dt", {}, t("device.requestedAt")), h("dd", {}, formatDateTime(asking.createdAt)),
      h("dt", {}, t("device.address")), h("dd", {}, asking.maskedAddress),
      h("dt", {}, t("device.expiresAt")), h("dd", {}, formatDateTime(asking.expiresAt))),
    h("p", {}, t("device.warning")),
    actions,
    outcome);
  form.remove();
}
