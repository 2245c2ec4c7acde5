// 受理回执: what a person takes home after applying at a hall (the window's 代办, the kiosk) — the application
// number (受理编号), what was applied for, by whom and where, which departments handle it within how many working days, and
// what happens next. `prefix` names the terminal's strings (window.receipt, kiosk.receipt); `channel` says where.
import { formatDateTime, h } from "./dom.js";
import { t } from "./strings.js";

/** The receipt of `receipt` ({id, number (受理编号), createdAt, bundle, person, promisedDays, items: [{name, department, promisedDays}]}). */
export function receiptArticle(receipt, prefix, channel) {
  return h("article", { class: "receipt", "aria-labelledby": "receipt-title" },
    h("h1", { id: "receipt-title" }, t(`${prefix}.title`)),
    h("p", { class: "receipt__number" }, t(`${prefix}.number`), " ", h("strong", {}, receipt.number)),
    h("dl", { class: "summary-list" },
      h("dt", {}, t(`${prefix}.bundle`)), h("dd", {}, receipt.bundle),
      h("dt", {}, t(`${prefix}.applicant`)), h("dd", {}, receipt.person),
      h("dt", {}, t(`${prefix}.submittedAt`)), h("dd", {}, formatDateTime(receipt.createdAt)),
      h("dt", {}, t(`${prefix}.channel`)), h("dd", {}, channel),
      h("dt", {}, t(`${prefix}.promised`)), h("dd", {}, t(`${prefix}.days`, { days: receipt.promisedDays }))),
    h("h2", {}, t(`${prefix}.next`)),
    h("ol", {}, receipt.items.map((item) => h("li", {},
      t(`${prefix}.item`, { item: item.name, department: item.department, days: item.promisedDays })))),
    h("p", {}, t(`${prefix}.follow`)));
}

