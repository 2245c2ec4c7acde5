// 补正: when handlers ask for fields or materials again, what they ask for and one form that answers it all
// (supplementApplication covers every task waiting for a supplement).
import { h, replace } from "../../shared/dom.js";
import { showErrors } from "../../shared/errors.js";
import { idempotencyKey } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { fieldControl, materialUpload, readValue } from "../../shared/apply-fields.js";

/**
 * The section for `application` (with its bundle's form). `send(formValues, materials, idempotencyKey)` runs
 * the mutation and resolves to its result. Returns { element, update(tasks, formValues) }.
 */
export function supplementSection(application, send) {
  const { fields: allFields, materials: allMaterials } = application.bundle.form;
  const element = h("section", { class: "supplement", "aria-labelledby": "supplement-title", hidden: true });
  let asked = "";
  let current = null; // { form, fields } of the form on screen

  function update(tasks, formValues) {
    const asking = tasks.filter((task) => task.status === "SUPPLEMENT_REQUIRED" && task.supplement);
    const signature = asking.map((task) => `${task.id}:${task.version}`).join(",");
    if (signature === asked) return;
    asked = signature;
    // What the applicant has typed so far survives a new request arriving while they answer.
    const typed = current ? Object.fromEntries(current.fields.map((f) => [f.key, readValue(current.form, f)])) : {};
    element.hidden = !asking.length;
    current = asking.length ? build(asking, { ...formValues, ...typed }) : null;
  }

  function build(asking, values) {
    const keys = new Set(asking.flatMap((task) => task.supplement.fields));
    const codes = new Set(asking.flatMap((task) => task.supplement.materials));
    const fields = allFields.filter((field) => keys.has(field.key));
    const materials = allMaterials.filter((material) => codes.has(material.code));
    const uploads = {};
    const key = idempotencyKey(); // one per answer to this request, reused when sending is retried
    const button = h("button", { type: "submit", class: "button" }, t("applications.supplement.submit"));
    const form = h("form", { novalidate: true, class: "supplement__form" },
      fields.map((field) => fieldControl(field, values[field.key])),
      materials.map((material) => materialUpload(material, null, (upload) => { uploads[material.code] = upload; })),
      h("div", { class: "actions" }, button));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      button.textContent = t("applications.supplement.sending");
      try {
        const formValues = Object.fromEntries(fields.map((field) => [field.key, readValue(form, field)]));
        const result = await send(formValues,
          Object.entries(uploads).map(([code, upload]) => ({ code, fileId: upload.fileId })), key);
        if (result.__typename !== "Application") showErrors(form, result);
      } catch (error) {
        showErrors(form, error);
      } finally {
        button.disabled = false;
        button.textContent = t("applications.supplement.submit");
      }
    });
    const labelOf = (key) => allFields.find((field) => field.key === key)?.label ?? key;
    const nameOf = (code) => allMaterials.find((material) => material.code === code)?.name ?? code;
    replace(element,
      h("h2", { id: "supplement-title" }, t("applications.supplement.title")),
      asking.map((task) => h("div", { class: "apply-notice apply-notice--warning" },
        h("h3", {}, t("applications.supplement.asked", { item: task.item.name })),
        task.supplement.message
          ? h("p", {}, t("applications.supplement.message", { message: task.supplement.message })) : null,
        task.supplement.fields.length ? h("p", {}, t("applications.supplement.fields",
          { list: task.supplement.fields.map(labelOf).join("、") })) : null,
        task.supplement.materials.length ? h("p", {}, t("applications.supplement.materials",
          { list: task.supplement.materials.map(nameOf).join("、") })) : null)),
      form);
    return { form, fields };
  }

  return { element, update };
}
