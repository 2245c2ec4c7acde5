// 受理回执: what the person takes home after 代办 — the application number, what was applied for, which
// departments handle it and within how many working days, and where to follow it. Printed with the print
// stylesheet (styles/print.css): only the receipt, in black on white.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";
import { receiptOf } from "../desk.js";

export default async function render({ main, params, setTitle }) {
  const receipt = receiptOf(params.id);
  if (!receipt) {
    setTitle(t("window.receipt.missing"));
    replace(main, h("h1", {}, t("window.receipt.missing")), h("p", {}, h("a", { href: "#/visit" }, t("window.nav.visit"))));
    return;
  }
  setTitle(t("window.receipt.title"));
  replace(main,
    h("article", { class: "receipt", "aria-labelledby": "receipt-title" },
      h("h1", { id: "receipt-title" }, t("window.receipt.title")),
      h("p", { class: "receipt__number" }, t("window.receipt.number"), " ", h("strong", {}, receipt.id)),
      h("dl", { class: "summary-list" },
        h("dt", {}, t("window.receipt.bundle")), h("dd", {}, receipt.bundle),
        h("dt", {}, t("window.receipt.applicant")), h("dd", {}, receipt.person),
        h("dt", {}, t("window.receipt.submittedAt")), h("dd", {}, formatDateTime(receipt.createdAt)),
        h("dt", {}, t("window.receipt.channel")), h("dd", {}, t("window.receipt.window", { clerk: receipt.clerk })),
        h("dt", {}, t("window.receipt.promised")), h("dd", {}, t("window.receipt.days", { days: receipt.promisedDays }))),
      h("h2", {}, t("window.receipt.next")),
      h("ol", {}, receipt.items.map((item) => h("li", {},
        t("window.receipt.item", { item: item.name, department: item.department, days: item.promisedDays })))),
      h("p", {}, t("window.receipt.follow"))),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", class: "button", onclick: () => window.print() }, t("window.receipt.print")),
      h("a", { href: "#/visit" }, t("window.receipt.back"))));
}
