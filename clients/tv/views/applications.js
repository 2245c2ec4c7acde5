// 我的办件 on the TV: the signed-in person's applications, newest first, each opening its live progress.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { signedOut } from "../../shared/session.js";
import { t } from "../../shared/strings.js";

const APPLICATIONS = `query TvApplications { me { applications(first: 20) { edges { node {
  id status createdAt bundle { name } tasks { status }
} } } } }`;
export const STATUS_CLASS = { DONE: "tv-tag tv-tag--done", NEEDS_SUPPLEMENT: "tv-tag tv-tag--warning",
  PARTLY_REJECTED: "tv-tag tv-tag--error", REJECTED: "tv-tag tv-tag--error" };

export function statusTag(status) {
  return h("span", { class: STATUS_CLASS[status] ?? "tv-tag" }, t(`applications.status.${status}`));
}

export default async function render({ main, setTitle }) {
  setTitle(t("tv.applications.title"));
  const { me } = await request(APPLICATIONS);
  if (!me) { // the session ended (signed out from the phone, or lapsed): the app goes to the sign-in
    signedOut();
    return;
  }
  const applications = me.applications.edges.map((e) => e.node);
  replace(main,
    h("h1", {}, t("tv.applications.title")),
    applications.length
      ? h("ul", { class: "tv-cards" }, applications.map((application) => h("li", {},
        h("a", { href: `#/application/${encodeURIComponent(application.id)}`, class: "tv-card" },
          h("span", { class: "tv-card__title" }, application.bundle.name),
          h("span", { class: "tv-card__meta" }, statusTag(application.status), " ",
            t("tv.applications.tasks", { done: application.tasks.filter((x) => x.status === "APPROVED").length,
              total: application.tasks.length }), " · ",
            t("tv.applications.submitted", { time: formatDateTime(application.createdAt) }))))))
      : h("p", { class: "tv-lead" }, t("tv.applications.none")),
    h("p", {}, h("a", { href: "#/", class: "tv-button" }, t("tv.back"))));
}
