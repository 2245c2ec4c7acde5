// A bundle (一件事): what it covers, its items step by step (the prerequisite graph in words), the
// promised days, the terminals it can be done on, the merged form and the materials — for a signed-in applicant,
// which materials their e-licences already provide. When it cannot be applied for here (not on this terminal, or
// not for this kind of account) the page says so first, with where it can be done, and offers no form. Each item
// of a bundle offered on this terminal can be applied for on its own (单独办理: its bundle of one, `item-...`); a
// single item's own page (单事项) says so.
// Loaded over GET, so a bundle visited once opens offline.
import { CHANNEL, availability, availabilityNotice } from "../availability.js";
import { h, replace } from "../../shared/dom.js";
import { showProblem } from "../../shared/errors.js";
import { query as get } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const BUNDLE = `query Bundle($code: String!) {
  bundle(code: $code) {
    code name description audience national promisedDays channels singleItem
    items { prerequisites item { code name promisedDays issues channels bundleCode department { code name } } }
    form {
      fields { key prefilledFrom }
      materials { code name required issuedBy certificateType { code name } heldLicence { name number } }
    }
  }
}`;

/**
 * The items grouped into steps: an item without prerequisites is in step 1, any other one step after
 * the last of its prerequisites, so the items of one step run at the same time.
 */
function steps(items) {
  const byCode = new Map(items.map((entry) => [entry.item.code, entry]));
  const stepOf = new Map();
  const step = (code) => {
    if (!stepOf.has(code)) {
      const { prerequisites } = byCode.get(code);
      stepOf.set(code, prerequisites.length ? 1 + Math.max(...prerequisites.map(step)) : 0);
    }
    return stepOf.get(code);
  };
  const groups = [];
  for (const entry of items) (groups[step(entry.item.code)] ??= []).push(entry);
  return groups;
}

function quotedNames(codes, byCode) {
  return codes.map((code) => t("catalog.bundle.item.quoted", { name: byCode.get(code).item.name }))
    .join(t("catalog.bundle.listSeparator"));
}

function days(n) {
  return n === 0 ? t("catalog.bundle.promisedNow") : t("catalog.bundle.promisedDays", { n });
}

/** 单独办理: the item's own bundle, when this is not it already and the item is offered on this terminal. */
function applyAlone(item, bundle) {
  if (bundle.singleItem || !item.channels.includes(CHANNEL)) return null;
  return h("p", { class: "bundle-item__alone" }, h("a", { href: `#/bundle/${encodeURIComponent(item.bundleCode)}`,
    "aria-label": t("single.applyAloneLabel", { item: item.name }) }, t("single.applyAlone")));
}

function stepList(bundle) {
  const byCode = new Map(bundle.items.map((entry) => [entry.item.code, entry]));
  return h("ol", { class: "bundle-steps" }, steps(bundle.items).map((group, index) => h("li", {},
    h("h3", {}, group.length > 1
      ? t("catalog.bundle.stepTogether", { n: index + 1, count: group.length })
      : t("catalog.bundle.step", { n: index + 1 })),
    h("ul", { class: "bundle-items" }, group.map(({ item, prerequisites }) => h("li", { class: "card bundle-item" },
      h("h4", {}, item.name),
      h("dl", { class: "summary-list" },
        h("dt", {}, t("catalog.bundle.item.department")), h("dd", {}, item.department.name),
        h("dt", {}, t("catalog.bundle.item.days")), h("dd", {}, days(item.promisedDays))),
      h("p", { class: "bundle-item__start" }, prerequisites.length
        ? t("catalog.bundle.item.waitsFor", { items: quotedNames(prerequisites, byCode) })
        : t("catalog.bundle.item.startsAtOnce")),
      applyAlone(item, bundle)))))));
}

/** How each material is provided: an e-licence the applicant holds, an item of this bundle, or an upload. */
function provision(material, bundle) {
  if (material.heldLicence) return { kind: "held" };
  const issuer = material.issuedBy && bundle.items.find(({ item }) => item.code === material.issuedBy);
  return issuer ? { kind: "issued", item: issuer.item } : { kind: "upload" };
}

function materialEntry(material, bundle, session) {
  const { kind, item } = provision(material, bundle);
  let status;
  if (kind === "held") {
    status = [h("span", { class: "tag tag--done" }, t("catalog.bundle.materials.held")),
      h("span", { class: "muted" }, t("catalog.bundle.materials.heldLicence", material.heldLicence))];
  } else if (kind === "issued") {
    status = [h("span", { class: "tag" }, t("catalog.bundle.materials.issued")),
      h("span", { class: "muted" }, t("catalog.bundle.materials.issuedBy", { item: item.name }))];
  } else {
    status = [h("span", { class: "tag tag--warning" }, t("catalog.bundle.materials.upload")),
      !session && material.certificateType
        ? h("span", { class: "muted" }, t("catalog.bundle.materials.licenceAccepted", material.certificateType))
        : null];
  }
  return h("li", { class: "material", dataset: { provision: kind } },
    h("span", { class: "material__name" }, material.name,
      material.required ? null : t("catalog.bundle.materials.optional")),
    h("span", { class: "material__status" }, status));
}

function materialsSummary(bundle, session) {
  const { materials } = bundle.form;
  if (!materials.length) return h("p", {}, t("catalog.bundle.materials.none"));
  if (!session) {
    return h("p", {}, t("catalog.bundle.materials.signInPrompt"), " ", h("a", {
      href: `#/signin?${new URLSearchParams({ next: `/bundle/${bundle.code}` })}`,
    }, t("catalog.bundle.materials.signIn")));
  }
  const parts = ["held", "issued", "upload"]
    .map((kind) => [kind, materials.filter((m) => provision(m, bundle).kind === kind).length])
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => t(`catalog.bundle.materials.summary.${kind}`, { n }));
  return h("p", {}, t("catalog.bundle.materials.summary", {
    total: materials.length, parts: parts.join(t("catalog.bundle.materials.summary.separator")),
  }));
}

function materialsSection(bundle, session) {
  const { materials } = bundle.form;
  return h("section", { "aria-labelledby": "bundle-materials" },
    h("h2", { id: "bundle-materials" }, t("catalog.bundle.materials")),
    materialsSummary(bundle, session),
    materials.length
      ? h("ul", { class: "material-list" }, materials.map((material) => materialEntry(material, bundle, session)))
      : null);
}

function formSection(bundle, session) {
  const { fields } = bundle.form;
  return h("section", { "aria-labelledby": "bundle-form" },
    h("h2", { id: "bundle-form" }, t("catalog.bundle.form")),
    h("p", {}, t("catalog.bundle.form.count", { n: fields.length }),
      session ? t("catalog.bundle.form.prefilled", { n: fields.filter((f) => f.prefilledFrom).length }) : null));
}

function factsSection(bundle, session, canApply) {
  const departments = new Set(bundle.items.map(({ item }) => item.department.code));
  const separator = t("catalog.bundle.listSeparator");
  return h("section", { class: "bundle-facts", "aria-labelledby": "bundle-facts" },
    h("h2", { id: "bundle-facts" }, t("catalog.bundle.facts")),
    h("dl", { class: "summary-list" },
      h("dt", {}, t("catalog.bundle.promised")),
      h("dd", {}, h("strong", { class: "bundle-facts__days" }, days(bundle.promisedDays)),
        h("span", { class: "muted bundle-facts__note" }, t("catalog.bundle.promisedNote"))),
      h("dt", {}, t("catalog.bundle.departments")),
      h("dd", {}, t("catalog.bundle.departmentCount", { n: departments.size })),
      h("dt", {}, t("catalog.bundle.audience")), h("dd", {}, t(`catalog.audience.${bundle.audience}`)),
      h("dt", {}, t("catalog.bundle.channels")),
      h("dd", {}, bundle.channels.map((channel) => t(`catalog.bundle.channel.${channel}`)).join(separator))),
    canApply ? h("p", { class: "bundle-facts__start" },
      h("a", { class: "button", href: `#/apply/${encodeURIComponent(bundle.code)}` }, t("catalog.bundle.start")),
      session ? null : h("span", { class: "muted" }, t("catalog.bundle.startHint"))) : null);
}

export default async function render({ main, params, session, setTitle, offline }) {
  let answer;
  try {
    answer = await get(BUNDLE, { code: params.code });
  } catch (error) {
    setTitle(t("catalog.bundle.unavailable"));
    const problem = h("div", {});
    showProblem(problem, error);
    replace(main, h("h1", {}, t("catalog.bundle.unavailable")), problem,
      h("p", {}, h("a", { href: "#/" }, t("catalog.bundle.back"))));
    return;
  }
  if (answer.fromCache) offline(true);
  const { bundle } = answer.data;
  if (!bundle) {
    setTitle(t("catalog.bundle.notFound"));
    replace(main, h("h1", {}, t("catalog.bundle.notFound")), h("p", {}, t("catalog.bundle.notFoundLead")),
      h("p", {}, h("a", { href: "#/" }, t("catalog.bundle.back"))));
    return;
  }
  setTitle(bundle.name);
  const here = availability(bundle, session);
  replace(main, h("article", { class: "bundle-page" },
    h("header", { class: "bundle-page__head" },
      h("p", { class: "bundle-page__back" }, h("a", { href: "#/" }, t("catalog.bundle.back"))),
      h("h1", {}, bundle.name),
      bundle.national || bundle.singleItem ? h("p", {},
        bundle.singleItem ? h("span", { class: "tag tag--single" }, t("single.tag")) : null,
        bundle.national ? h("span", { class: "tag tag--national" }, t("catalog.national")) : null) : null,
      h("p", { class: "lead" }, bundle.description),
      availabilityNotice(here)),
    factsSection(bundle, session, here.canApply),
    h("div", { class: "bundle-page__body" },
      h("section", { "aria-labelledby": "bundle-steps" },
        h("h2", { id: "bundle-steps" }, t("catalog.bundle.steps")),
        stepList(bundle)),
      formSection(bundle, session),
      materialsSection(bundle, session))));
}
