// UserErrors (API.md) are data: a mutation answers with its success type or an error type.
// Field errors go next to their fields, with a GOV.UK-style summary at the top of the form.
import { h, replace } from "./dom.js";
import { t } from "./strings.js";
import { GraphQLFailure } from "./graphql.js";

/** The selection every mutation result should ask for, so that errors can be shown. */
export const USER_ERROR_FIELDS = `
  __typename
  ... on UserError { code message }
  ... on FormInvalid { errors { field code message } }
`;

/** True when a mutation result is an error type rather than its success type. */
export function isUserError(result) {
  return result !== null && typeof result === "object" && typeof result.code === "string"
    && typeof result.message === "string" && "__typename" in result
    && ["FormInvalid", "ValidationError", "PermissionDenied", "NotFound", "Conflict", "RateLimited"]
      .includes(result.__typename);
}

/** The field errors of a result: FormInvalid's list, a single ValidationError, or the GraphQL errors of a refused
 * query argument (a report's `from`, say), which name their field in `extensions.field`. */
export function fieldErrors(result) {
  if (result?.__typename === "FormInvalid") return result.errors;
  if (result?.__typename === "ValidationError") return [result];
  if (result instanceof GraphQLFailure) {
    return result.errors.filter((e) => e.extensions?.field)
      .map((e) => ({ field: e.extensions.field, code: e.extensions.code, message: e.message }));
  }
  return [];
}

function fieldId(key) {
  return `field-${key.replace(/[^A-Za-z0-9_-]/g, "-")}`;
}

/** The id a form control for canonical key `key` should carry, so errors can point at it. */
export { fieldId };

/** Remove every error shown in `form`. */
export function clearErrors(form) {
  form.querySelectorAll(".error-summary").forEach((node) => node.remove());
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  form.querySelectorAll("[aria-invalid]").forEach((node) => {
    node.removeAttribute("aria-invalid");
    const describedBy = (node.getAttribute("aria-describedby") || "").split(" ")
      .filter((id) => id && !id.startsWith("error-"));
    if (describedBy.length) node.setAttribute("aria-describedby", describedBy.join(" "));
    else node.removeAttribute("aria-describedby");
  });
}

/**
 * Show a UserError (or a GraphQLFailure) in `form`: each field error under its field, and a summary
 * with links to the fields at the top, which takes the focus so a screen reader reads it.
 * Errors for fields not on this page are listed in the summary only.
 */
export function showErrors(form, error) {
  clearErrors(form);
  const errors = fieldErrors(error);
  const items = [];
  for (const problem of errors) {
    const control = form.querySelector(`#${CSS.escape(fieldId(problem.field))}`);
    if (control) {
      const errorId = `error-${fieldId(problem.field)}`;
      const message = h("p", { class: "field-error", id: errorId }, problem.message);
      const wrapper = control.closest(".field") ?? control.parentElement;
      wrapper.insertBefore(message, wrapper.querySelector("input, select, textarea, fieldset") ?? null);
      control.setAttribute("aria-invalid", "true");
      const describedBy = control.getAttribute("aria-describedby");
      control.setAttribute("aria-describedby", describedBy ? `${describedBy} ${errorId}` : errorId);
      items.push(h("li", {}, h("a", { href: `#${fieldId(problem.field)}`, onclick: (event) => {
        event.preventDefault();
        control.focus();
      } }, problem.message)));
    } else {
      items.push(h("li", {}, problem.message));
    }
  }
  const summary = h("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    h("h2", {}, errors.length ? t("errors.summaryTitle") : t("errors.title")),
    errors.length ? null : h("p", {}, error.message ?? t("errors.unknown")),
    items.length ? h("ul", {}, items) : null);
  form.prepend(summary);
  summary.focus();
  return summary;
}

/** Show a message that is not about a form (a failed load, say) inside `container`. */
export function showProblem(container, error) {
  replace(container, h("div", { class: "error-summary", role: "alert" },
    h("h2", {}, error?.offline ? t("errors.offline") : t("errors.title")),
    h("p", {}, error?.message ?? t("errors.unknown"))));
}
