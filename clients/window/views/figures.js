// 诉求统计: the figures of the supervisor's region for a period (clients/shared/appeal-figures.js draws them; the
// public page of the phone and desktop shows the same for any region), and, for staff only, how often each policy
// answer of the knowledge base was cited by an answer given on the spot (`knowledgeUses`).
import { figuresBoard, periodOf } from "../../shared/appeal-figures.js";
import { h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";

const KNOWLEDGE_USES = "knowledgeUses(from: $from, to: $to) { uses entry { id current { title } } }";

/** How often each policy answer of the knowledge base was cited by an answer given on the spot in the period. */
function knowledgeTable(uses) {
  return h("div", { class: "table-wrap" }, h("table", { class: "figures-table", id: "figures-knowledge" },
    h("caption", {}, t("window.figures.knowledgeCaption")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("window.figures.knowledgeEntry")),
      h("th", { scope: "col" }, t("window.figures.knowledgeUses")))),
    h("tbody", {}, uses.map((use) => h("tr", {},
      h("th", { scope: "row" }, h("a", { href: `#/knowledge/${encodeURIComponent(use.entry.id)}` },
        use.entry.current.title)),
      h("td", { dataset: { figure: "uses" } }, String(use.uses)))))));
}

function knowledge(figures) {
  return h("section", { class: "panel figures-knowledge" }, h("h2", {}, t("window.figures.knowledgeHeading")),
    figures.knowledgeUses.length ? knowledgeTable(figures.knowledgeUses)
      : h("p", {}, t("window.figures.noKnowledgeUses")));
}

export default async function render({ main, query, navigate, staff, setTitle }) {
  const period = periodOf(query);
  const title = t("window.figures.title");
  setTitle(title);
  const board = figuresBoard({ current: period, region: () => staff.regionCode,
    navigate: (chosen) => navigate("/figures", chosen), status: (chosen) => t("figures.shownFor", chosen),
    more: KNOWLEDGE_USES, moreSections: knowledge });
  replace(main,
    h("p", { class: "desk-caption" }, t("window.supervise.region", { code: staff.regionCode })),
    h("h1", {}, title),
    h("p", { class: "lead" }, t("window.figures.lead")),
    board.form,
    board.results);
  await board.show(period);
}
