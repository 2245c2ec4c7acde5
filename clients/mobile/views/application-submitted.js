// 提交成功: the confirmation right after a submission — the 受理编号 to quote, each item with the department that
// handles it and its promised days, the whole bundle's promised days, and what happens next (who acts, where the
// progress shows, 补正), with the way to the application page.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { applicationNotFound } from "./application.js";

const SUBMITTED = `query SubmittedApplication($id: ID!) {
  application(id: $id) {
    id number createdAt
    bundle { name promisedDays items { prerequisites item { code name } } }
    tasks { id item { code name promisedDays department { name } } }
  }
}`;

function days(n) {
  return n === 0 ? t("applications.submitted.now") : t("applications.submitted.days", { n });
}

function itemList(application) {
  const names = new Map(application.bundle.items.map(({ item }) => [item.code, item.name]));
  const waitsFor = new Map(application.bundle.items.map(({ item, prerequisites }) => [item.code, prerequisites]));
  return h("ol", { class: "submitted-items" }, application.tasks.map(({ id, item }) => {
    const before = waitsFor.get(item.code) ?? [];
    return h("li", { id: `submitted-${id}` },
      h("strong", {}, item.name),
      h("span", {}, t("applications.submitted.item", { department: item.department.name, days: days(item.promisedDays) })),
      h("span", { class: "muted" }, before.length
        ? t("applications.submitted.waitsFor", { items: before.map((code) => `“${names.get(code) ?? code}”`)
          .join(t("catalog.bundle.listSeparator")) })
        : t("applications.submitted.startsNow")));
  }));
}

export default async function render({ main, params, setTitle }) {
  const { application } = await request(SUBMITTED, { id: params.id });
  if (!application) {
    applicationNotFound(main, setTitle);
    return;
  }
  const page = `#/application/${encodeURIComponent(application.id)}`;
  setTitle(t("applications.submitted.title"));
  replace(main,
    h("div", { class: "confirmation", role: "status" },
      h("h1", {}, t("applications.submitted.title")),
      h("p", {}, t("applications.submitted.number")),
      h("p", { class: "confirmation__number" }, h("strong", {}, application.number)),
      h("p", {}, t("applications.submitted.keep"))),
    h("dl", { class: "summary-list" },
      h("dt", {}, t("applications.submitted.bundle")), h("dd", {}, application.bundle.name),
      h("dt", {}, t("applications.detail.submittedAt")), h("dd", {}, formatDateTime(application.createdAt)),
      h("dt", {}, t("applications.submitted.promised")),
      h("dd", {}, days(application.bundle.promisedDays), " ",
        h("span", { class: "muted" }, t("applications.submitted.promisedNote")))),
    h("h2", {}, t("applications.submitted.items")),
    itemList(application),
    h("h2", {}, t("applications.submitted.next")),
    h("ul", { class: "submitted-next" },
      ["departments", "progress", "supplement", "rating"].map((step) => h("li", {}, t(`applications.submitted.next.${step}`)))),
    h("p", { class: "actions" },
      h("a", { class: "button", href: page }, t("applications.submitted.follow")),
      h("a", { href: "#/applications" }, t("nav.applications"))));
}
