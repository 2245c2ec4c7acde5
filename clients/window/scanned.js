// A 鲁通码 scan at a desk, shared by the window clerk's visit (政务服务) and a scene operator's scan screen (a
// hotel desk, a hospital): the scan form a scanner types into (keyboard wedge, ended by Enter) or the clerk fills
// by hand, and what the scan showed: the masked identity, the licences and the older codes the scene may see.
import { formatDate, h } from "../shared/dom.js";
import { clearErrors, fieldId, isUserError, showErrors } from "../shared/errors.js";
import { t } from "../shared/strings.js";

// What every desk asks of a scan; `scanLuTongCode(...) { ${SCAN_RESULT} }`.
export const SCAN_RESULT = `__typename
    ... on ScanResult { holder { maskedName maskedIdNumber } certificates { type name number validUntil }
                        legacyCodes { type name value } scene scannedAt applicantId consentExpiresAt }
    ... on FormInvalid { code message errors { field code message } }
    ... on UserError { code message }`;

/** The scan form: `scan(payload)` asks the API; `onScanned(result)` is told of each successful scan. */
export function scanForm({ scan, onScanned }) {
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
      // A code is single use: the person shows a fresh one, so the field is emptied for the next scan.
      input.value = "";
      if (isUserError(result)) {
        showErrors(form, result);
      } else {
        clearErrors(form);
        onScanned(result);
      }
    } catch (error) {
      showErrors(form, error);
    }
    button.disabled = false;
    button.textContent = t("window.visit.scan");
  });
  return form;
}

/** Who showed the code and what this scene may see of them: licences and older codes, numbers masked. */
export function personPanel(result, { heading }) {
  return h("section", { class: "panel", "aria-labelledby": "person-title" },
    h("h2", { id: "person-title" }, heading),
    h("dl", { class: "summary-list" },
      h("dt", {}, t("window.visit.name")), h("dd", {}, result.holder.maskedName),
      h("dt", {}, t("window.visit.idNumber")), h("dd", {}, result.holder.maskedIdNumber ?? t("window.visit.none"))),
    h("h3", {}, t("window.visit.certificates")),
    result.certificates.length
      ? h("ul", { class: "certificate-list" }, result.certificates.map((c) => h("li", {},
        h("strong", {}, c.name), " ", c.number,
        c.validUntil ? ` · ${t("window.visit.validUntil", { date: formatDate(c.validUntil) })}` : "")))
      : h("p", {}, t("window.visit.noCertificates")),
    h("h3", {}, t("window.visit.legacyCodes")),
    result.legacyCodes.length
      ? h("ul", { class: "legacy-code-list" }, result.legacyCodes.map((c) => h("li", {},
        h("strong", {}, c.name), " ", c.value)))
      : h("p", {}, t("window.visit.noLegacyCodes")));
}
