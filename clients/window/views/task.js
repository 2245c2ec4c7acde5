// 事项办理: one task of an application, for a handler of the task's department. The application's form values
// and materials (every read is logged in the applicant's access log by the server), and the decisions the task's
// state allows: 受理, 办结, 不予办理, 补正 — each sent with the version this page was loaded with. When someone
// else changed the task meanwhile the page says so plainly, and reloading keeps what the handler typed. A task its
// item's rule decided (秒批) names the rule where a handler's decision would stand, and offers nothing to decide.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, fieldId, isUserError, showErrors, showProblem } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { t } from "../../shared/strings.js";
import { displayValue } from "../../shared/apply-fields.js";

const TASK_FIELDS = `id status version departmentCode deadline deadlineProvisional overdue note submittedAt decidedAt
  decidedBy rule supplement { fields materials message } item { code name promisedDays }`;
const APPLICATION = `query HandlerTask($id: ID!) {
  application(id: $id) {
    id number createdAt channel status formValues
    applicant { displayName }
    bundle { name form { fields { key label type options { value label } } materials { code name } } }
    materials { code source fileId url certificateType certificateNumber }
    tasks { ${TASK_FIELDS} }
  }
}`;
const RESULT = `... on Task { id status version } ${USER_ERROR_FIELDS}`;
const DECISIONS = {
  accept: ["acceptTask", `mutation Accept($id: ID!, $version: Int!) { acceptTask(id: $id, version: $version) { ${RESULT} } }`],
  approve: ["approveTask", `mutation Approve($id: ID!, $version: Int!, $note: String) {
    approveTask(id: $id, version: $version, note: $note) { ${RESULT} } }`],
  reject: ["rejectTask", `mutation Reject($id: ID!, $version: Int!, $reason: String!) {
    rejectTask(id: $id, version: $version, reason: $reason) { ${RESULT} } }`],
  supplement: ["requestSupplement", `mutation Supplement($id: ID!, $version: Int!, $fields: [String!]!,
    $materials: [String!], $message: String) {
    requestSupplement(id: $id, version: $version, fields: $fields, materials: $materials, message: $message) { ${RESULT} } }`],
};
const UPDATES = `subscription TaskUpdates($id: ID!, $after: String) {
  applicationUpdated(id: $id, after: $after) { cursor kind task { id status version } }
}`;
// Which decisions a state allows (rules.py TRANSITIONS: 受理 from SUBMITTED, 办结 from ACCEPTED, 不予办理 and
// 补正 from either): the page offers only those, and the API checks again.
const OFFERED = { SUBMITTED: ["accept", "reject", "supplement"], ACCEPTED: ["approve", "reject", "supplement"] };

/** What the handler typed on this task's page, kept for this tab so that a reload after a conflict keeps it. */
class Draft {
  constructor(taskId) {
    this.key = `portal.window.task.${taskId}`;
    try {
      this.values = JSON.parse(sessionStorage.getItem(this.key) || "{}");
    } catch {
      this.values = {};
    }
  }

  get(name, fallback = "") {
    return this.values[name] ?? fallback;
  }

  keep(form) {
    for (const control of form.elements) {
      if (!control.name) continue;
      if (control.type === "checkbox") {
        const chosen = new Set(this.values[control.name] ?? []);
        if (control.checked) chosen.add(control.value);
        else chosen.delete(control.value);
        this.values[control.name] = [...chosen];
      } else this.values[control.name] = control.value;
    }
    sessionStorage.setItem(this.key, JSON.stringify(this.values));
  }

  forget() {
    sessionStorage.removeItem(this.key);
    this.values = {};
  }
}

export default async function render(context) {
  const { main, params, staff, setTitle } = context;
  const { application } = await request(APPLICATION, { id: params.application });
  const task = application?.tasks.find((candidate) => candidate.id === params.task);
  if (!task || task.departmentCode !== staff.department?.code) {
    setTitle(t("window.task.notFound"));
    replace(main, h("h1", {}, t("window.task.notFound")), h("p", {}, t("window.task.notFoundBody")),
      h("p", {}, h("a", { href: "#/tasks" }, t("window.task.backToList"))));
    return undefined;
  }
  const draft = new Draft(task.id);
  const reload = async (message) => {
    const cleanup = await render(context);
    if (message) main.querySelector(".desk-status").textContent = message;
    main.querySelector("h1")?.focus();
    return cleanup;
  };
  let stopLive = null;
  const again = async (message) => {
    stopLive?.();
    stopLive = await reload(message);
  };
  const status = h("p", { class: "desk-status", role: "status", "aria-live": "polite" });
  const changed = h("div", { class: "desk-problem", "aria-live": "polite" });

  const conflict = (form, result) => {
    const panel = h("div", { class: "error-summary conflict", role: "alert", tabindex: "-1" },
      h("h2", {}, t("window.task.conflictTitle")),
      h("p", {}, result.message),
      h("p", {}, t("window.task.reloadKeeps")),
      h("button", { type: "button", class: "button", onclick: () => again() }, t("window.task.reload")));
    form.querySelector(".conflict")?.remove();
    form.prepend(panel);
    panel.focus();
  };

  async function decide(action, form, variables) {
    const [field, document] = DECISIONS[action];
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    try {
      const result = (await request(document, { id: task.id, version: task.version, ...variables }))[field];
      if (result.__typename === "Conflict") conflict(form, result);
      else if (isUserError(result)) showErrors(form, result);
      else {
        draft.forget();
        await again(t(`window.task.done.${action}`, { item: task.item.name }));
        return;
      }
    } catch (error) {
      showErrors(form, error);
    }
    button.disabled = false;
  }

  const decisionForm = (action, controls, read) => {
    const form = h("form", { novalidate: true, class: `decision decision--${action}` }, controls,
      h("div", { class: "actions" }, h("button", { type: "submit", class: action === "reject" ? "button button--secondary" : "button" },
        t(`window.task.action.${action}`))));
    form.addEventListener("input", () => draft.keep(form));
    form.addEventListener("change", () => draft.keep(form));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      decide(action, form, read(form));
    });
    return form;
  };
  const textArea = (name, label, hint) => h("div", { class: "field" },
    h("label", { for: fieldId(name) }, label),
    hint ? h("span", { class: "hint", id: `hint-${fieldId(name)}` }, hint) : null,
    h("textarea", { id: fieldId(name), name, rows: 3, "aria-describedby": hint ? `hint-${fieldId(name)}` : null },
      draft.get(name)));
  const checkboxes = (name, legend, options) => h("div", { class: "field" },
    h("fieldset", { id: fieldId(name), tabindex: "-1" }, h("legend", {}, legend),
      h("div", { class: "checkbox-columns" }, options.map(([value, label], n) => h("div", { class: "choice" },
        h("input", { type: "checkbox", id: `${fieldId(name)}-${n}`, name, value,
          checked: draft.get(name, []).includes(value) }),
        h("label", { for: `${fieldId(name)}-${n}` }, label))))));
  const chosen = (form, name) => [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);

  const forms = {
    accept: () => decisionForm("accept", h("p", {}, t("window.task.acceptHint")), () => ({})),
    approve: () => decisionForm("approve", textArea("note", t("window.task.note"), t("window.task.noteHint")),
      (form) => ({ note: form.elements.note.value || null })),
    reject: () => decisionForm("reject", textArea("reason", t("window.task.reason"), null),
      (form) => ({ reason: form.elements.reason.value })),
    supplement: () => decisionForm("supplement", [
      checkboxes("fields", t("window.task.supplementFields"), application.bundle.form.fields.map((f) => [f.key, f.label])),
      checkboxes("materials", t("window.task.supplementMaterials"),
        application.bundle.form.materials.map((m) => [m.code, m.name])),
      textArea("message", t("window.task.supplementMessage"), null)],
    (form) => ({ fields: chosen(form, "fields"), materials: chosen(form, "materials"),
      message: form.elements.message.value || null })),
  };
  const offered = OFFERED[task.status] ?? [];
  // The usual decision is open; the others fold away until wanted.
  const decisions = offered.map((action, n) => (n === 0 ? h("section", { class: "decision-block" },
    h("h3", {}, t(`window.task.action.${action}`)), forms[action]())
    : h("details", { class: "decision-block", open: draft.get(action === "reject" ? "reason" : "message") ? true : null },
      h("summary", {}, t(`window.task.action.${action}`)), forms[action]())));

  const title = t("window.task.title", { item: task.item.name });
  setTitle(title);
  const fields = new Map(application.bundle.form.fields.map((f) => [f.key, f]));
  const materialNames = new Map(application.bundle.form.materials.map((m) => [m.code, m.name]));
  replace(main,
    h("p", { class: "desk-caption" }, `${application.bundle.name} · ${t("window.task.applicationNo", { number: application.number })}`),
    h("h1", {}, title),
    status, changed,
    h("div", { class: "desk-grid desk-grid--task" },
      h("section", { class: "panel", "aria-labelledby": "task-facts" },
        h("h2", { id: "task-facts" }, t("window.task.facts")),
        h("dl", { class: "summary-list" },
          h("dt", {}, t("window.task.status")), h("dd", {}, h("strong", {}, t(`applications.task.${task.status}`)),
            task.overdue ? [" ", h("strong", { class: "tag tag--error" }, t("window.tasks.overdue"))] : null),
          h("dt", {}, t("window.task.applicant")), h("dd", {}, application.applicant.displayName),
          h("dt", {}, t("window.task.channel")), h("dd", {}, t(`window.channel.${application.channel}`)),
          h("dt", {}, t("window.task.submittedAt")), h("dd", {}, formatDateTime(task.submittedAt)),
          h("dt", {}, t("window.task.deadline")), h("dd", {}, task.deadline
            ? `${formatDateTime(task.deadline)}${task.deadlineProvisional ? t("window.task.provisional") : ""}`
            : t("window.tasks.noDeadline")),
          h("dt", {}, t("window.task.version")), h("dd", {}, String(task.version)),
          task.decidedBy ? [h("dt", {}, t("instant.decidedBy")), h("dd", {}, task.decidedBy === "RULE"
            ? [h("strong", { class: "tag tag--instant" }, t("instant.byRule")), " ", task.rule]
            : t("instant.byPerson"))] : null,
          task.note ? [h("dt", {}, t("window.task.noteShown")), h("dd", {}, task.note)] : null),
        h("h2", {}, t("window.task.decide")),
        offered.length ? decisions : h("p", {}, t("window.task.nothingToDo"))),
      h("section", { class: "panel", "aria-labelledby": "form-values" },
        h("h2", { id: "form-values" }, t("window.task.formValues")),
        h("dl", { class: "summary-list" }, Object.entries(application.formValues).map(([key, value]) => [
          h("dt", {}, fields.get(key)?.label ?? key),
          h("dd", {}, fields.has(key) ? displayValue(fields.get(key), value) : String(value))])),
        h("h2", {}, t("window.task.materials")),
        application.materials.length
          ? h("ul", { class: "material-list" }, application.materials.map((m) => h("li", {},
            h("strong", {}, materialNames.get(m.code) ?? m.code), " ",
            h("span", { class: "tag" }, t(`window.material.${m.source}`)), " ",
            m.certificateNumber ?? "", m.url ? fileLink(m.url, materialNames.get(m.code) ?? m.code) : null)))
          : h("p", {}, t("window.task.noMaterials")))),
    h("p", {}, h("a", { href: "#/tasks" }, t("window.task.backToList"))));

  // Someone else acting on this task is shown as it happens, so the handler need not wait for a conflict.
  stopLive = follow({
    query: UPDATES, variables: { id: application.id }, field: "applicationUpdated",
    onEvent: (event) => {
      if (event.task?.id !== task.id || event.task.version <= task.version) return;
      replace(changed, h("div", { class: "desk-notice" },
        h("p", {}, t("window.task.changedLive", { status: t(`applications.task.${event.task.status}`) })),
        h("button", { type: "button", class: "button button--secondary", onclick: () => again() }, t("window.task.reload"))));
    },
  });
  return () => stopLive?.();
}

/** An attachment opens in a new tab through its short-lived signed link (the server logs the read as the
 * handler's, in the applicant's access log). A link outlives its five minutes only on a page left open: the
 * server then answers LINK_EXPIRED, and reloading the task gives fresh links. */
function fileLink(url, name) {
  return [" ", h("a", { href: url, target: "_blank", rel: "noopener" }, t("window.task.openFile", { name }))];
}
