// 扫码: the person at the counter shows their 鲁通码; a scanner that types (keyboard wedge) or the clerk enters
// the payload, and `scanLuTongCode(scene: GOVERNMENT_SERVICE)` returns their masked identity, the certificates and
// the older codes this scene may see, logged in their access log. The visit is kept for this tab until the clerk
// ends it; from it the clerk applies for a bundle on the person's behalf (代办).
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { chosenCounter, currentVisit, endVisit, startVisit } from "../desk.js";
import { SCAN_RESULT, personPanel, scanForm } from "../scanned.js";

// `applicantId` and `consentExpiresAt`: the scan in GOVERNMENT_SERVICE at this counter is the person's consent to
// 代办 for 30 minutes, for this clerk only (the server records it with the scan, the hall and the counter).
const SCAN = `mutation Scan($payload: String!, $counter: String) {
  scanLuTongCode(payload: $payload, scene: GOVERNMENT_SERVICE, counterCode: $counter) {
    ${SCAN_RESULT}
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
    const form = scanForm({ scan, onScanned: (result) => {
      startVisit(result);
      render({ main, navigate, setTitle });
      main.querySelector("h1")?.focus();
    } });
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
      personPanel(visit, { heading: t("window.visit.person") }),
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
