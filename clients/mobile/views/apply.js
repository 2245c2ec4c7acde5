// 一表申请: a bundle's merged form as a GOV.UK-style task list — one page per topic, a materials page,
// "check your answers", then one submission (一次提交). Routes: /apply/<code>, /apply/<code>/<topic>,
// /apply/<code>/materials and /apply/<code>/check; `?return=check` sends a page back to the check page. A bundle
// that cannot be applied for here (availability.js) shows why instead of any of these pages. After the submission,
// the confirmation (application-submitted.js). A fill opened from an offer (免申即享, offers.js) is submitted
// by accepting the offer with the answers.
import { CHANNEL, availability, availabilityNotice } from "../availability.js";
import { acceptOffer, takeOfferForm } from "../offers.js";
import { h, replace } from "../../shared/dom.js";
import { showErrors, USER_ERROR_FIELDS } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { Answers, MATERIALS, isMaterialKey, issuerOf, materialsToUpload, topicsOf } from "../../shared/apply-answers.js";
import { displayValue, fieldControl, isBlank, materialUpload, readValue } from "../../shared/apply-fields.js";

const BUNDLE = `query ApplyBundle($code: String!) {
  bundle(code: $code) {
    code name audience channels
    items { item { code name issues } }
    form {
      fields { key label type required hint options { value label } validation { multiline } value prefilledFrom }
      materials { code name required issuedBy certificateType { code name } heldLicence { name number } }
    }
  }
  me { certificates { type name } }
}`;

const SUBMIT = `mutation SubmitBundleApplication($input: SubmitBundleApplicationInput!) {
  submitBundleApplication(input: $input) { ... on Application { id } ${USER_ERROR_FIELDS} }
}`;

const CHECK = "check";
const TAG = { done: "tag tag--done", needsFix: "tag tag--error" };

export default async function render({ main, params, query, navigate, session, setTitle }) {
  const data = await request(BUNDLE, { code: params.code });
  if (!data.bundle) {
    setTitle(t("apply.notFound"));
    replace(main, h("h1", {}, t("apply.notFound")), h("p", {}, h("a", { href: "#/" }, t("nav.home"))));
    return;
  }
  const bundle = data.bundle;
  const here = availability(bundle, session);
  if (!here.canApply) {
    setTitle(bundle.name);
    replace(main, h("p", { class: "apply-caption" }, t("apply.caption")), h("h1", {}, bundle.name),
      availabilityNotice(here),
      h("p", {}, h("a", { href: `#/bundle/${encodeURIComponent(bundle.code)}` }, t("apply.backToBundle"))));
    return;
  }
  const ctx = {
    main, bundle, navigate, setTitle, session,
    base: `/apply/${encodeURIComponent(bundle.code)}`,
    answers: new Answers(session.account.id, bundle),
    topics: topicsOf(bundle.form.fields),
    certificateNames: new Map((data.me?.certificates ?? []).map((c) => [c.type, c.name])),
    returnToCheck: query.return === CHECK,
  };
  const handed = takeOfferForm(session, bundle.code);
  if (handed) ctx.answers.startFromOffer(handed, ctx.topics);
  const topic = ctx.topics.find((candidate) => candidate.id === params.step);
  if (!params.step) taskListPage(ctx);
  else if (params.step === MATERIALS) materialsPage(ctx);
  else if (params.step === CHECK) checkPage(ctx);
  else if (topic) topicPage(ctx, topic);
  else {
    setTitle(t("app.notFound"));
    replace(main, h("h1", {}, t("app.notFound")),
      h("p", {}, h("a", { href: `#${ctx.base}` }, t("apply.backToTaskList"))));
  }
}

function topicTitle(topic) {
  return t(`apply.topic.${topic.id}`);
}

function caption(ctx) {
  return h("p", { class: "apply-caption" }, `${t("apply.caption")} · ${ctx.bundle.name}`);
}

/** Where a page's "save and continue" leads: the check page when it was opened from there, else the task list. */
function nextPath(ctx) {
  return ctx.returnToCheck ? `${ctx.base}/${CHECK}` : ctx.base;
}

function backLink(ctx) {
  return h("a", { href: `#${nextPath(ctx)}` }, ctx.returnToCheck ? t("apply.backToCheck") : t("apply.backToTaskList"));
}

function taskListPage(ctx) {
  const { answers, base } = ctx;
  const topics = ctx.topics.map((topic) => ({ href: `#${base}/${topic.id}`, label: topicTitle(topic),
    status: answers.topicStatus(topic) }));
  const materials = { href: `#${base}/${MATERIALS}`, label: t("apply.materials.title"),
    status: answers.materialsStatus() };
  const steps = [...topics, materials];
  const done = steps.filter((step) => step.status === "done").length;
  const ready = done === steps.length;
  const check = { href: ready ? `#${base}/${CHECK}` : null, label: t("apply.check.title"),
    status: ready ? "notStarted" : "cannotStart" };
  ctx.setTitle(ctx.bundle.name);
  replace(ctx.main,
    h("p", { class: "apply-caption" }, t("apply.caption")),
    h("h1", {}, ctx.bundle.name),
    answers.offer ? h("p", { class: "notice" }, t("offers.formLead", { bundle: ctx.bundle.name })) : null,
    h("p", { class: "lead" }, t("apply.taskList.lead")),
    h("p", { class: "task-list__progress" }, t("apply.taskList.progress", { done, total: steps.length })),
    h("ol", { class: "task-list" },
      taskSection(1, t("apply.section.fill"), topics),
      taskSection(2, t("apply.section.materials"), [materials]),
      taskSection(3, t("apply.section.submit"), [check])));
}

function taskSection(number, title, steps) {
  return h("li", { class: "task-list__section" },
    h("h2", {}, h("span", { class: "task-list__number" }, `${number}.`), title),
    h("ul", { class: "task-list__items" }, steps.map((step, n) => {
      const statusId = `status-${number}-${n}`;
      return h("li", { class: "task-list__item" },
        step.href ? h("a", { href: step.href, "aria-describedby": statusId }, step.label) : h("span", {}, step.label),
        h("strong", { class: TAG[step.status] ?? "tag", id: statusId }, t(`apply.status.${step.status}`)));
    })));
}

function topicPage(ctx, topic) {
  const keys = new Set(topic.fields.map((field) => field.key));
  const form = h("form", { novalidate: true, class: "apply-form" },
    topic.fields.map((field) => fieldControl(field, ctx.answers.value(field.key),
      { certificateNames: ctx.certificateNames })),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button" }, t("apply.saveAndContinue")), backLink(ctx)));
  const read = () => Object.fromEntries(topic.fields.map((field) => [field.key, readValue(form, field)]));
  // Every keystroke is kept: a reload or a step back loses nothing.
  form.addEventListener("input", () => ctx.answers.setValues(read()));
  form.addEventListener("change", () => ctx.answers.setValues(read()));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const values = read();
    ctx.answers.setValues(values);
    // A page is done when every required answer is given; the formats are the API's to check on submission.
    const missing = topic.fields.filter((field) => field.required && isBlank(values[field.key]))
      .map((field) => ({ field: field.key, message: t("apply.field.required", { label: field.label }) }));
    if (missing.length) {
      showErrors(form, { __typename: "FormInvalid", errors: missing });
      return;
    }
    ctx.answers.markSaved(topic.id, (field) => keys.has(field));
    ctx.navigate(nextPath(ctx));
  });
  ctx.setTitle(topicTitle(topic));
  replace(ctx.main, caption(ctx), h("h1", {}, topicTitle(topic)), form);
  const errors = ctx.answers.errorsOf((field) => keys.has(field));
  if (errors.length) showErrors(form, { __typename: "FormInvalid", errors });
}

function materialsPage(ctx) {
  const { bundle, answers } = ctx;
  const form = h("form", { novalidate: true, class: "apply-form" },
    bundle.form.materials.map((material) => h("section", { class: "apply-material" },
      h("h2", {}, material.name, " ",
        h("span", { class: "tag" }, material.required ? t("apply.materials.required") : t("apply.materials.optional"))),
      coverage(material, issuerOf(bundle, material)) ?? materialUpload(material, answers.upload(material.code),
        (upload) => answers.setUpload(material.code, upload)))),
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button" }, t("apply.saveAndContinue")), backLink(ctx)));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const missing = materialsToUpload(bundle).filter((m) => m.required && !answers.upload(m.code))
      .map((m) => ({ field: `${MATERIALS}.${m.code}`, message: t("apply.materials.missing", { name: m.name }) }));
    if (missing.length) {
      showErrors(form, { __typename: "FormInvalid", errors: missing });
      return;
    }
    answers.markSaved(MATERIALS, isMaterialKey);
    ctx.navigate(nextPath(ctx));
  });
  ctx.setTitle(t("apply.materials.title"));
  replace(ctx.main, caption(ctx), h("h1", {}, t("apply.materials.title")),
    h("p", { class: "lead" }, t("apply.materials.lead")), form);
  const errors = answers.errorsOf(isMaterialKey);
  if (errors.length) showErrors(form, { __typename: "FormInvalid", errors });
}

/** A material that needs no upload: held as an e-licence (免证办) or issued by an earlier item of the bundle. */
function coverage(material, issuer) {
  if (material.heldLicence) {
    return h("p", { class: "apply-material__covered" }, t("apply.materials.held", material.heldLicence));
  }
  return issuer ? h("p", { class: "apply-material__covered" }, t("apply.materials.issued", { item: issuer.name })) : null;
}

function checkPage(ctx) {
  const { answers, base, bundle } = ctx;
  const change = (page, label) => h("a", { href: `#${base}/${page}?return=${CHECK}` },
    t("apply.check.change"), h("span", { class: "visually-hidden" }, label));
  const row = (label, value, action) => h("div", { class: "check-list__row" },
    h("dt", {}, label), h("dd", {}, value), h("dd", { class: "check-list__action" }, action));
  const upload = materialsToUpload(bundle).map((m) => m.code);
  const materialValue = (m) => {
    if (m.heldLicence) return t("apply.materials.byLicence", { name: m.heldLicence.name });
    if (m.issuedBy) return t("apply.materials.byIssue");
    const uploaded = answers.upload(m.code);
    return uploaded ? t("apply.materials.uploaded", { file: uploaded.name }) : t("apply.materials.notProvided");
  };
  const button = h("button", { type: "submit", class: "button" }, t("apply.check.submit"));
  const form = h("form", { novalidate: true },
    h("p", {}, t("apply.check.declaration")), h("div", { class: "actions" }, button));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit(ctx, form, button);
  });
  const summary = errorSummary(ctx);
  ctx.setTitle(t("apply.check.title"));
  replace(ctx.main, caption(ctx), h("h1", {}, t("apply.check.title")), summary,
    h("p", { class: "lead" }, t("apply.check.lead")),
    ctx.topics.map((topic) => h("section", { class: "check-section" },
      h("h2", {}, topicTitle(topic)),
      h("dl", { class: "check-list" }, topic.fields.map((field) => row(field.label,
        displayValue(field, answers.value(field.key)), change(topic.id, field.label)))))),
    h("section", { class: "check-section" },
      h("h2", {}, t("apply.materials.title")),
      h("dl", { class: "check-list" }, bundle.form.materials.map((m) => row(m.name, materialValue(m),
        upload.includes(m.code) ? change(MATERIALS, m.name) : null)))),
    form);
  return summary;
}

/** The last submission's problems, each linking to the page of its field. */
function errorSummary(ctx) {
  const errors = ctx.answers.errors;
  if (!errors.length) return null;
  const pageOf = (field) => (isMaterialKey(field) ? MATERIALS
    : ctx.topics.find((topic) => topic.fields.some((f) => f.key === field))?.id);
  return h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", {}, t("errors.summaryTitle")),
    h("ul", {}, errors.map((error) => {
      const page = pageOf(error.field);
      const link = page && h("a", { href: `#${ctx.base}/${page}?return=${CHECK}` }, error.message);
      return h("li", {}, link || error.message);
    })));
}

async function submit(ctx, form, button) {
  button.disabled = true;
  button.textContent = t("apply.check.sending");
  try {
    const { formValues, materials } = ctx.answers.submission();
    const result = ctx.answers.offer ? await acceptOffer(ctx.answers.offer, formValues, materials)
      : (await request(SUBMIT, { input: {
        bundleCode: ctx.bundle.code, formValues, materials, channel: CHANNEL, idempotencyKey: ctx.answers.key,
      } })).submitBundleApplication;
    if (result.__typename === "Application") {
      ctx.answers.forget();
      ctx.navigate(`/application/${result.id}/submitted`);
      return;
    }
    if (result.__typename === "FormInvalid") {
      ctx.answers.setErrors(result.errors);
      checkPage(ctx)?.focus();
      return;
    }
    showErrors(form, result);
  } catch (error) {
    showErrors(form, error);
  }
  button.disabled = false;
  button.textContent = t("apply.check.submit");
}
