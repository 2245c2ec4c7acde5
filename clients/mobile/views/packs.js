// 惠企服务包: the packs pushed to the enterprise (or to the enterprises this person is an agent of), unread first,
// each marked 未读 until opened. An enterprise's list follows its inbox live: a pack pushed while the screen is
// open appears at once.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { follow } from "../../shared/live.js";
import { pager } from "../../shared/paging.js";
import { t } from "../../shared/strings.js";

const PAGE_SIZE = 20;
const INBOX = `query MyPolicyPacks($first: Int!, $after: String) {
  me {
    unreadPolicyPacks
    policyPacks(first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { id read pushedAt enterpriseName pack { id title summary } } }
    }
  }
}`;
const LIVE = `subscription PackInbox($after: String) { policyPackInbox(after: $after) { cursor kind } }`;

function packCard(delivery) {
  return h("li", {}, h("a", {
    class: `card pack-card${delivery.read ? "" : " pack-card--unread"}`, id: `pack-${delivery.id}`,
    href: `#/pack/${encodeURIComponent(delivery.id)}`,
  },
  h("h3", {}, delivery.read ? null : h("span", { class: "tag tag--warning" }, t("packs.unread")), " ",
    delivery.pack.title),
  h("p", {}, delivery.pack.summary),
  h("p", { class: "muted" }, [t("packs.pushedAt", { time: formatDateTime(delivery.pushedAt) }),
    t("packs.forEnterprise", { enterprise: delivery.enterpriseName })].join(" · "))));
}

export default async function render({ main, session, setTitle }) {
  setTitle(t("packs.title"));
  const status = h("p", { role: "status", class: "status-line" });
  const body = h("div", {});

  async function draw() {
    const list = h("ul", { class: "card-list pack-list" });
    const count = h("p", { class: "muted", id: "pack-count" });
    const nextPage = async (after) => (await request(INBOX, { first: PAGE_SIZE, after })).me.policyPacks;
    const { me } = await request(INBOX, { first: PAGE_SIZE, after: null });
    const { controls, show } = pager({
      list, entry: packCard, nextPage, label: t("packs.more"), loadingLabel: t("packs.loadingMore"),
      onPage: (page) => {
        count.textContent = t("packs.count", { n: page.totalCount, unread: me.unreadPolicyPacks });
      },
    });
    show(me.policyPacks);
    replace(body, me.policyPacks.totalCount ? [count, list] : h("p", {}, t("packs.empty")), controls);
  }

  await draw();
  replace(main, h("h1", {}, t("packs.title")), h("p", { class: "lead" }, t("packs.lead")), status, body);
  if (session.account.kind !== "ENTERPRISE") return undefined;
  return follow({
    query: LIVE, field: "policyPackInbox",
    onEvent: async (event) => {
      if (event.kind === "pack.pushed") status.textContent = t("packs.live");
      await draw();
    },
  });
}
