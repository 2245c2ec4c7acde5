// GraphQL over fetch (API.md): POST with the bearer token; public queries may go over GET so that
// the service worker can keep the last answer for offline use.
import { token, signedOut } from "./session.js";
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
  const result = { "content-type": "application/json", accept: "application/json" };
  const bearer = token();
  if (bearer) result.authorization = `Bearer ${bearer}`;
  return result;
}

async function decode(response) {
  let body;
  try {
    body = await response.json();
  } catch {
    throw new GraphQLFailure(t("errors.http", { status: response.status }));
  }
  if (body.errors?.length) {
    const unauthenticated = body.errors.some((e) => e.extensions?.code === "UNAUTHENTICATED");
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

/**
 * A query over GET. The service worker answers it from its cache when the network is down
 * (`offline` is then true in the result's `meta`).
 */
export async function query(document, variables = {}) {
  const url = `${ENDPOINT}?${new URLSearchParams({ query: document, variables: JSON.stringify(variables) })}`;
  let response;
  try {
    response = await fetch(url, { headers: headers() });
  } catch {
    throw new GraphQLFailure(t("errors.offlineDetail"), { offline: true });
  }
  const data = await decode(response);
  return { data, fromCache: response.headers.get("x-portal-offline") === "1" };
}

/** A fresh idempotency key for one attempt of one creating mutation (retries reuse it). */
export function idempotencyKey() {
  return crypto.randomUUID();
}
