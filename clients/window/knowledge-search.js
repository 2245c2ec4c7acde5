// 查找政策答复: the 96178 seat types the caller's question as it was asked and gets the policy answers in force for
// the caller's region (`knowledgeSearch`), best first, each with the sentence nearest the question; "查看全文"
// unfolds the whole answer with its basis and validity, and "选用这条答复" (where the screen offers it) hands the hit
// to `onUse`. The API judges the question: its refusals are shown at their fields.
import { formatDate, h, replace } from "../shared/dom.js";
import { USER_ERROR_FIELDS, clearErrors, fieldId, isUserError, showErrors } from "../shared/errors.js";
import { request } from "../shared/graphql.js";
import { t } from "../shared/strings.js";

export const VERSION_FIELDS = `number status title phrasings answer basis { title departmentCode url } category
  regionCode validFrom validUntil action note authorName at`;
const SEARCH = `query KnowledgeSearch($query: String!, $regionCode: String, $first: Int) {
  knowledgeSearch(query: $query, regionCode: $regionCode, first: $first) {
    ... on KnowledgeHits { hits { score snippet entry { id version current { ${VERSION_FIELDS} } } } }
    ${USER_ERROR_FIELDS}
  }
}`;

/** Where and when an answer applies, as people read it. */
export function validity(version) {
  return version.validUntil
    ? t("window.knowledge.validRange", { from: formatDate(version.validFrom), until: formatDate(version.validUntil) })
    : t("window.knowledge.validFrom", { from: formatDate(version.validFrom) });
}

/** The whole of one version: the answer, how callers ask it, its basis, category, region and validity. */
export function versionDetails(version, departments) {
  const basis = version.basis;
  const rows = [
    [t("window.knowledge.answer"), h("p", { class: "knowledge-answer" }, version.answer)],
    [t("window.knowledge.phrasings"), version.phrasings.length
      ? h("ul", { class: "knowledge-phrasings" }, version.phrasings.map((line) => h("li", {}, line))) : "—"],
    [t("window.knowledge.basis"), [t("window.knowledge.basisLine", {
      title: basis.title, department: departments.get(basis.departmentCode) ?? basis.departmentCode }),
    basis.url ? [" ", h("a", { href: basis.url, target: "_blank", rel: "noopener" }, basis.url)] : null]],
    [t("window.knowledge.category"), t(`appeals.category.${version.category}`)],
    [t("window.knowledge.region"), version.regionCode],
    [t("window.knowledge.validity"), validity(version)],
  ];
  return h("dl", { class: "summary-list" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

/**
 * The search box and its results. `regionCode`: the caller's region (null: every region); `initial`: the question
 * to start with; `onUse(hit)`: offered as "选用这条答复" when given; `departments`: code -> name.
 */
export function knowledgeSearch({ regionCode = null, initial = "", onUse = null, departments }) {
  const id = fieldId("query");
  const input = h("input", { id, name: "query", type: "search", value: initial, autocomplete: "off",
    "aria-describedby": `${id}-hint` });
  const button = h("button", { type: "submit", class: "button button--secondary" }, t("window.knowledge.searchButton"));
  const form = h("form", { class: "knowledge-search", role: "search", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: id }, t("window.knowledge.searchLabel")),
      h("span", { class: "hint", id: `${id}-hint` }, t("window.knowledge.searchHint")),
      input),
    h("div", { class: "actions" }, button));
  const status = h("p", { class: "knowledge-status", role: "status", "aria-live": "polite" });
  const results = h("ol", { class: "knowledge-hits" });

  function hitItem(hit) {
    const version = hit.entry.current;
    const full = h("div", { class: "knowledge-full", hidden: true }, versionDetails(version, departments));
    const toggle = h("button", { type: "button", class: "link-button", "aria-expanded": "false" },
      t("window.knowledge.open"));
    toggle.addEventListener("click", () => {
      full.hidden = !full.hidden;
      toggle.setAttribute("aria-expanded", String(!full.hidden));
      toggle.textContent = t(full.hidden ? "window.knowledge.open" : "window.knowledge.close");
    });
    return h("li", { class: "knowledge-hit" },
      h("h4", {}, version.title),
      h("p", { class: "knowledge-snippet" }, hit.snippet),
      h("p", { class: "muted" }, t("window.knowledge.score", { score: Math.round(hit.score * 100) }), " · ",
        version.basis.title),
      h("div", { class: "actions" },
        onUse ? h("button", { type: "button", class: "button", onclick: () => onUse(hit) },
          t("window.knowledge.use")) : null,
        toggle),
      full);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    status.textContent = t("window.knowledge.searching");
    try {
      const found = (await request(SEARCH, { query: input.value, regionCode, first: 5 })).knowledgeSearch;
      if (isUserError(found)) {
        status.textContent = "";
        replace(results);
        showErrors(form, found);
        return;
      }
      clearErrors(form);
      status.textContent = found.hits.length ? t("window.knowledge.hitCount", { n: found.hits.length })
        : t("window.knowledge.noHits");
      replace(results, found.hits.map(hitItem));
    } catch (error) {
      status.textContent = "";
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });

  return h("div", { class: "knowledge-search-block" }, form, status, results);
}
