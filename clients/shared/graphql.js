// GraphQL over fetch (API.md): POST with the bearer token; public queries may go over GET so that
// the service worker can keep the last answer for offline use.
import { authHeaders, signedOut } from "./session.js";
import { t } from "./strings.js";

export const ENDPOINT = "/graphql";

/** A transport or server failure (not a UserError: those are data, see errors.js). */
export class GraphQLFailure extends Error {
  constructor(message, { offline = false, errors = [] } = {}) {
    super(message);
    this.offline = offline;
    this.errors = errors;
  }
}

function headers() {
  return { "content-type": "application/json", accept: "application/json", ...authHeaders() };
}

async function decode(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLFailure(t("errors.http", { status: response.status }));
  }
  if (body.errors?.length) {
    const unauthenticated = body.errors.some((e) => ["UNAUTHENTICATED", "WRONG_TERMINAL"].includes(e.extensions?.code));
    if (unauthenticated) signedOut();
    throw new GraphQLFailure(body.errors[0].message, { errors: body.errors });
  }
  return body.data;
}

/** Run a query or mutation; resolves to `data`, rejects with GraphQLFailure. */
export async function request(query, variables = {}) {
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST", headers: headers(), body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GraphQLFailure(t("errors.offlineDetail"), { offline: true });
  }
  return decode(response);
}

// GET queries sent before a service worker controlled the page (the very first visit): it never saw them.
const unseenByWorker = [];

/**
 * A query over GET. The service worker answers it from its cache when the network is down
 * (`fromCache` is then true).
 */
export async function query(document, variables = {}) {
  const url = `${ENDPOINT}?${new URLSearchParams({ query: document, variables: JSON.stringify(variables) })}`;
  if (typeof navigator !== "undefined" && navigator.serviceWorker && !navigator.serviceWorker.controller) {
    unseenByWorker.push(url);
  }
  let response;
  try {
    response = await fetch(url, { headers: headers() });
  } catch {
    throw new GraphQLFailure(t("errors.offlineDetail"), { offline: true });
  }
  const data = await decode(response);
  return { data, fromCache: response.headers.get("x-portal-offline") === "1" };
}

/**
 * Once a service worker controls the page, send it the GET queries of the first visit again so that it
 * keeps their answers for offline use (nothing on the screen changes).
 */
export async function keepForOffline() {
  const urls = unseenByWorker.splice(0);
  await Promise.allSettled(urls.map((url) => fetch(url, { headers: headers() })));
}

/** A fresh idempotency key for one attempt of one creating mutation (retries reuse it). */
export function idempotencyKey() {
  return crypto.randomUUID();
}

/** Sign out: end the session on the server, then forget it here (which does not wait for the server to agree). */
export async function logout() {
  try {
    await request("mutation { logout { __typename } }");
  } catch {
    /* signing out on this device does not depend on the server answering */
  }
  signedOut();
}
