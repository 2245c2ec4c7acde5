// 一件事 on the TV: what it is, its items and departments, how long it takes, and where to apply.
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const BUNDLE = `query TvBundle($code: String!) {
  bundle(code: $code) { code name description promisedDays
    items { item { code name promisedDays department { name } } } }
}`;

export default async function render({ main, params, setTitle }) {
  const { bundle } = await request(BUNDLE, { code: params.code });
  if (!bundle) {
    navigateHome(main);
    return;
  }
  setTitle(bundle.name);
  replace(main,
    h("h1", {}, bundle.name),
    h("p", { class: "tv-lead" }, bundle.description),
    h("p", { class: "tv-meta" }, bundle.promisedDays
      ? t("tv.catalog.promised", { days: bundle.promisedDays }) : t("tv.catalog.instant")),
    h("h2", { class: "tv-subtitle" }, t("tv.bundle.items")),
    h("ol", { class: "tv-list" }, bundle.items.map(({ item }) => h("li", {},
      h("span", { class: "tv-list__title" }, item.name),
      h("span", { class: "tv-list__meta" }, `${item.department.name} · ${item.promisedDays
        ? t("tv.catalog.promised", { days: item.promisedDays }) : t("tv.catalog.instant")}`)))),
    h("p", { class: "tv-lead" }, t("tv.bundle.howTo")),
    h("p", {}, h("a", { href: "#/catalog", class: "tv-button", "data-autofocus": true }, t("tv.back"))));
}

function navigateHome(main) {
  replace(main, h("h1", {}, t("app.notFound")), h("p", {}, h("a", { href: "#/catalog", class: "tv-button" }, t("tv.back"))));
}
