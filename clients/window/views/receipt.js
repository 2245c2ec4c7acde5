// 受理回执: what the person takes home after 代办 — the application number, what was applied for, which
// departments handle it and within how many working days, and where to follow it. Printed with the print
// stylesheet (styles/print.css): only the receipt, in black on white.
import { h, replace } from "../../shared/dom.js";
import { receiptArticle } from "../../shared/receipt.js";
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
    receiptArticle(receipt, "window.receipt", t("window.receipt.window", { clerk: receipt.clerk })),
    h("div", { class: "actions no-print" },
      h("button", { type: "button", class: "button", onclick: () => window.print() }, t("window.receipt.print")),
      h("a", { href: "#/visit" }, t("window.receipt.back"))));
}
