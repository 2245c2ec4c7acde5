// Whether a bundle can be applied for here, decided in one place for the bundle page and the apply screens: it
// must be offered on this terminal (Bundle.channels, which is what submission enforces: CHANNEL_NOT_OFFERED) and
// be for the signed-in account's kind (Bundle.audience: AUDIENCE_MISMATCH). When it cannot, the person is told
// before any form, with where it can be done instead, and no form is offered.
import { h } from "../shared/dom.js";
import { TERMINAL_NAME } from "../shared/session.js";
import { t } from "../shared/strings.js";

/** The terminal this page applies on (MOBILE or DESKTOP, see session.js): the channel of its submissions. */
export const CHANNEL = TERMINAL_NAME;

function channelNames(channels) {
  return channels.map((channel) => t(`catalog.bundle.channel.${channel}`)).join(t("catalog.bundle.listSeparator"));
}

/**
 * `{ canApply, reasons }` for `bundle` (with `channels` and `audience`) and the session (null when signed out):
 * the reasons, in words, why it cannot be applied for here. A signed-out visitor is told who a single-audience
 * bundle is for, and may still go on to sign in with the right account.
 */
export function availability(bundle, session) {
  const reasons = [];
  let canApply = true;
  if (!bundle.channels.includes(CHANNEL)) {
    const here = t(`catalog.bundle.channel.${CHANNEL}`);
    reasons.push(bundle.channels.length
      ? t("apply.notOfferedHere", { here, channels: channelNames(bundle.channels) })
      : t("apply.notOfferedAnywhere", { here }));
    canApply = false;
  }
  if (bundle.audience !== "BOTH") {
    const only = t(`apply.audienceOnly.${bundle.audience}`);
    if (!session) {
      reasons.push(t("apply.audienceSignIn", { only }));
    } else if (session.account.kind !== bundle.audience) {
      reasons.push(t("apply.audienceMismatch", { only, kind: t(`apply.accountKind.${session.account.kind}`) }));
      canApply = false;
    }
  }
  return { canApply, reasons };
}

/** The reasons as a notice (a warning when they block applying here), or null when there are none. */
export function availabilityNotice({ canApply, reasons }) {
  if (!reasons.length) return null;
  return h("div", { class: `apply-notice ${canApply ? "" : "apply-notice--warning"}`, role: "note" },
    reasons.map((reason) => h("p", {}, reason)));
}
