// 受理回执: what the person takes home after 代办 — the 受理编号, what was applied for, which departments handle
// it and within how many working days, and where to follow it. Printed with the print stylesheet
// (styles/print.css): only the receipt, in black on white. Kept from the submission in this tab; otherwise (found
// by its number) read again while the person's consent to the clerk stands, each read in their access log.
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { receiptArticle } from "../../shared/receipt.js";
import { t } from "../../shared/strings.js";
import { receiptOf } from "../desk.js";

const APPLICATION = `query ReceiptApplication($id: ID!) {
  application(id: $id) {
    id number createdAt applicant { displayName }
    bundle { name promisedDays }
    tasks { item { name promisedDays department { name } } }
  }
}`;

/** The receipt of an application read from the API, as the submission would have kept it. */
async function receiptFromApi(id, clerk) {
  const { application } = await request(APPLICATION, { id });
  if (!application) return null;
  return { id: application.id, number: application.number, createdAt: application.createdAt,
    bundle: application.bundle.name, promisedDays: application.bundle.promisedDays,
    person: application.applicant.displayName, clerk,
    items: application.tasks.map(({ item }) => ({ name: item.name, department: item.department.name,
      promisedDays: item.promisedDays })) };
}

export default async function render({ main, params, staff, setTitle }) {
  const receipt = receiptOf(params.id) ?? await receiptFromApi(params.id, staff.account.displayName);
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
