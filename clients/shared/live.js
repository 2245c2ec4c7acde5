// Subscriptions over graphql-transport-ws (API.md) with reconnect, back-off and resume:
// every event carries a cursor; after a dropped connection the subscription starts again with
// `after` = the last cursor seen, so the server replays what was missed and nothing is shown twice.
import { token, TERMINAL_NAME } from "./session.js";
import { ENDPOINT } from "./graphql.js";
import { t } from "./strings.js";

const PROTOCOL = "graphql-transport-ws";
const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
// Close codes after which retrying cannot help: the session ended or was refused.
const FINAL_CLOSE_CODES = new Set([4401, 4403, 4400]);

function socketUrl() {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${ENDPOINT}`;
}

/**
 * Follow one subscription.
 *   query      the subscription document; it must take `$after: String`
 *   variables  its other variables
 *   field      the subscription's root field (e.g. "applicationUpdated")
 *   onEvent    called with each event (which has a `cursor`)
 *   onStatus   called with "connecting" | "live" | "retrying" | "ended" (and a reason when ended)
 *   after      a cursor to resume from (optional)
 * Returns a function that stops following.
 */
export function follow({ query, variables = {}, field, onEvent, onStatus = () => {}, after = null }) {
  let cursor = after;
  let socket = null;
  let stopped = false;
  let delay = FIRST_DELAY_MS;
  let timer = null;

  const connect = () => {
    onStatus("connecting");
    socket = new WebSocket(socketUrl(), PROTOCOL);
    socket.onopen = () => {
      const bearer = token();
      const payload = bearer ? { authorization: `Bearer ${bearer}` } : {};
      payload.terminal = TERMINAL_NAME;
      socket.send(JSON.stringify({ type: "connection_init", payload }));
    };
    socket.onmessage = (message) => {
      const frame = JSON.parse(message.data);
      if (frame.type === "connection_ack") {
        socket.send(JSON.stringify({
          id: "1", type: "subscribe", payload: { query, variables: { ...variables, after: cursor } },
        }));
        delay = FIRST_DELAY_MS;
        onStatus("live");
      } else if (frame.type === "ping") {
        socket.send(JSON.stringify({ type: "pong" }));
      } else if (frame.type === "next") {
        if (frame.payload.errors?.length) {
          stopped = true;
          onStatus("ended", frame.payload.errors[0].message);
          socket.close(1000);
          return;
        }
        const event = frame.payload.data?.[field];
        if (event) {
          cursor = event.cursor ?? cursor;
          onEvent(event);
        }
      } else if (frame.type === "error") {
        stopped = true;
        onStatus("ended", frame.payload?.[0]?.message ?? t("live.failed"));
        socket.close(1000);
      } else if (frame.type === "complete") {
        stopped = true;
        onStatus("ended");
        socket.close(1000);
      }
    };
    socket.onclose = (close) => {
      if (stopped) return;
      if (FINAL_CLOSE_CODES.has(close.code)) {
        stopped = true;
        onStatus("ended", close.reason || t("live.closed"));
        return;
      }
      onStatus("retrying");
      // Full jitter, so that a hall full of phones does not reconnect in step after a restart.
      timer = setTimeout(connect, Math.random() * delay);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    };
  };

  const online = () => {
    if (!stopped && socket?.readyState === WebSocket.CLOSED) {
      clearTimeout(timer);
      delay = FIRST_DELAY_MS;
      connect();
    }
  };
  window.addEventListener("online", online);
  connect();

  return () => {
    stopped = true;
    clearTimeout(timer);
    window.removeEventListener("online", online);
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000);
  };
}
