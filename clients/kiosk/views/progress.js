// 我的办件: the person's applications with each item's state (read once; the kiosk is a short visit).
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const APPLICATIONS = `query KioskApplications {
  me { applications(first: 10) { edges { node {
    id number status createdAt bundle { name } tasks { id status item { name } }
  } } } }
}`;

export default async function render({ main, go, setTitle }) {
  setTitle(t("kiosk.progress.title"));
  const { me } = await request(APPLICATIONS);
  const applications = me?.applications.edges.map((e) => e.node) ?? [];
  replace(main, h("h1", {}, t("kiosk.progress.title")),
    applications.length ? h("ul", { class: "card-list" }, applications.map((a) => h("li", { class: "card kiosk-application" },
      h("h2", {}, a.bundle.name, " ", h("span", { class: "tag" }, t(`applications.status.${a.status}`))),
      h("p", { class: "muted" }, t("kiosk.receipt.number"), " ", a.number, " · ",
        t("kiosk.progress.submitted", { time: formatDateTime(a.createdAt) })),
      h("ul", {}, a.tasks.map((task) => h("li", {}, task.item.name, "：", t(`applications.task.${task.status}`)))))))
      : h("p", { class: "lead" }, t("kiosk.progress.none")),
    h("div", { class: "kiosk-actions" }, h("button", { type: "button", class: "button button--secondary kiosk-button",
      onclick: () => go("home") }, t("kiosk.back"))));
}
