// 扫码登录 (RFC 8628 device flow): the TV shows a QR code of the phone's approval page and the code to check; the
// phone approves or denies; the TV hears it live (deviceSignInUpdated) and, while the live connection is down,
// by polling at the interval the server asks for (it grows after a SLOW_DOWN). Denial and expiry are said plainly
// with one button to get a new code. No typing anywhere.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { qrImageSource } from "../../shared/qr.js";
import { signedIn } from "../../shared/session.js";
import { t } from "../../shared/strings.js";

const ANSWER = `__typename
  ... on AuthPayload { token expiresAt account { id kind displayName } }
  ... on DeviceSignInError { code message interval }
  ... on UserError { code message }`;
const START = `mutation StartDeviceSignIn { startDeviceSignIn(terminal: TV) {
  __typename ... on DeviceSignIn { deviceCode userCode verificationUri expiresAt interval qrSvg }
  ... on UserError { code message }
} }`;
const POLL = `mutation PollDeviceSignIn($deviceCode: String!) { pollDeviceSignIn(deviceCode: $deviceCode) { ${ANSWER} } }`;
const UPDATED = `subscription DeviceSignInUpdated($deviceCode: String!) {
  deviceSignInUpdated(deviceCode: $deviceCode) { ${ANSWER} }
}`;
const FINAL = { ACCESS_DENIED: "tv.signIn.denied", EXPIRED_TOKEN: "tv.signIn.expired" };

export default async function render({ main, navigate, setTitle }) {
  setTitle(t("tv.signIn.title"));
  let stop = () => {};

  const ended = (messageKey) => {
    stop();
    replace(main,
      h("h1", {}, t("tv.signIn.title")),
      h("p", { class: "tv-outcome tv-outcome--error", role: "alert", id: "sign-in-outcome" }, t(messageKey)),
      h("p", {}, h("button", { type: "button", class: "tv-button", "data-autofocus": true,
        onclick: () => begin() }, t("tv.signIn.again"))));
    main.querySelector("button").focus();
  };

  const finish = (answer) => {
    if (!answer || answer.__typename === "DeviceSignInError" && !FINAL[answer.code]) return false;
    if (answer.__typename === "AuthPayload") {
      stop();
      signedIn(answer);
      navigate("/");
    } else {
      ended(FINAL[answer.code] ?? "tv.signIn.expired");
    }
    return true;
  };

  async function begin() {
    stop();
    replace(main, h("h1", {}, t("tv.signIn.title")), h("p", { class: "tv-lead", role: "status" }, t("tv.signIn.starting")));
    const { startDeviceSignIn: started } = await request(START);
    if (started.__typename !== "DeviceSignIn") {
      replace(main, h("h1", {}, t("tv.signIn.title")),
        h("p", { class: "tv-outcome tv-outcome--error", role: "alert" }, started.message),
        h("p", {}, h("a", { href: "#/", class: "tv-button" }, t("tv.back"))));
      return;
    }
    const status = h("p", { class: "tv-lead", role: "status", id: "sign-in-status" }, t("tv.signIn.waiting"));
    replace(main,
      h("h1", {}, t("tv.signIn.title")),
      h("div", { class: "tv-signin" },
        h("img", { class: "tv-qr", src: qrImageSource(started.qrSvg), alt: t("tv.signIn.qr"), width: 480, height: 480 }),
        h("div", { class: "tv-signin__text" },
          h("p", { class: "tv-lead" }, t("tv.signIn.steps")),
          h("p", { class: "tv-code-label" }, t("tv.signIn.code")),
          h("p", { class: "tv-code", id: "user-code" }, started.userCode),
          h("p", { class: "tv-url" }, `${t("tv.signIn.url")}：`, started.verificationUri),
          h("p", {}, t("tv.signIn.expires", { time: formatDateTime(started.expiresAt) })),
          status,
          h("p", {}, h("a", { href: "#/", class: "tv-button" }, t("tv.back"))))));

    // Polling while the live connection is down, at the pace the server sets.
    let interval = started.interval;
    let pollTimer = null;
    let live = false;
    const poll = async () => {
      pollTimer = null;
      if (live) return;
      try {
        const { pollDeviceSignIn: answer } = await request(POLL, { deviceCode: started.deviceCode });
        if (answer.interval) interval = answer.interval;
        if (finish(answer)) return;
      } catch {
        /* the network is down too: try again at the interval */
      }
      if (!live) pollTimer = setTimeout(poll, interval * 1000);
    };
    const unfollow = follow({
      query: UPDATED, variables: { deviceCode: started.deviceCode }, field: "deviceSignInUpdated",
      onEvent: finish,
      onStatus: (state) => {
        live = state === "live";
        if (!live && state !== "ended" && pollTimer === null) pollTimer = setTimeout(poll, interval * 1000);
      },
    });
    // The codes lapse at expiresAt whatever the connection does.
    const lapse = setTimeout(() => ended("tv.signIn.expired"),
      Math.max(0, Date.parse(started.expiresAt) - Date.now()));
    stop = () => {
      unfollow();
      clearTimeout(pollTimer);
      clearTimeout(lapse);
      stop = () => {};
    };
  }

  await begin();
  return () => stop();
}
