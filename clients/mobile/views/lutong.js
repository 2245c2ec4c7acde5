// 鲁通码: the holder's one code, valid in every scene (the scanner's scene decides what it sees) unless they
// restrict it to one scene, rotating before it expires; their e-licences; and the access log of who read their data.
import { formatDate, formatDateTime, h, replace } from "../../shared/dom.js";
import { fieldId, showProblem } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { qrImageSource } from "../../shared/qr.js";
import { t } from "../../shared/strings.js";

const SCENES = ["GOVERNMENT_SERVICE", "MEDICAL_HEALTH", "TRANSPORT", "CULTURE_TOURISM", "LODGING", "SOCIAL_SECURITY"];
const LOG_PAGE_SIZE = 10;
// Fetch the next code this long before the shown one expires, so that a scanner never reads a dead code.
const REFRESH_BEFORE_MS = 5000;
// Never fetch automatically more often than this, even when the device clock runs ahead of the server's.
const MIN_REFRESH_MS = 10000;

const CODE = `query LuTongCode($scene: Scene) { myLuTongCode(scene: $scene) { payload svg expiresAt scene } }`;

const LOG_FIELDS = `totalCount pageInfo { hasNextPage endCursor } edges { node { at action actor actorName target terminal } }`;

const PAGE = `query LuTongPage($first: Int!) {
  me {
    certificates { id type name number issuer issuedAt validUntil }
    accessLog(first: $first) { ${LOG_FIELDS} }
  }
  departments { code name }
}`;

const MORE_LOG = `query AccessLog($first: Int!, $after: String) {
  me { accessLog(first: $first, after: $after) { ${LOG_FIELDS} } }
}`;

/** Where the shown code may be used, in words: every scene, or only the one it is restricted to. */
function scope(scene) {
  return scene ? t("lutong.code.onlyIn", { scene: t(`lutong.scene.${scene}`) }) : t("lutong.code.everyScene");
}

/** The code panel: every scene or one, shows the code and its countdown, fetches the next one in time. */
function codePanel() {
  const select = h("select", { id: fieldId("scene"), "aria-describedby": `${fieldId("scene")}-hint` },
    h("option", { value: "" }, t("lutong.scene.every")),
    SCENES.map((scene) => h("option", { value: scene }, t("lutong.scene.only", { scene: t(`lutong.scene.${scene}`) }))));
  const image = h("img", { class: "lutong-code__image", width: 228, height: 228, alt: "", hidden: true });
  const scopeText = h("p", { class: "lutong-code__scope" });
  // The code's content, for a desk whose scanner cannot read the screen: the clerk types it in.
  const payload = h("code", { class: "lutong-code__payload" });
  const countdown = h("p", { class: "lutong-code__countdown", role: "timer" }, t("lutong.code.loading"));
  const problem = h("div", { class: "lutong-code__problem" });
  const refresh = h("button", { type: "button", class: "button button--secondary" }, t("lutong.code.refresh"));

  let expiresAt = null;
  let nextFetchAt = Infinity;
  let loads = 0;
  let pending = false;
  let stopped = false;

  async function load() {
    const ticket = ++loads;
    pending = true;
    try {
      const { myLuTongCode: code } = await request(CODE, { scene: select.value || null });
      if (ticket !== loads) return;  // the scene changed meanwhile: a newer answer is on its way
      expiresAt = Date.parse(code.expiresAt);
      nextFetchAt = Math.max(expiresAt - REFRESH_BEFORE_MS, Date.now() + MIN_REFRESH_MS);
      image.src = qrImageSource(code.svg);
      image.alt = t("lutong.code.alt", { scope: scope(code.scene) });
      image.hidden = false;
      scopeText.textContent = scope(code.scene);
      payload.textContent = code.payload;
      replace(problem);
    } catch (error) {
      if (ticket !== loads) return;
      nextFetchAt = Date.now() + MIN_REFRESH_MS;
      showProblem(problem, error);
    } finally {
      if (ticket === loads) pending = false;
      tick();
    }
  }

  function tick() {
    if (stopped) return;
    const now = Date.now();
    if (!pending && now >= nextFetchAt) {
      load();
      return;
    }
    if (expiresAt === null) return;
    const seconds = Math.ceil((expiresAt - now) / 1000);
    image.hidden = seconds <= 0;  // a dead code is never offered to a scanner
    payload.hidden = seconds <= 0;
    countdown.textContent = seconds > 0 ? t("lutong.code.countdown", { seconds }) : t("lutong.code.expired");
  }

  select.addEventListener("change", load);
  refresh.addEventListener("click", load);
  const timer = setInterval(tick, 1000);
  const panel = h("section", { class: "lutong-code", "aria-labelledby": "lutong-code-heading" },
    h("h2", { id: "lutong-code-heading" }, t("lutong.code.heading")),
    h("div", { class: "field" },
      h("label", { for: select.id }, t("lutong.scene.label")),
      h("span", { class: "hint", id: `${select.id}-hint` }, t("lutong.scene.hint")),
      select),
    h("div", { class: "lutong-code__frame" }, image),
    scopeText,
    countdown,
    problem,
    h("div", { class: "actions" }, refresh),
    h("details", { class: "lutong-code__text" },
      h("summary", {}, t("lutong.code.showText")),
      h("p", { class: "hint" }, t("lutong.code.textHint")),
      payload),
    h("p", { class: "muted" }, t("lutong.code.note")));
  const stop = () => {
    stopped = true;
    clearInterval(timer);
  };
  return { panel, start: load, stop };
}

function licenceList(certificates, departments) {
  if (!certificates.length) return h("p", {}, t("lutong.licences.empty"));
  return h("ul", { class: "card-list licence-list" }, certificates.map((licence) => h("li", { class: "card" },
    h("h3", {}, licence.name),
    h("dl", { class: "summary-list" },
      h("dt", {}, t("lutong.licences.number")), h("dd", {}, licence.number),
      h("dt", {}, t("lutong.licences.issuer")), h("dd", {}, departments.get(licence.issuer) ?? licence.issuer),
      h("dt", {}, t("lutong.licences.issuedAt")), h("dd", {}, formatDate(licence.issuedAt)),
      licence.validUntil ? [h("dt", {}, t("lutong.licences.validUntil")), h("dd", {}, formatDate(licence.validUntil))]
        : null))));
}

/** What was read: a scan names its scene, a read names the application or upload. */
function whatWasRead({ action, target }) {
  if (action === "lutong.scan") {
    return t("lutong.log.scan", { scene: SCENES.includes(target) ? t(`lutong.scene.${target}`) : target });
  }
  const [kind, id] = target.split(":");
  if (kind === "application") return t("lutong.log.readApplication", { id });
  if (kind === "upload") return t("lutong.log.readUpload");
  return t("lutong.log.read", { target });
}

/** Who read the data: the reading account's name (济南舜耕山庄), else the kind of account it was. */
function whoRead(entry) {
  if (entry.actorName) return entry.actorName;
  const match = /^(staff|citizen|enterprise):(\d+)$/.exec(entry.actor);
  return match ? t(`lutong.log.actor.${match[1]}`, { id: match[2] }) : entry.actor;
}

function logEntry(entry) {
  return h("li", { class: "access-log__entry" },
    h("time", { datetime: entry.at }, formatDateTime(entry.at)),
    h("span", { class: "access-log__what" }, whatWasRead(entry)),
    h("span", { class: "access-log__who" }, whoRead(entry)),
    entry.terminal
      ? h("span", { class: "muted" }, t("lutong.log.via", { terminal: t(`lutong.terminal.${entry.terminal}`) }))
      : null);
}

/** The access log with its "load more" button. */
function accessLog(firstPage) {
  const list = h("ol", { class: "access-log" });
  const count = h("p", { class: "muted" });
  const { controls, show } = pager({
    list, entry: logEntry, label: t("lutong.log.more"), loadingLabel: t("lutong.log.loadingMore"),
    nextPage: async (after) => (await request(MORE_LOG, { first: LOG_PAGE_SIZE, after })).me.accessLog,
    onPage: (page) => { count.textContent = t("lutong.log.count", { n: page.totalCount }); },
  });
  show(firstPage);
  return h("section", { class: "lutong-log", "aria-labelledby": "lutong-log-heading" },
    h("h2", { id: "lutong-log-heading" }, t("lutong.log.heading")),
    h("p", {}, t("lutong.log.lead")),
    firstPage.totalCount ? [count, list] : h("p", {}, t("lutong.log.empty")),
    controls);
}

export default async function render({ main, setTitle }) {
  setTitle(t("lutong.title"));
  const { me, departments } = await request(PAGE, { first: LOG_PAGE_SIZE });
  const departmentNames = new Map(departments.map(({ code, name }) => [code, name]));
  const code = codePanel();
  replace(main,
    h("h1", {}, t("lutong.title")),
    h("p", { class: "lead" }, t("lutong.lead")),
    h("div", { class: "lutong-layout" },
      code.panel,
      h("section", { class: "lutong-licences", "aria-labelledby": "lutong-licences-heading" },
        h("h2", { id: "lutong-licences-heading" }, t("lutong.licences.heading")),
        licenceList(me.certificates, departmentNames))),
    accessLog(me.accessLog));
  code.start();
  return code.stop;
}
