// The hall's queue as the start screen and the ticket screen show it: waiting count and expected wait per category.
import { h } from "../shared/dom.js";
import { request } from "../shared/graphql.js";
import { t } from "../shared/strings.js";

export const QUEUE = `query KioskQueue($hall: String!) {
  queue(hallCode: $hall) { categories { code name letter waiting expectedWaitMinutes } }
}`;

export async function queueOf(hall) {
  const { queue } = await request(QUEUE, { hall: hall.code });
  return queue?.categories ?? [];
}

export function waitingText(category) {
  const waiting = t("kiosk.start.waiting", { name: category.name, waiting: category.waiting });
  return category.expectedWaitMinutes ? `${waiting}，${t("kiosk.start.wait", { minutes: category.expectedWaitMinutes })}`
    : waiting;
}

export function queueList(categories) {
  return h("ul", { class: "kiosk-queue" }, categories.map((c) => h("li", {}, waitingText(c))));
}
