// 我的办件: the viewer's applications, newest first, paged. Read over GET so that the service worker keeps
// the last answer and the list opens offline after one visit. The open offers (免申即享) come first.
import { openOffersSection } from "../offers.js";
import { h, replace, formatDateTime } from "../../shared/dom.js";
import { query } from "../../shared/graphql.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";

const PAGE_SIZE = 10;
const MY_APPLICATIONS = `query MyApplications($first: Int, $after: String) {
  me {
    applications(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id number status createdAt bundle { name } tasks { status } } }
    }
  }
}`;

export const STATUS_TAG = { DONE: "tag tag--done", NEEDS_SUPPLEMENT: "tag tag--warning",
  PARTLY_REJECTED: "tag tag--error", REJECTED: "tag tag--error" };

export default async function render({ main, setTitle, offline, session, navigate }) {
  setTitle(t("applications.title"));
  const [first, offers] = await Promise.all([page(null, offline), openOffersSection({ session, navigate })]);
  if (!first) {
    replace(main, h("h1", {}, t("applications.title")), h("p", {}, t("applications.signedOut")),
      h("p", {}, h("a", { href: "#/signin?next=/applications" }, t("nav.signIn"))));
    return;
  }
  if (!first.totalCount) {
    replace(main, h("h1", {}, t("applications.title")), h("p", {}, t("applications.empty")),
      h("p", {}, h("a", { class: "button", href: "#/" }, t("applications.browse"))));
    return;
  }
  const list = h("ul", { class: "card-list application-list" });
  const { controls, show } = pager({
    list, entry: applicationCard, nextPage: (after) => page(after, offline),
    label: t("applications.more"), loadingLabel: t("applications.loadingMore"),
  });
  show(first);
  replace(main, h("h1", {}, t("applications.title")), offers,
    h("p", { class: "muted" }, t("applications.count", { n: first.totalCount })), list, controls);
}

async function page(after, offline) {
  const { data, fromCache } = await query(MY_APPLICATIONS, { first: PAGE_SIZE, after });
  if (fromCache) offline(true);
  return data.me?.applications ?? null;
}

function applicationCard(application) {
  const done = application.tasks.filter((task) => task.status === "APPROVED").length;
  return h("li", {},
    h("a", { class: "card application-card", href: `#/application/${application.id}` },
      h("h2", {}, application.bundle.name),
      h("p", { class: "application-card__status" },
        h("span", { class: STATUS_TAG[application.status] ?? "tag" }, t(`applications.status.${application.status}`)),
        h("span", {}, t("applications.tasksDone", { done, total: application.tasks.length }))),
      h("p", { class: "muted application-card__time" },
        t("applications.numberAndSubmittedAt",
          { number: application.number, time: formatDateTime(application.createdAt) }))));
}
