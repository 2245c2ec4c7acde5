// 受理编号 as a person types it into a search box: read the way the server reads it (portal/references.py:
// spaces, hyphens, lower case and full-width digits allowed), so that a number the server would refuse is
// explained here before any search — the wrong length, the wrong kind of number, or a check character that does
// not match (a mistyped or swapped digit). The server decides again; a well-formed number it does not show this
// person is "not found".

const CHECK = "10X98765432";
const SHAPE = /^[BS]\d{20}[\dX]$/;

/** The ISO 7064 MOD 11-2 check character of a string of digits (as on an identity card). */
function mod11_2(digits) {
  const n = digits.length;
  let sum = 0;
  let weight = 1;
  for (let i = n - 1; i >= 0; i -= 1) {
    weight = (weight * 2) % 11;
    sum += Number(digits[i]) * weight;
  }
  return CHECK[sum % 11];
}

/**
 * What `text` is as a 受理编号 of `kind` ("B" 办件, "S" 诉求): `{ number }` when it is one, else `{ problem }`,
 * one of EMPTY, SHAPE, OTHER_KIND, CHECK.
 */
export function readReferenceNumber(text, kind) {
  const cleaned = String(text ?? "").replace(/[\s\-\u3000]/g, "").toUpperCase()
    .replace(/[\uFF10-\uFF19]/g, (digit) => String(digit.charCodeAt(0) - 0xFF10));
  if (!cleaned) return { problem: "EMPTY" };
  if (!SHAPE.test(cleaned)) return { problem: "SHAPE" };
  if (cleaned[0] !== kind) return { problem: "OTHER_KIND" };
  if (mod11_2(cleaned.slice(1, 21)) !== cleaned[21]) return { problem: "CHECK" };
  return { number: cleaned };
}
