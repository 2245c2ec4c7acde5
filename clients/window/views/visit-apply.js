// 代办: the clerk fills a bundle's merged form for the person of the current visit (after their scan, which is
// their consent) and submits it for them, channel WINDOW. One page: a desk has room for every topic at once, and
// the clerk moves through it with Tab. The answers are kept for this tab (a reload loses nothing) with one
// idempotency key per fill, as on the phone.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { Answers, issuerOf, materialsToUpload, topicsOf } from "../../shared/apply-answers.js";
import { FORM_SELECTION, fieldControl, isBlank, materialUpload, readValue } from "../../shared/apply-fields.js";
import { currentVisit, keepReceipt } from "../desk.js";

// The form is computed for the person (`form(applicantId:)`, allowed by the consent their scan gave): prefilled
// from their profile and e-licences, the materials their licences cover marked held. The read is in their
// access log.
const BUNDLE = `query ProxyBundle($code: String!, $applicant: ID!) {
  bundle(code: $code) {
    code name channels promisedDays
    items { item { code name promisedDays department { name } } }
    form(applicantId: $applicant) {${FORM_SELECTION}
    }
  }
}`;
const SUBMIT = `mutation ProxySubmit($input: SubmitBundleApplicationInput!) {
  submitBundleApplication(input: $input) { ... on Application { id number createdAt } ${USER_ERROR_FIELDS} }
}`;
const CHANNEL = "WINDOW";

export default async function render({ main, params, navigate, staff, setTitle }) {
  const visit = currentVisit();
  if (!visit?.applicantId) {
    setTitle(t("window.proxy.noVisit"));
    replace(main, h("h1", {}, t("window.proxy.noVisit")), h("p", {}, h("a", { href: "#/visit" }, t("window.nav.visit"))));
    return;
  }
  const { bundle } = await request(BUNDLE, { code: params.code, applicant: visit.applicantId });
  if (!bundle) {
    setTitle(t("apply.notFound"));
    replace(main, h("h1", {}, t("apply.notFound")), h("p", {}, h("a", { href: "#/visit" }, t("window.nav.visit"))));
    return;
  }
  const answers = new Answers(`${staff.account.id}.for.${visit.applicantId}`, bundle);
  const certificateNames = new Map(visit.certificates.map((c) => [c.type, c.name]));
  const title = t("window.proxy.title", { bundle: bundle.name });
  setTitle(title);
  const offered = bundle.channels.includes(CHANNEL);
  const upload = new Set(materialsToUpload(bundle).map((m) => m.code));
  const button = h("button", { type: "submit", class: "button", disabled: !offered }, t("window.proxy.submit"));
  const form = h("form", { novalidate: true, class: "proxy-form" },
    topicsOf(bundle.form.fields).map((topic) => h("fieldset", { class: "proxy-topic" },
      h("legend", {}, t(`apply.topic.${topic.id}`)),
      topic.fields.map((field) => fieldControl(field, answers.value(field.key), { whose: "person", certificateNames })))),
    h("fieldset", { class: "proxy-topic" },
      h("legend", {}, t("apply.materials.title")),
      bundle.form.materials.map((material) => h("div", { class: "desk-material" },
        h("h3", {}, material.name, " ", h("span", { class: "tag" },
          material.required ? t("apply.materials.required") : t("apply.materials.optional"))),
        upload.has(material.code)
          ? materialUpload(material, answers.upload(material.code), (file) => answers.setUpload(material.code, file))
          : h("p", { class: "desk-material__covered" }, material.heldLicence
            ? t("apply.materials.held", material.heldLicence)
            : t("apply.materials.issued", { item: issuerOf(bundle, material)?.name ?? "" }))))),
    h("p", {}, t("window.proxy.declaration", { name: visit.holder.maskedName })),
    h("div", { class: "actions" }, button, h("a", { href: "#/visit" }, t("window.proxy.back"))));
  const read = () => Object.fromEntries(bundle.form.fields.map((field) => [field.key, readValue(form, field)]));
  form.addEventListener("input", () => answers.setValues(read()));
  form.addEventListener("change", () => answers.setValues(read()));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const values = read();
    answers.setValues(values);
    const missing = bundle.form.fields.filter((field) => field.required && isBlank(values[field.key]))
      .map((field) => ({ field: field.key, message: t("apply.field.required", { label: field.label }) }))
      .concat(materialsToUpload(bundle).filter((m) => m.required && !answers.upload(m.code))
        .map((m) => ({ field: `materials.${m.code}`, message: t("apply.materials.missing", { name: m.name }) })));
    if (missing.length) {
      showErrors(form, { __typename: "FormInvalid", errors: missing });
      return;
    }
    button.disabled = true;
    button.textContent = t("apply.check.sending");
    try {
      const { formValues, materials } = answers.submission();
      const { submitBundleApplication: result } = await request(SUBMIT, { input: {
        bundleCode: bundle.code, formValues, materials, channel: CHANNEL, idempotencyKey: answers.key,
        applicantId: visit.applicantId,
      } });
      if (result.__typename === "Application") {
        answers.forget();
        keepReceipt({ id: result.id, number: result.number, createdAt: result.createdAt, bundle: bundle.name, promisedDays: bundle.promisedDays,
          items: bundle.items.map(({ item }) => ({ name: item.name, department: item.department.name,
            promisedDays: item.promisedDays })),
          person: visit.holder.maskedName, clerk: staff.account.displayName });
        navigate(`/visit/receipt/${encodeURIComponent(result.id)}`);
        return;
      }
      showErrors(form, result);
    } catch (error) {
      showErrors(form, error);
    }
    button.disabled = false;
    button.textContent = t("window.proxy.submit");
  });
  replace(main,
    h("p", { class: "desk-caption" }, t("window.proxy.for", { name: visit.holder.maskedName })),
    h("h1", {}, title),
    offered ? null : h("div", { class: "desk-notice", role: "note" }, h("p", {}, t("window.proxy.notOffered"))),
    h("p", { class: "lead" }, t("window.proxy.lead")),
    form);
}
