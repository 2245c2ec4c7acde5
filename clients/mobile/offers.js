// 免申即享: what the person's approvals offered them (出生登记 → 育儿补贴 ...), as cards with 一键申请 and 不需要, on the
// home screen, in 我的办件 and on the application that made them. 一键申请 is `acceptOffer` with this client's
// channel: an application made at once opens its confirmation; a form that still lacks something opens the
// bundle's apply form prefilled with the offer's values, the missing answers marked (apply.js finishes it with
// `acceptOffer` again, sending the answers), so the offer is accepted, not left open beside a new application.
import { CHANNEL } from "./availability.js";
import { h, replace } from "../shared/dom.js";
import { USER_ERROR_FIELDS, isUserError, showErrors } from "../shared/errors.js";
import { request } from "../shared/graphql.js";
import { t } from "../shared/strings.js";

export const OFFER_FIELDS = `id reason status bundle { code name } formValues sourceApplication { id number }
  acceptedApplication { id number }`;
const MY_OFFERS = `query MyOffers { me { offers { ${OFFER_FIELDS} } } }`;
export const ACCEPT_OFFER = `mutation AcceptOffer($id: ID!, $channel: Terminal!, $formValues: JSON,
    $materials: [MaterialInput!]) {
  acceptOffer(id: $id, channel: $channel, formValues: $formValues, materials: $materials) {
    ... on Application { id } ${USER_ERROR_FIELDS}
  }
}`;
const DECLINE_OFFER = `mutation DeclineOffer($id: ID!) {
  declineOffer(id: $id) { ... on Offer { id status } ${USER_ERROR_FIELDS} }
}`;
const HANDOFF = "portal.offerForm";

/** The offer a form is opened for after 一键申请 found something missing: its id, values and the problems to mark.
 * Taken once by the apply form of that bundle (`takeOfferForm`), for the account that tapped. */
function handOver(session, offer, errors) {
  sessionStorage.setItem(HANDOFF, JSON.stringify({ account: session.account.id, bundle: offer.bundle.code,
    id: offer.id, formValues: offer.formValues, errors }));
}

/** The offer handed to the apply form of `bundleCode` (and forgotten), or null. */
export function takeOfferForm(session, bundleCode) {
  let handed = null;
  try {
    handed = JSON.parse(sessionStorage.getItem(HANDOFF) || "null");
  } catch {
    /* a corrupt entry hands nothing over */
  }
  if (!handed || handed.account !== session.account.id || handed.bundle !== bundleCode) return null;
  sessionStorage.removeItem(HANDOFF);
  return handed;
}

/** `acceptOffer` with the answers of its form (null on the one tap): the mutation's result. */
export async function acceptOffer(id, formValues = null, materials = null) {
  return (await request(ACCEPT_OFFER, { id, channel: CHANNEL, formValues, materials })).acceptOffer;
}

/**
 * One offer: what it is, why, from which application, and — while it is open — 一键申请 and 不需要. `onDeclined`
 * is told when the person declined it (the card is then removed); `showSource` names the application it came from.
 */
export function offerCard(offer, { session, navigate, onDeclined, showSource = true }) {
  const actions = h("div", { class: "actions offer-card__actions" });
  const card = h("li", { class: "card offer-card", id: `offer-${offer.id}` },
    h("h3", {}, h("a", { href: `#/bundle/${encodeURIComponent(offer.bundle.code)}` }, offer.bundle.name)),
    h("p", { class: "offer-card__reason" }, offer.reason),
    showSource && offer.sourceApplication ? h("p", { class: "muted offer-card__source" },
      h("a", { href: `#/application/${encodeURIComponent(offer.sourceApplication.id)}` },
        t("offers.fromApplication", { number: offer.sourceApplication.number }))) : null,
    offer.status === "OPEN" ? actions : h("p", {},
      h("span", { class: offer.status === "ACCEPTED" ? "tag tag--done" : "tag" }, t(`offers.status.${offer.status}`)),
      offer.acceptedApplication ? [" ", h("a", {
        href: `#/application/${encodeURIComponent(offer.acceptedApplication.id)}`,
      }, t("offers.acceptedAs", { number: offer.acceptedApplication.number }))] : null));
  if (offer.status !== "OPEN") return card;

  const accept = h("button", { type: "button", class: "button",
    "aria-label": t("offers.acceptLabel", { bundle: offer.bundle.name }) }, t("offers.accept"));
  const decline = h("button", { type: "button", class: "button button--secondary",
    "aria-label": t("offers.declineLabel", { bundle: offer.bundle.name }) }, t("offers.decline"));
  const busy = (on) => {
    accept.disabled = on;
    decline.disabled = on;
    accept.textContent = on ? t("offers.accepting") : t("offers.accept");
  };
  accept.addEventListener("click", async () => {
    busy(true);
    try {
      const result = await acceptOffer(offer.id);
      if (result.__typename === "Application") {
        navigate(`/application/${result.id}/submitted`);
        return;
      }
      if (result.__typename === "FormInvalid") {
        handOver(session, offer, result.errors);
        navigate(`/apply/${encodeURIComponent(offer.bundle.code)}`);
        return;
      }
      showErrors(card, result);
    } catch (error) {
      showErrors(card, error);
    }
    busy(false);
  });
  decline.addEventListener("click", async () => {
    busy(true);
    try {
      const { declineOffer: result } = await request(DECLINE_OFFER, { id: offer.id });
      if (!isUserError(result)) {
        onDeclined?.(offer);
        card.remove();
        return;
      }
      showErrors(card, result);
    } catch (error) {
      showErrors(card, error);
    }
    busy(false);
  });
  replace(actions, accept, decline);
  return card;
}

/**
 * The section of open offers (home, 我的办件): nothing when there are none or they cannot be read now (offline);
 * the section disappears when the last one is answered, and says what was declined.
 */
export async function openOffersSection({ session, navigate }) {
  if (!session || !navigator.onLine) return null; // offers are answered live, never from the offline cache
  let offers;
  try {
    offers = (await request(MY_OFFERS)).me?.offers ?? [];
  } catch {
    return null; // offline or signed out meanwhile: the page works without them
  }
  const open = offers.filter((offer) => offer.status === "OPEN");
  if (!open.length) return null;
  const news = h("p", { class: "offers__news", role: "status" });
  const list = h("ul", { class: "card-list offer-list" });
  const section = h("section", { class: "offers", "aria-labelledby": "offers-title" },
    h("h2", { id: "offers-title" }, t("offers.title")),
    h("p", {}, t("offers.lead")),
    list, news);
  const onDeclined = (offer) => {
    news.textContent = t("offers.declined", { bundle: offer.bundle.name });
    if (list.children.length <= 1) replace(section, news);
  };
  replace(list, open.map((offer) => offerCard(offer, { session, navigate, onDeclined })));
  return section;
}
