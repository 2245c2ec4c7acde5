// What this desk remembers in this tab (sessionStorage, gone when the tab closes or the clerk signs out): the
// counter the clerk sits at, the ticket being served there, and the person of the current visit (the 鲁通码 scan:
// masked identity, certificates and the id to apply for them).
const COUNTER = "portal.window.counter";
const TICKET = "portal.window.ticket";
const VISIT = "portal.window.visit";
const RECEIPT = "portal.window.receipt.";

function read(key) {
  try {
    return JSON.parse(sessionStorage.getItem(key) || "null");
  } catch {
    return null; /* a corrupt entry counts as nothing remembered */
  }
}

function write(key, value) {
  if (value === null || value === undefined) sessionStorage.removeItem(key);
  else sessionStorage.setItem(key, JSON.stringify(value));
}

export const chosenCounter = () => read(COUNTER);
export const chooseCounter = (code) => write(COUNTER, code);

/** The ticket being served at `counter` ({id, number, category, priority, calls, ...}), or null. */
export const servedTicket = (counter) => read(`${TICKET}.${counter}`);
export const serveTicket = (counter, ticket) => write(`${TICKET}.${counter}`, ticket);

/** The current visit: the ScanResult of the person at the counter, or null. */
export const currentVisit = () => read(VISIT);
export const startVisit = (scan) => write(VISIT, scan);
export const endVisit = () => write(VISIT, null);

/** What a receipt shows, kept from the submission's answer (the clerk may not read the application itself). */
export const receiptOf = (id) => read(`${RECEIPT}${id}`);
export const keepReceipt = (receipt) => write(`${RECEIPT}${receipt.id}`, receipt);

/** Forget everything about the people served here (sign-out). */
export function forgetDesk() {
  Object.keys(sessionStorage).filter((key) => key.startsWith("portal.window.") || key.startsWith("portal.apply."))
    .forEach((key) => sessionStorage.removeItem(key));
}
