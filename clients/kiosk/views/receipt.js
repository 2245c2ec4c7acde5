// 受理回执: the application number, what was applied for, which departments handle it within how many working
// days, and what happens next; printed with the print stylesheet (only the receipt).
import { h, replace } from "../../shared/dom.js";
import { receiptArticle } from "../../shared/receipt.js";
import { t } from "../../shared/strings.js";

export default async function render({ main, params, go, setTitle }) {
  const { receipt } = params;
  setTitle(t("kiosk.receipt.title"));
  replace(main,
    receiptArticle(receipt, "kiosk.receipt", t("kiosk.receipt.kiosk", { hall: receipt.hall })),
    h("div", { class: "kiosk-actions no-print" },
      h("button", { type: "button", class: "button kiosk-button", onclick: () => window.print() }, t("kiosk.print")),
      h("button", { type: "button", class: "button button--secondary kiosk-button", onclick: () => go("home") },
        t("kiosk.back"))));
}
