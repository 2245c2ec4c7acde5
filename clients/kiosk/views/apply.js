// 一表申请 on a touch screen: the bundle's merged form one question per screen, then the materials, then a check
// of every answer and one submission on channel KIOSK. Prefilled values are masked here (a kiosk screen); they
// are shown, not asked, and left out of the submission, so the API takes them from the same source. The answers
// and the idempotency key live in memory only, until the submission succeeds: a network failure keeps every
// answer, and sending again with the same key files one application.
import { h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { Answers, issuerOf, materialsToUpload, memoryStorage } from "../../shared/apply-answers.js";
import { FORM_SELECTION, displayValue, fieldControl, isBlank, materialUpload, prefillSource, readValue }
  from "../../shared/apply-fields.js";
import { keypad } from "../keypad.js";

const BUNDLE = `query KioskBundle($code: String!) {
  bundle(code: $code) {
    code name channels promisedDays
    items { item { code name promisedDays department { name } } }
    form {${FORM_SELECTION}
    }
  }
  me { certificates { type name } }
}`;
const SUBMIT = `mutation KioskSubmit($input: SubmitBundleApplicationInput!) {
  submitBundleApplication(input: $input) { ... on Application { id number createdAt } ${USER_ERROR_FIELDS} }
}`;
const CHANNEL = "KIOSK";
const KEYPAD_TYPES = new Set(["ID_NUMBER", "PHONE", "NUMBER"]);
const storage = memoryStorage();

function step(n, total) {
  return h("p", { class: "kiosk-step" }, t("kiosk.apply.step", { n, total }));
}

function button(text, onclick, secondary = false) {
  return h("button", { type: secondary ? "button" : "submit", class: `button kiosk-button${secondary ? " button--secondary" : ""}`,
    onclick: secondary ? onclick : null }, text);
}

export default async function render({ main, hall, params, go, person, setTitle }) {
  const { bundle, me } = await request(BUNDLE, { code: params.code });
  if (!bundle || !bundle.channels.includes(CHANNEL)) {
    setTitle(bundle ? bundle.name : t("apply.notFound"));
    replace(main, h("h1", {}, bundle ? bundle.name : t("apply.notFound")),
      h("p", { class: "lead" }, bundle ? t("kiosk.apply.notOffered") : ""),
      h("div", { class: "kiosk-actions" }, button(t("kiosk.back"), () => go("bundles"), true)));
    return;
  }
  setTitle(bundle.name);
  const answers = new Answers(person.id, bundle, { storage, prefill: false });
  const prefilled = bundle.form.fields.filter((f) => !isBlank(f.value));
  const certificateNames = new Map((me?.certificates ?? []).map((c) => [c.type, c.name]));
  const known = (f) => [displayValue(f, f.value), " ",
    h("span", { class: "muted prefill-source" }, prefillSource(f, { certificateNames }))];
  const asked = bundle.form.fields.filter((f) => isBlank(f.value));
  const uploads = materialsToUpload(bundle);
  // The screens, in order: what is known already, each question, the materials, the check.
  const screens = [
    ...(prefilled.length ? [{ kind: "known" }] : []),
    ...asked.map((field) => ({ kind: "question", field })),
    { kind: "materials" },
    { kind: "check" },
  ];
  let at = 0;
  const show = (index) => {
    at = index;
    const screen = screens[at];
    const heading = h("h1", { tabindex: "-1" }, bundle.name);
    const back = at > 0 ? button(t("kiosk.apply.previous"), () => show(at - 1), true)
      : button(t("kiosk.back"), () => go("bundles"), true);
    const form = h("form", { novalidate: true, class: "kiosk-form" });
    const body = [];
    let onNext = () => true;
    if (screen.kind === "known") {
      body.push(h("h2", {}, t("kiosk.apply.known")),
        h("dl", { class: "summary-list" }, prefilled.flatMap((f) => [h("dt", {}, f.label), h("dd", {}, known(f))])));
    } else if (screen.kind === "question") {
      const { field } = screen;
      const control = fieldControl(field, answers.value(field.key));
      body.push(control);
      const input = control.querySelector("input[type=text], input[type=tel]");
      if (input && KEYPAD_TYPES.has(field.type)) {
        input.setAttribute("inputmode", "none");
        body.push(keypad(input, { label: field.label }));
      }
      (control.querySelector("input, select, textarea"))?.setAttribute("data-autofocus", "");
      onNext = () => {
        const value = readValue(form, field);
        answers.setValues({ [field.key]: value });
        if (field.required && isBlank(value)) {
          showErrors(form, { __typename: "FormInvalid", errors: [
            { field: field.key, message: t("apply.field.required", { label: field.label }) }] });
          return false;
        }
        return true;
      };
    } else if (screen.kind === "materials") {
      body.push(h("h2", {}, t("kiosk.apply.materials")), h("p", {}, t("kiosk.apply.materialsLead")),
        bundle.form.materials.map((material) => h("div", { class: "card kiosk-material" },
          h("h3", {}, material.name),
          uploads.includes(material)
            ? materialUpload(material, answers.upload(material.code), (file) => answers.setUpload(material.code, file))
            : h("p", {}, material.heldLicence ? t("apply.materials.held", material.heldLicence)
              : t("apply.materials.issued", { item: issuerOf(bundle, material)?.name ?? "" })))));
      onNext = () => {
        const missing = uploads.filter((m) => m.required && !answers.upload(m.code))
          .map((m) => ({ field: `materials.${m.code}`, message: t("apply.materials.missing", { name: m.name }) }));
        if (missing.length) showErrors(form, { __typename: "FormInvalid", errors: missing });
        return !missing.length;
      };
    } else {
      body.push(...checkScreen());
    }
    const next = screen.kind === "check" ? button(t("kiosk.apply.submit")) : button(t("kiosk.apply.next"));
    replace(form, step(at + 1, screens.length), body, h("div", { class: "kiosk-actions" }, next, back));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (screen.kind === "check") await submit(form, next);
      else if (onNext()) show(at + 1);
    });
    replace(main, heading, form);
    (form.querySelector("[data-autofocus]") ?? heading).focus({ preventScroll: true });
  };
  const checkScreen = () => {
    const row = (field, value, index) => [h("dt", {}, field.label), h("dd", {}, displayValue(field, value), " ",
      index === null ? null : h("button", { type: "button", class: "link-button kiosk-change",
        "aria-label": `${t("apply.check.change")} ${field.label}`, onclick: () => show(index) }, t("apply.check.change")))];
    return [h("h2", {}, t("kiosk.apply.check")),
      h("dl", { class: "summary-list" },
        prefilled.flatMap((f) => row(f, f.value, null)),
        asked.flatMap((f) => row(f, answers.value(f.key), screens.findIndex((s) => s.field === f)))),
      h("p", {}, t("apply.check.declaration"))];
  };
  const submit = async (form, sendButton) => {
    sendButton.disabled = true;
    sendButton.textContent = t("kiosk.apply.sending");
    try {
      const { formValues, materials } = answers.submission();
      const { submitBundleApplication: result } = await request(SUBMIT, { input: {
        bundleCode: bundle.code, formValues, materials, channel: CHANNEL, idempotencyKey: answers.key } });
      if (result.__typename === "Application") {
        answers.forget();
        go("receipt", { receipt: { id: result.id, number: result.number, createdAt: result.createdAt, bundle: bundle.name,
          promisedDays: bundle.promisedDays, person: person.displayName, hall: hall.name,
          items: bundle.items.map(({ item }) => ({ name: item.name, department: item.department.name,
            promisedDays: item.promisedDays })) } });
        return;
      }
      answers.setErrors(result.errors ?? []);
      showErrors(form, result);
    } catch (error) {
      if (error.offline) showErrors(form, { message: t("kiosk.apply.offline") });
      else showErrors(form, error);
    }
    sendButton.disabled = false;
    sendButton.textContent = t("kiosk.apply.submit");
  };
  show(0);
}
