// 在家办事: the bundles offered on the TV. No search box: the words to pick are the keywords of those bundles
// (categories and popular words), and picking one searches with it.
import { h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const BUNDLE_FIELDS = "code name description promisedDays keywords items { item { code } }";
const BUNDLES = `query TvBundles($search: String) {
  bundles(terminal: TV, search: $search, first: 50) { totalCount edges { node { ${BUNDLE_FIELDS} } } }
}`;
const WORDS_SHOWN = 10;

/** The keywords of the bundles offered on the TV, most shared first, each once. */
function popularWords(bundles) {
  const counts = new Map();
  for (const bundle of bundles) {
    for (const word of bundle.keywords) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, WORDS_SHOWN).map(([word]) => word);
}

export default async function render({ main, query, navigate, setTitle }) {
  setTitle(t("tv.catalog.title"));
  const word = query.word ?? "";
  const everything = (await request(BUNDLES, { search: null })).bundles.edges.map((e) => e.node);
  const shown = word ? (await request(BUNDLES, { search: word })).bundles.edges.map((e) => e.node) : everything;
  const chip = (label, value) => h("li", {}, h("button", {
    type: "button", class: "tv-chip", "aria-pressed": String(value === word), "data-autofocus": value === word,
    onclick: () => navigate("/catalog", value ? { word: value } : {}),
  }, label));
  replace(main,
    h("h1", {}, t("tv.catalog.title")),
    h("nav", { "aria-labelledby": "words-title" },
      h("h2", { id: "words-title", class: "tv-subtitle" }, t("tv.catalog.words")),
      h("ul", { class: "tv-chips" }, chip(t("tv.catalog.all"), ""), popularWords(everything).map((w) => chip(w, w)))),
    h("h2", { class: "tv-subtitle", id: "results-title" }, t("tv.catalog.results", { count: shown.length })),
    shown.length
      ? h("ul", { class: "tv-cards", "aria-labelledby": "results-title" }, shown.map((bundle) => h("li", {},
        h("a", { href: `#/bundle/${encodeURIComponent(bundle.code)}`, class: "tv-card" },
          h("span", { class: "tv-card__title" }, bundle.name),
          h("span", { class: "tv-card__text" }, bundle.description),
          h("span", { class: "tv-card__meta" }, bundle.promisedDays
            ? t("tv.catalog.promised", { days: bundle.promisedDays }) : t("tv.catalog.instant"))))))
      : h("p", { class: "tv-lead" }, t("tv.catalog.none")));
}
