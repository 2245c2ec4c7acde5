// 扫码: the person at the counter shows their 鲁通码; a scanner that types (keyboard wedge) or the clerk enters
// the payload, and `scanLuTongCode(scene: GOVERNMENT_SERVICE)` returns their masked identity and the certificates
// this scene may see, logged in their access log. The visit is kept for this tab until the clerk ends it; from it
// the clerk applies for a bundle on the person's behalf (代办).
import { formatDate, formatDateTime, h, replace } from "../../shared/dom.js";
import { fieldId, isUserError, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { chosenCounter, currentVisit, endVisit, startVisit } from "../desk.js";

// `applicantId` and `consentExpiresAt`: the scan in GOVERNMENT_SERVICE at this counter is the person's consent to
// 代办 for 30 minutes, for this clerk only (the server records it with the scan, the hall and the counter).
const SCAN = `mutation Scan($payload: String!, $counter: String) {
  scanLuTongCode(payload: $payload, scene: GOVERNMENT_SERVICE, counterCode: $counter) {
    __typename
    ... on ScanResult { holder { maskedName maskedIdNumber } certificates { type name number validUntil } scene
                        scannedAt applicantId consentExpiresAt }
    ... on FormInvalid { code message errors { field code message } }
    ... on UserError { code message }
  }
}`;
const BUNDLES = `query WindowBundles { bundles(terminal: WINDOW, first: 100) { edges { node { code name audience promisedDays } } } }`;

async function scan(payload) {
  return (await request(SCAN, { payload, counter: chosenCounter() })).scanLuTongCode;
}

export default async function render({ main, navigate, setTitle }) {
  setTitle(t("window.visit.title"));
  const visit = currentVisit();
  const heading = h("h1", {}, t("window.visit.title"));
  if (!visit) {
    const input = h("input", { type: "text", id: fieldId("payload"), name: "payload", autocomplete: "off",
      spellcheck: "false", class: "input--code scan-input", "aria-describedby": "payload-hint", "data-autofocus": true });
    const button = h("button", { type: "submit", class: "button" }, t("window.visit.scan"));
    const form = h("form", { novalidate: true, class: "scan-form" },
      h("div", { class: "field" },
        h("label", { for: fieldId("payload") }, t("window.visit.payload")),
        h("span", { class: "hint", id: "payload-hint" }, t("window.visit.payloadHint")),
        input),
      h("div", { class: "actions" }, button));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const payload = input.value.trim();
      if (!payload) {
        showErrors(form, { __typename: "FormInvalid", code: "FORM_INVALID", message: "",
          errors: [{ field: "payload", message: t("window.visit.payloadRequired") }] });
        return;
      }
      button.disabled = true;
      button.textContent = t("window.visit.scanning");
      try {
        const result = await scan(payload);
        if (isUserError(result)) {
          // A code is single use: the person shows a fresh one, so the field is emptied for the next scan.
          input.value = "";
          showErrors(form, result);
        } else {
          startVisit(result);
          render({ main, navigate, setTitle });
          main.querySelector("h1")?.focus();
          return;
        }
      } catch (error) {
        showErrors(form, error);
      }
      button.disabled = false;
      button.textContent = t("window.visit.scan");
    });
    replace(main, heading, h("p", { class: "lead" }, t("window.visit.lead")), form);
    return;
  }
  heading.setAttribute("tabindex", "-1");
  const finish = h("button", { type: "button", class: "button button--secondary", onclick: () => {
    endVisit();
    render({ main, navigate, setTitle });
    main.querySelector("[data-autofocus]")?.focus();
  } }, t("window.visit.end"));
  replace(main, heading,
    h("p", { class: "lead", role: "status" }, t("window.visit.scanned", { time: formatDateTime(visit.scannedAt) })),
    h("div", { class: "desk-grid" },
      h("section", { class: "panel", "aria-labelledby": "person-title" },
        h("h2", { id: "person-title" }, t("window.visit.person")),
        h("dl", { class: "summary-list" },
          h("dt", {}, t("window.visit.name")), h("dd", {}, visit.holder.maskedName),
          h("dt", {}, t("window.visit.idNumber")), h("dd", {}, visit.holder.maskedIdNumber ?? t("window.visit.none"))),
        h("h3", {}, t("window.visit.certificates")),
        visit.certificates.length
          ? h("ul", { class: "certificate-list" }, visit.certificates.map((c) => h("li", {},
            h("strong", {}, c.name), " ", c.number,
            c.validUntil ? ` · ${t("window.visit.validUntil", { date: formatDate(c.validUntil) })}` : "")))
          : h("p", {}, t("window.visit.noCertificates"))),
      h("section", { class: "panel", "aria-labelledby": "proxy-title" },
        h("h2", { id: "proxy-title" }, t("window.visit.proxy")),
        await proxyChoices(visit))),
    h("div", { class: "actions" }, finish));
}

/** Until when the person's consent lasts and the bundles that can be applied for at a window, each a link to the
 * 代办 form; or why 代办 is not possible. */
async function proxyChoices(visit) {
  if (!visit.applicantId) return h("p", { class: "desk-notice" }, t("window.visit.proxyUnavailable"));
  const { bundles } = await request(BUNDLES);
  return [h("p", {}, t("window.visit.consentUntil", { time: formatDateTime(visit.consentExpiresAt) })),
    h("ul", { class: "bundle-links" }, bundles.edges.map(({ node }) => h("li", {},
    h("a", { href: `#/visit/apply/${encodeURIComponent(node.code)}` }, node.name),
    " ", h("span", { class: "muted" }, t("window.visit.promised", { days: node.promisedDays })))))];
}
