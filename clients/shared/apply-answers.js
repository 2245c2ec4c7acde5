// One fill of a merged form: the answers, uploads and the last submission's errors, kept in sessionStorage
// per account and bundle so that a reload or a step back loses nothing; and the topics (one page each)
// the form's fields are grouped into.
import { idempotencyKey } from "./graphql.js";
import { ZH as APPLY_STRINGS } from "./strings/apply.js";
import { isBlank } from "./apply-fields.js";

export const MATERIALS = "materials";
const MATERIAL_PREFIX = `${MATERIALS}.`;

/** Whether an error's field names a material (`materials.<code>`, shown on the materials page). */
export function isMaterialKey(field) {
  return field.startsWith(MATERIAL_PREFIX);
}

/**
 * The topics of a merged form: fields grouped by the prefix of their canonical key (`child.name` → child),
 * in the order their first field appears. Prefixes without a topic name share the topic "other".
 */
export function topicsOf(fields) {
  const topics = new Map();
  for (const field of fields) {
    const prefix = field.key.split(".")[0];
    const id = `apply.topic.${prefix}` in APPLY_STRINGS ? prefix : "other";
    if (!topics.has(id)) topics.set(id, { id, fields: [] });
    topics.get(id).fields.push(field);
  }
  return [...topics.values()];
}

/** Materials the applicant must upload: neither held as an e-licence nor issued on the way by the bundle. */
export function materialsToUpload(bundle) {
  return bundle.form.materials.filter((m) => !m.heldLicence && !m.issuedBy);
}

/** The bundle's item that issues a material on the way (the API's `issuedBy`), e.g. 出生医学证明. */
export function issuerOf(bundle, material) {
  return material.issuedBy ? bundle.items.find(({ item }) => item.code === material.issuedBy)?.item : undefined;
}

/** Storage that lives as long as the page (a kiosk keeps nothing of a person where the next one could find it). */
export function memoryStorage() {
  const entries = new Map();
  return {
    getItem: (key) => entries.get(key) ?? null,
    setItem: (key, value) => entries.set(key, String(value)),
    removeItem: (key) => entries.delete(key),
  };
}

export class Answers {
  /**
   * `storage`: where the fill is kept (sessionStorage, or `memoryStorage()`); `prefill`: whether prefilled values
   * start as answers (not on a kiosk, whose prefilled values are masked: a value left out of the submission is
   * taken by the API from the same source).
   */
  constructor(accountId, bundle, { storage = sessionStorage, prefill = true } = {}) {
    this.bundle = bundle;
    this.storage = storage;
    this.storageKey = `portal.apply.${accountId}.${bundle.code}`;
    let stored = null;
    try {
      stored = JSON.parse(storage.getItem(this.storageKey) || "null");
    } catch {
      /* a corrupt entry starts a new fill */
    }
    this.prefilled = prefill ? Object.fromEntries(bundle.form.fields.filter((f) => !isBlank(f.value))
      .map((f) => [f.key, f.value])) : {};
    // One idempotency key per form fill, kept with the answers: a retried submission returns the first result.
    this.state = stored ?? { key: idempotencyKey(), values: { ...this.prefilled }, saved: [], uploads: {}, errors: [] };
    this.store();
  }

  /**
   * 免申即享: start this fill over for an offer whose one tap found something missing — the offer's values over
   * the prefill, the tap's problems marked, every page without a problem counted as done (the API named every
   * problem at once) — so that submitting accepts the offer (`offer` is its id).
   */
  startFromOffer({ id, formValues, errors }, topics) {
    const troubled = new Set(errors.map((e) => e.field));
    const saved = topics.filter((topic) => !topic.fields.some((f) => troubled.has(f.key))).map((topic) => topic.id);
    if (!errors.some((e) => isMaterialKey(e.field))) saved.push(MATERIALS);
    this.state = { key: idempotencyKey(), values: { ...this.prefilled, ...formValues }, saved, uploads: {},
      errors: errors.map(({ field, message }) => ({ field, message })), offer: id };
    this.store();
  }

  /** The offer this fill accepts (免申即享), or null for an ordinary application. */
  get offer() {
    return this.state.offer ?? null;
  }

  store() {
    this.storage.setItem(this.storageKey, JSON.stringify(this.state));
  }

  forget() {
    this.storage.removeItem(this.storageKey);
  }

  get key() {
    return this.state.key;
  }

  value(key) {
    return this.state.values[key];
  }

  upload(code) {
    return this.state.uploads[code];
  }

  setValues(values) {
    Object.assign(this.state.values, values);
    this.store();
  }

  setUpload(code, upload) {
    this.state.uploads[code] = upload;
    this.store();
  }

  /** The user saved a page: it counts as done, and the problems it showed as fixed (the API checks again
   * on the next submission). */
  markSaved(pageId, onPage) {
    if (!this.state.saved.includes(pageId)) this.state.saved.push(pageId);
    this.state.errors = this.state.errors.filter((e) => !onPage(e.field));
    this.store();
  }

  setErrors(errors) {
    this.state.errors = errors.map(({ field, message }) => ({ field, message }));
    this.store();
  }

  get errors() {
    return this.state.errors;
  }

  errorsOf(onPage) {
    return this.state.errors.filter((e) => onPage(e.field));
  }

  /** 需修改 when the last submission found a problem in it, 已完成 once saved (a page is saved only with
   * every required answer given), else 未开始. */
  topicStatus(topic) {
    const keys = new Set(topic.fields.map((f) => f.key));
    if (this.errorsOf((field) => keys.has(field)).length) return "needsFix";
    return this.state.saved.includes(topic.id) ? "done" : "notStarted";
  }

  materialsStatus() {
    if (this.errorsOf(isMaterialKey).length) return "needsFix";
    return !materialsToUpload(this.bundle).length || this.state.saved.includes(MATERIALS) ? "done" : "notStarted";
  }

  /** The submission's form values: every answer to a field of this form, blanks included (a cleared
   * prefilled value stays cleared), and the uploaded materials. */
  submission() {
    const formValues = {};
    for (const field of this.bundle.form.fields) {
      if (field.key in this.state.values) formValues[field.key] = this.state.values[field.key];
    }
    const codes = new Set(this.bundle.form.materials.map((m) => m.code));
    const materials = Object.entries(this.state.uploads).filter(([code]) => codes.has(code))
      .map(([code, upload]) => ({ code, fileId: upload.fileId }));
    return { formValues, materials };
  }
}
