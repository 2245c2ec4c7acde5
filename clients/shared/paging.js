// "加载更多" under a list: the next pages of a connection appended to the first, one button, and any
// problem shown between the list and the button. The focus goes to the first new entry, so keyboard and
// screen-reader users carry on where the list grew.
import { h, replace } from "./dom.js";
import { showProblem } from "./errors.js";

/**
 * Page through a connection ({ totalCount, pageInfo { hasNextPage endCursor }, edges { node } }).
 *   list       the element the entries are appended to
 *   entry      node -> the element of one entry
 *   nextPage   async (after cursor) -> the next connection
 *   label, loadingLabel   the button's text, at rest and while loading
 *   onPage     called with every connection shown (to update a count, say)
 * Returns { controls, show }: `controls` goes under the list, `show(connection)` adds a page.
 */
export function pager({ list, entry, nextPage, label, loadingLabel, onPage = () => {} }) {
  const button = h("button", { type: "button", class: "button button--secondary", hidden: true }, label);
  const problem = h("div");
  let cursor = null;

  function show(connection) {
    const entries = connection.edges.map(({ node }) => entry(node));
    list.append(...entries);
    cursor = connection.pageInfo.endCursor;
    button.hidden = !connection.pageInfo.hasNextPage;
    onPage(connection);
    return entries;
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    button.textContent = loadingLabel;
    try {
      const [first] = show(await nextPage(cursor));
      replace(problem);
      const target = first?.querySelector("a") ?? first;
      if (target && !target.matches("a, button")) target.setAttribute("tabindex", "-1");
      target?.focus();
    } catch (error) {
      showProblem(problem, error);
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });

  return { controls: [problem, h("div", { class: "actions" }, button)], show };
}
