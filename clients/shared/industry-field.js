// The enterprise's industry (GB/T 4754-2017 门类, A–T) as a labelled select: at sign-up and in the account.
// The sections come from the API (`industries`), so the letters and names live in one place, the server's.
import { h } from "./dom.js";
import { fieldId } from "./errors.js";
import { query } from "./graphql.js";
import { t } from "./strings.js";

const INDUSTRIES = "query Industries { industries { code name } }";

/** The 20 sections, [{code, name}], from the API (kept for offline use like the catalog). */
export async function loadIndustries() {
  return (await query(INDUSTRIES)).data.industries;
}

/** A select named `industry` whose id is fieldId("industry"), so showErrors puts its error next to it. */
export function industryField(industries, selected = "") {
  const id = fieldId("industry");
  return h("div", { class: "field" },
    h("label", { for: id }, t("industry.label")),
    h("span", { class: "hint", id: `${id}-hint` }, t("industry.hint")),
    h("select", { id, name: "industry", "aria-describedby": `${id}-hint` },
      h("option", { value: "", selected: !selected }, t("industry.none")),
      industries.map(({ code, name }) => h("option", { value: code, selected: code === selected },
        t("industry.option", { code, name })))));
}
