// 我的账号: the account's signed-in devices (me.sessions); a TV's or a kiosk's sign-in ends here with 退出
// (revokeSession), which also closes its live connections.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { isUserError } from "../../shared/errors.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

const SESSIONS = `query MySessions { me { sessions { id terminal device current createdAt expiresAt maskedAddress } } }`;
const REVOKE = `mutation RevokeSession($id: ID!) {
  revokeSession(id: $id) { __typename ... on Session { id device } ... on UserError { code message } }
}`;

export default async function render({ main, setTitle }) {
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
    h("h2", { id: "sessions-title" }, t("account.sessions.title")),
    h("p", { class: "lead" }, t("account.sessions.lead")),
    status,
    list);
}
