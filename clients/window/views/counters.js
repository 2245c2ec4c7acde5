// 选择窗口: the counters of the clerk's halls (me.halls, bound with `portal user create --hall`), each with the
// categories it serves; the choice is kept for this tab and opens the counter screen.
import { h, replace } from "../../shared/dom.js";
import { showErrors } from "../../shared/errors.js";
import { t } from "../../shared/strings.js";
import { chooseCounter, chosenCounter } from "../desk.js";

/** The names of the categories a counter serves, e.g. "企业开办、综合受理". */
export function categoryNames(hall, counter) {
  return counter.categories.map(({ code }) => hall.categories.find((c) => c.code === code)?.name ?? code).join("、");
}

export default async function render({ main, staff, navigate, setTitle }) {
  setTitle(t("window.counters.title"));
  if (!staff.halls.length) {
    replace(main, h("h1", {}, t("window.counters.title")), h("p", {}, t("window.counters.noHall")));
    return;
  }
  const current = chosenCounter();
  const form = h("form", { novalidate: true, class: "counter-choice" },
    staff.halls.map((hall) => h("fieldset", { class: "field counter-choice__hall" },
      h("legend", {}, hall.name),
      hall.counters.map((counter) => {
        const id = `counter-${counter.code}`;
        return h("div", { class: "choice" },
          h("input", { type: "radio", name: "counter", id, value: counter.code, checked: counter.code === current }),
          h("label", { for: id }, t("window.counters.option", { code: counter.code,
            categories: categoryNames(hall, counter) })));
      }))),
    h("div", { class: "actions" }, h("button", { type: "submit", class: "button" }, t("window.counters.submit"))));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const code = form.elements.counter?.value ?? [...form.querySelectorAll("input[name=counter]")]
      .find((input) => input.checked)?.value;
    if (!code) {
      showErrors(form, { __typename: "PermissionDenied", code: "REQUIRED", message: t("window.counters.required") });
      return;
    }
    chooseCounter(code);
    navigate(`/counter/${encodeURIComponent(code)}`);
  });
  replace(main, h("h1", {}, t("window.counters.title")), h("p", { class: "lead" }, t("window.counters.lead")), form);
}
