// One pack for its staff: what it says, where and to which industries it went, and how far it got — targeted,
// delivered, read and the read rate, in all and by region — updated live as enterprises open it
// (policyPackUpdated). A draft is published from here.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, isUserError } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { t } from "../../shared/strings.js";

export const FIGURES = "targeted delivered read readRate";
const KEYS = ["targeted", "delivered", "read", "readRate"];
const PACK = `query PolicyPack($id: ID!) {
  policyPack(id: $id) {
    id title summary status version regionCode publishedAt allIndustries industries { code name }
    sections { heading text }
    figures { total { ${FIGURES} } byRegion { regionCode regionName ${FIGURES} } }
  }
}`;
const PUBLISH = `mutation PublishPolicyPack($id: ID!, $version: Int!) {
  publishPolicyPack(id: $id, version: $version) { ${USER_ERROR_FIELDS} ... on PolicyPack { id version } }
}`;
const LIVE = `subscription PackUpdated($id: ID!, $after: String) {
  policyPackUpdated(id: $id, after: $after) { cursor kind }
}`;

/** A read rate as a percentage; none (nobody targeted) as a dash. */
export function rate(value) {
  return value === null || value === undefined ? t("window.packs.rateNone") : `${(value * 100).toFixed(1)}%`;
}

function shown(key, value) {
  return key === "readRate" ? rate(value) : String(value);
}

function figuresTable(figures) {
  const line = (label, reach, attributes = {}) => h("tr", attributes, h("th", { scope: "row" }, label),
    KEYS.map((key) => h("td", { dataset: { figure: key } }, shown(key, reach[key]))));
  return h("div", { class: "table-wrap" }, h("table", { class: "desk-table figures-table", id: "pack-figures" },
    h("caption", {}, t("window.packs.detail.byRegion")),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("window.packs.col.region")),
      KEYS.map((key) => h("th", { scope: "col" }, t(`window.packs.col.${key}`))))),
    h("tbody", {}, figures.byRegion.map((reach) => line(reach.regionName ?? reach.regionCode, reach,
      { dataset: { region: reach.regionCode } }))),
    h("tfoot", {}, line(t("window.packs.detail.total"), figures.total, { id: "pack-total" }))));
}

export default async function render({ main, params, navigate, setTitle }) {
  const status = h("p", { role: "status", class: "status-line" });
  const figures = h("section", { class: "panel", "aria-labelledby": "figures-heading" });

  async function load() {
    const { policyPack: pack } = await request(PACK, { id: params.id });
    return pack;
  }

  const pack = await load();
  if (!pack) {
    setTitle(t("app.notFound"));
    replace(main, h("h1", {}, t("app.notFound")));
    return undefined;
  }
  const drawFigures = (current) => replace(figures,
    h("h2", { id: "figures-heading" }, t("window.packs.detail.figures")),
    h("p", { class: "muted" }, t("window.packs.detail.live")),
    figuresTable(current.figures));
  drawFigures(pack);
  setTitle(pack.title);
  const industries = pack.allIndustries ? t("window.packs.compose.allIndustries")
    : pack.industries.map((i) => `${i.code} ${i.name}`).join("、");
  const publish = pack.status === "DRAFT" ? h("button", { type: "button", class: "button", onclick: async (event) => {
    event.currentTarget.disabled = true;
    const { publishPolicyPack: result } = await request(PUBLISH, { id: pack.id, version: pack.version });
    if (isUserError(result)) status.textContent = result.message;
    else navigate("/packs");
  } }, t("window.packs.detail.publish")) : null;
  replace(main,
    h("p", {}, h("a", { href: "#/packs" }, t("window.packs.detail.back"))),
    h("h1", {}, pack.title),
    h("p", { class: "lead" }, pack.summary),
    h("p", { class: "muted" }, [t(`window.packs.status.${pack.status}`), pack.regionCode,
      t("window.packs.detail.industries", { list: industries }),
      pack.publishedAt ? t("window.packs.detail.published", { time: formatDateTime(pack.publishedAt),
        version: pack.version }) : null].filter(Boolean).join(" · ")),
    publish, status,
    h("div", { class: "desk-grid desk-grid--task" },
      figures,
      h("section", { class: "panel", "aria-labelledby": "sections-heading" },
        h("h2", { id: "sections-heading" }, t("window.packs.detail.sections")),
        h("ol", {}, pack.sections.map((s) => h("li", {}, h("strong", {}, s.heading), h("p", {}, s.text)))))));
  return follow({
    query: LIVE, variables: { id: pack.id }, field: "policyPackUpdated",
    onEvent: async () => {
      const fresh = await load();
      if (fresh) drawFigures(fresh);
    },
  });
}
