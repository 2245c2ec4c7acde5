// 我的账号: an enterprise's industry (setAccountIndustry: the policy packs it is pushed), and the account's
// signed-in devices (me.sessions); a TV's or a kiosk's sign-in ends here with 退出 (revokeSession), which also
// closes its live connections.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { USER_ERROR_FIELDS, clearErrors, isUserError, showErrors } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { industryField, loadIndustries } from "../../shared/industry-field.js";
import { t } from "../../shared/strings.js";

const INDUSTRY = `query MyIndustry { me { profile { industry { code name } } } }`;
const SET_INDUSTRY = `mutation SetIndustry($industry: String!) {
  setAccountIndustry(industry: $industry) { ${USER_ERROR_FIELDS} ... on Profile { industry { code name } } }
}`;

/** The enterprise's industry, chosen from the 20 sections and saved with one button. */
async function industryForm() {
  const [industries, { me }] = await Promise.all([loadIndustries(), request(INDUSTRY)]);
  const status = h("p", { role: "status", class: "status-line" });
  const button = h("button", { type: "submit", class: "button" }, t("industry.save"));
  const form = h("form", { class: "industry-form", novalidate: true, "aria-labelledby": "industry-title" },
    industryField(industries, me?.profile.industry?.code ?? ""), h("div", { class: "actions" }, button), status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    button.disabled = true;
    status.textContent = t("industry.saving");
    try {
      const { setAccountIndustry: result } = await request(SET_INDUSTRY, { industry: form.elements.industry.value });
      if (isUserError(result)) {
        status.textContent = "";
        showErrors(form, result);
      } else {
        status.textContent = t("industry.saved", { name: result.industry.name });
      }
    } catch (error) {
      status.textContent = "";
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return [h("h2", { id: "industry-title" }, t("industry.title")), form];
}

const SESSIONS = `query MySessions { me { sessions { id terminal device current createdAt expiresAt maskedAddress } } }`;
const REVOKE = `mutation RevokeSession($id: ID!) {
  revokeSession(id: $id) { __typename ... on Session { id device } ... on UserError { code message } }
}`;

export default async function render({ main, session, setTitle }) {
  setTitle(t("account.page.title"));
  const status = h("p", { role: "status", class: "status-line" });
  const list = h("ul", { class: "cards session-list", "aria-labelledby": "sessions-title" });

  async function draw() {
    const { me } = await request(SESSIONS);
    const sessions = me?.sessions ?? [];
    replace(list, sessions.map((session) => {
      const name = session.terminal ? session.device : t("account.sessions.ordinary");
      return h("li", { class: "card session", id: `session-${session.id}` },
        h("p", { class: "session__name" }, h("strong", {}, name), session.current ? t("account.sessions.current") : ""),
        h("p", { class: "meta" }, [t("account.sessions.since", { time: formatDateTime(session.createdAt) }),
          t("account.sessions.until", { time: formatDateTime(session.expiresAt) }),
          t("account.sessions.from", { address: session.maskedAddress })].join(" · ")),
        session.terminal ? h("button", { type: "button", class: "button button--secondary",
          "aria-label": t("account.sessions.signOutOf", { device: name }),
          onclick: async (event) => {
            event.currentTarget.disabled = true;
            const { revokeSession: result } = await request(REVOKE, { id: session.id });
            status.textContent = isUserError(result) ? result.message
              : t("account.sessions.signedOut", { device: result.device });
            await draw();
          } }, t("account.sessions.signOut")) : null);
    }));
    if (!sessions.some((s) => !s.current)) list.append(h("li", { class: "meta" }, t("account.sessions.none")));
  }

  await draw();
  replace(main,
    h("h1", {}, t("account.page.title")),
    session.account.kind === "ENTERPRISE" ? await industryForm() : null,
    h("h2", { id: "sessions-title" }, t("account.sessions.title")),
    h("p", { class: "lead" }, t("account.sessions.lead")),
    status,
    list);
}
