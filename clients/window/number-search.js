// 按受理编号查找: the search box of the staff screens. A person quotes the number on their confirmation or receipt;
// the box reads it (reference-number.js: the wrong length, the other kind of number or a wrong check character
// are said at once), asks the API (`application(number:)` / `appeal(number:)`, which answers null for a number
// this staff member may not see), and opens what it found.
import { h } from "../shared/dom.js";
import { clearErrors, fieldId, showErrors } from "../shared/errors.js";
import { request } from "../shared/graphql.js";
import { readReferenceNumber } from "../shared/reference-number.js";
import { t } from "../shared/strings.js";

const KIND_NAME = { B: "application", S: "appeal" };
const FIND = `query FindAppeal($number: String!) { appeal(number: $number) { id } }`;

/** The page of the appeal numbered `number`, or null when this staff member may not see it. */
export async function findAppeal(number) {
  const { appeal } = await request(FIND, { number });
  return appeal && `/appeal/${encodeURIComponent(appeal.id)}`;
}

/**
 * The search form for numbers of `kind` ("B" 办件 or "S" 诉求). `find(number)` resolves to the path to open, or
 * null when nothing this person may see has that number; `navigate` opens the path. `notFound` is the strings key
 * of the message for null (it names who may see what on this screen).
 */
export function numberSearch({ kind, find, navigate, notFound }) {
  const id = fieldId("number");
  const input = h("input", { type: "text", id, name: "number", class: "input--code", spellcheck: "false",
    autocomplete: "off", autocapitalize: "characters", "aria-describedby": `hint-${id}` });
  const button = h("button", { type: "submit", class: "button button--secondary" }, t("window.search.submit"));
  const form = h("form", { class: "number-search", novalidate: true, role: "search",
    "aria-label": t("window.search.label") },
    h("div", { class: "field" },
      h("label", { for: id }, t("window.search.label")),
      h("span", { class: "hint", id: `hint-${id}` }, t(`window.search.hint.${KIND_NAME[kind]}`)),
      input),
    h("div", { class: "actions" }, button));
  const refuse = (message) => showErrors(form, { __typename: "FormInvalid",
    errors: [{ field: "number", code: "NUMBER", message }] });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const { number, problem } = readReferenceNumber(input.value, kind);
    if (problem) {
      refuse(t(`window.search.problem.${problem}.${KIND_NAME[kind]}`));
      return;
    }
    button.disabled = true;
    try {
      const path = await find(number);
      if (path) navigate(path);
      else refuse(t(notFound, { number }));
    } catch (error) {
      showErrors(form, error);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
