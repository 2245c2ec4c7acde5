// 编发服务包: compose a pack — title, summary, plain-language points added one by one, the region and the
// industries it goes to (or all), an optional bundle it leads to — then publish it (createPolicyPack, then
// publishPolicyPack at version 1). Every refused field is shown next to itself; a retry after a dropped connection
// sends the same idempotency key, and a pack already created is only published again.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, clearErrors, fieldId, isUserError, showErrors } from "../../shared/errors.js";
import { idempotencyKey, request } from "../../shared/graphql.js";
import { inputField } from "../../shared/account-fields.js";
import { loadIndustries } from "../../shared/industry-field.js";
import { t } from "../../shared/strings.js";

const CREATE = `mutation CreatePolicyPack($input: CreatePolicyPackInput!) {
  createPolicyPack(input: $input) { ${USER_ERROR_FIELDS} ... on PolicyPack { id version } }
}`;
const PUBLISH = `mutation PublishPolicyPack($id: ID!, $version: Int!) {
  publishPolicyPack(id: $id, version: $version) { ${USER_ERROR_FIELDS} ... on PolicyPack { id version } }
}`;

function textArea(key, label, hint = null) {
  const id = fieldId(key);
  return h("div", { class: "field" },
    h("label", { for: id }, label),
    hint ? h("span", { class: "hint", id: `${id}-hint` }, hint) : null,
    h("textarea", { id, name: key, rows: 3, "aria-describedby": hint ? `${id}-hint` : null }));
}

function industriesField(industries) {
  // In a .field of its own, so that showErrors puts the error above the fieldset, not inside a choice.
  return h("div", { class: "field" }, h("fieldset", { class: "industry-choice", id: fieldId("industries"), tabindex: "-1" },
    h("legend", {}, t("window.packs.compose.industries")),
    h("div", { class: "choice" },
      h("input", { type: "checkbox", id: "industry-all", name: "allIndustries" }),
      h("label", { for: "industry-all" }, t("window.packs.compose.allIndustries"))),
    industries.map(({ code, name }) => h("div", { class: "choice" },
      h("input", { type: "checkbox", id: `industry-${code}`, name: "industries", value: code }),
      h("label", { for: `industry-${code}` }, t("industry.option", { code, name }))))));
}

export default async function render({ main, navigate, staff, setTitle }) {
  const title = t("window.packs.compose.title");
  setTitle(title);
  const industries = await loadIndustries();
  const sections = h("ol", { class: "pack-sections" });
  const key = idempotencyKey();
  let created = null;

  function addSection() {
    const n = sections.children.length;
    const item = h("li", { class: "panel pack-section" },
      h("h3", {}, t("window.packs.compose.section", { n: n + 1 })),
      inputField(`sections.${n}.heading`, t("window.packs.compose.heading")),
      textArea(`sections.${n}.text`, t("window.packs.compose.text")));
    sections.append(item);
    item.querySelector("input").focus();
  }

  const button = h("button", { type: "submit", class: "button" }, t("window.packs.compose.publish"));
  const status = h("p", { role: "status", class: "status-line" });
  const region = staff.regionCode ?? staff.department?.code.slice(0, 6) ?? "";
  const form = h("form", { class: "desk-form", novalidate: true },
    inputField("title", t("window.packs.compose.packTitle"), t("window.packs.compose.packTitleHint")),
    textArea("summary", t("window.packs.compose.summary"), t("window.packs.compose.summaryHint")),
    h("div", { class: "field" }, h("fieldset", { id: fieldId("sections"), tabindex: "-1" },
      h("legend", {}, t("window.packs.compose.sections")), sections)),
    h("p", {}, h("button", { type: "button", class: "button button--secondary", id: "add-section",
      onclick: addSection }, t("window.packs.compose.addSection"))),
    inputField("regionCode", t("window.packs.compose.region"), t("window.packs.compose.regionHint"),
      { inputmode: "numeric", value: region }),
    industriesField(industries),
    inputField("links.0.target", t("window.packs.compose.bundle"), t("window.packs.compose.bundleHint")),
    h("div", { class: "actions" }, button), status);
  addSection();

  const input = () => {
    const chosen = [...form.querySelectorAll("input[name=industries]:checked")].map((box) => box.value);
    const bundle = form.elements["links.0.target"].value.trim();
    return {
      title: form.elements.title.value, summary: form.elements.summary.value,
      sections: [...sections.children].map((_, n) => ({
        heading: form.elements[`sections.${n}.heading`].value, text: form.elements[`sections.${n}.text`].value })),
      regionCode: form.elements.regionCode.value.trim(), industries: chosen,
      allIndustries: form.elements.allIndustries.checked,
      links: bundle ? [{ kind: "BUNDLE", target: bundle }] : [], idempotencyKey: key,
    };
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    button.disabled = true;
    status.textContent = t("window.packs.compose.publishing");
    try {
      if (!created) {
        const { createPolicyPack: result } = await request(CREATE, { input: input() });
        if (isUserError(result)) {
          status.textContent = "";
          showErrors(form, result);
          return;
        }
        created = result;
      }
      const { publishPolicyPack: published } = await request(PUBLISH, { id: created.id, version: created.version });
      if (isUserError(published)) {
        status.textContent = published.message;
        return;
      }
      navigate(`/packs/${published.id}`);
    } catch (error) {
      status.textContent = "";
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
  replace(main, h("p", {}, h("a", { href: "#/packs" }, t("window.packs.detail.back"))),
    h("h1", {}, title), h("p", { class: "lead" }, t("window.packs.compose.lead")), form);
}
