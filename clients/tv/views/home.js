// 首页: large tiles to the TV's screens; signed out, the sign-in tile comes first.
import { h, replace } from "../../shared/dom.js";
import { logout } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";

function tile(href, title, hint, { onclick = null, autofocus = false } = {}) {
  const content = [h("span", { class: "tv-tile__title" }, title), h("span", { class: "tv-tile__hint" }, hint)];
  return h("li", {}, href
    ? h("a", { href, class: "tv-tile", "data-autofocus": autofocus }, content)
    : h("button", { type: "button", class: "tv-tile", onclick, "data-autofocus": autofocus }, content));
}

export default async function render({ main, session, navigate, setTitle }) {
  setTitle(null);
  const signOut = async () => {
    await logout();
    navigate("/signin");
  };
  const tiles = session
    ? [tile("#/applications", t("tv.home.applications"), t("tv.home.applicationsHint"), { autofocus: true }),
      tile("#/catalog", t("tv.home.catalog"), t("tv.home.catalogHint")),
      tile("#/appointment", t("tv.home.appointment"), t("tv.home.appointmentHint")),
      tile("#/figures", t("tv.home.figures"), t("tv.home.figuresHint")),
      tile(null, t("tv.home.signOut"), t("tv.home.signOutHint"), { onclick: signOut })]
    : [tile("#/signin", t("tv.home.signIn"), t("tv.home.signInHint"), { autofocus: true }),
      tile("#/catalog", t("tv.home.catalog"), t("tv.home.catalogHint")),
      tile("#/figures", t("tv.home.figures"), t("tv.home.figuresHint"))];
  replace(main,
    h("h1", {}, session ? t("tv.home.greeting", { name: session.account.displayName }) : t("tv.home.title")),
    session ? null : h("p", { class: "tv-lead" }, t("tv.home.signedOut")),
    h("ul", { class: "tv-tiles" }, tiles));
}
