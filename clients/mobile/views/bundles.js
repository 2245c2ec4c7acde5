// The 一件事 list: search (submit-based, the term kept in the URL as ?q=), an audience filter and
// "load more" paging. Loaded over GET, so the service worker keeps the last answer for offline use. A search also
// finds single items (单事项: a bundle of one, code `item-...`), ranked with the bundles, shown with their
// department; they open the same bundle page and apply flow. A signed-in person's open offers (免申即享) come
// first.
import { openOffersSection } from "../offers.js";
import { h, replace } from "../../shared/dom.js";
import { showProblem } from "../../shared/errors.js";
import { query as get } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";

const PAGE_SIZE = 10;
const MAX_SEARCH_LENGTH = 50;
const BUNDLES = `query Bundles($audience: Audience, $search: String, $first: Int, $after: String) {
  bundles(audience: $audience, search: $search, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { code name description audience national promisedDays singleItem
      items { item { code department { name } } } } }
  }
}`;
const AUDIENCES = ["CITIZEN", "ENTERPRISE"];

/** The audience shown: the one chosen in the URL, else an enterprise's own bundles, else all. */
function audienceOf(query, session) {
  if (AUDIENCES.includes(query.audience)) return query.audience;
  if (query.audience !== "all" && session?.account.kind === "ENTERPRISE") return "ENTERPRISE";
  return null;
}

function listHref(params) {
  const search = new URLSearchParams(Object.entries(params).filter(([, value]) => value)).toString();
  return `#/${search ? `?${search}` : ""}`;
}

function promisedDays(days) {
  return days === 0 ? t("catalog.daysNow") : t("catalog.days", { n: days });
}

function bundleCard(bundle) {
  const [only] = bundle.items;
  return h("li", { class: `card bundle-card${bundle.singleItem ? " bundle-card--single" : ""}` },
    h("h2", {}, h("a", { href: `#/bundle/${encodeURIComponent(bundle.code)}` }, bundle.name)),
    h("p", { class: "bundle-card__description" }, bundle.description),
    h("ul", { class: "bundle-card__facts" },
      h("li", {}, promisedDays(bundle.promisedDays)),
      bundle.singleItem ? h("li", {}, t("single.department", { department: only.item.department.name }))
        : h("li", {}, t("catalog.itemCount", { n: bundle.items.length }))),
    h("p", { class: "bundle-card__tags" },
      bundle.singleItem ? h("span", { class: "tag tag--single" }, t("single.tag")) : null,
      h("span", { class: "tag" }, t(`catalog.audience.${bundle.audience}`)),
      bundle.national ? h("span", { class: "tag tag--national" }, t("catalog.national")) : null));
}

function searchForm(term, audienceParam, navigate) {
  const input = h("input", {
    type: "search", id: "catalog-search", name: "q", value: term, maxlength: MAX_SEARCH_LENGTH,
    enterkeyhint: "search", "aria-describedby": "catalog-search-hint",
  });
  const form = h("form", { class: "catalog-search", role: "search" },
    h("div", { class: "field" },
      h("label", { for: "catalog-search" }, t("catalog.search.label")),
      h("span", { class: "hint", id: "catalog-search-hint" }, t("catalog.search.hint")),
      h("div", { class: "catalog-search__row" }, input,
        h("button", { type: "submit", class: "button" }, t("catalog.search.submit")))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    navigate("/", Object.fromEntries(Object.entries({ q: input.value.trim(), audience: audienceParam })
      .filter(([, value]) => value)));
  });
  return form;
}

function audienceFilter(term, audience) {
  const options = [["all", null], ...AUDIENCES.map((value) => [value, value])];
  return h("div", { class: "audience-filter", role: "group", "aria-labelledby": "audience-filter-label" },
    h("span", { class: "audience-filter__label", id: "audience-filter-label" }, t("catalog.audience.label")),
    h("ul", {}, options.map(([param, value]) => h("li", {}, h("a", {
      href: listHref({ q: term, audience: param }), "aria-current": value === audience ? "true" : null,
    }, t(`catalog.audience.${param}`))))));
}

export default async function render({ main, query, navigate, session, setTitle, offline }) {
  const term = (query.q ?? "").trim();
  const audience = audienceOf(query, session);
  setTitle(term ? t("catalog.searchTitle", { q: term }) : t("catalog.title"));

  const status = h("p", { class: "catalog-count", role: "status" });
  const list = h("ul", { class: "card-list card-list--grid bundle-list" });
  const nextPage = async (after) => {
    const { data, fromCache } = await get(BUNDLES, { audience, search: term || null, first: PAGE_SIZE, after });
    if (fromCache) offline(true);
    return data.bundles;
  };
  const { controls, show } = pager({
    list, entry: bundleCard, nextPage, label: t("catalog.more"), loadingLabel: t("catalog.moreLoading"),
    onPage: ({ totalCount }) => {
      status.textContent = term ? t("catalog.found", { q: term, n: totalCount }) : t("catalog.count", { n: totalCount });
    },
  });
  const more = h("div", { class: "catalog-more" }, controls);
  const offers = h("div", { class: "home-offers" });
  replace(main,
    h("h1", {}, t("catalog.title")),
    h("p", { class: "lead" }, t("catalog.lead")),
    offers,
    searchForm(term, query.audience, navigate),
    audienceFilter(term, audience),
    term ? h("p", {}, h("a", { href: listHref({ audience: query.audience }) }, t("catalog.search.clear"))) : null,
    status, list, more);
  openOffersSection({ session, navigate }).then((section) => section && replace(offers, section));
  try {
    const first = await nextPage(null);
    show(first);
    if (!first.totalCount) replace(more, h("p", {}, t("catalog.empty")));
  } catch (error) {
    showProblem(controls[0], error);
  }
}
