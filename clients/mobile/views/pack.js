// One pack of the inbox (明白纸): opening it records the enterprise's read receipt (openPolicyPack), once; then its
// plain-language points and its links to the catalog and to policy documents.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { isUserError, showProblem } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const OPEN = `mutation OpenPolicyPack($id: ID!) {
  openPolicyPack(id: $id) {
    __typename ... on UserError { code message }
    ... on PolicyPackDelivery {
      id read readAt readBy enterpriseName pushedAt
      pack { id title summary regionCode allIndustries industries { code name }
             sections { heading text } links { kind target title } }
    }
  }
}`;

function link({ kind, target, title }) {
  const label = `${t(`packs.link.${kind}`)}：${title}`;
  if (kind === "BUNDLE") return h("a", { href: `#/bundle/${encodeURIComponent(target)}` }, label);
  if (kind === "DOCUMENT") return h("a", { href: target, rel: "noopener noreferrer", target: "_blank" }, label);
  return h("span", {}, label);
}

export default async function render({ main, params, setTitle }) {
  const { openPolicyPack: delivery } = await request(OPEN, { id: params.id });
  if (isUserError(delivery)) {
    setTitle(t("errors.title"));
    showProblem(main, delivery);
    return;
  }
  const { pack } = delivery;
  setTitle(pack.title);
  const industries = pack.allIndustries ? t("packs.allIndustries") : pack.industries.map((i) => i.name).join("、");
  replace(main,
    h("p", {}, h("a", { href: "#/packs" }, t("packs.back"))),
    h("h1", {}, pack.title),
    h("p", { class: "lead" }, pack.summary),
    h("p", { class: "muted" }, [t("packs.pushedAt", { time: formatDateTime(delivery.pushedAt) }), industries,
      t("packs.region", { code: pack.regionCode })].join(" · ")),
    h("p", { class: "tag tag--done", id: "pack-read" }, t("packs.read")),
    h("p", { class: "muted" }, t("packs.readBy", { name: delivery.readBy, time: formatDateTime(delivery.readAt) })),
    h("ol", { class: "pack-sections" }, pack.sections.map((section) => h("li", { class: "card" },
      h("h2", {}, section.heading), h("p", { class: "pack-section__text" }, section.text)))),
    pack.links.length ? [h("h2", {}, t("packs.links")),
      h("ul", { class: "pack-links" }, pack.links.map((l) => h("li", {}, link(l))))] : null);
}
