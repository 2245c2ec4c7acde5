// 好差评 stars: one widget for every rating the portal asks for (a finished task or application, an appeal's
// confirmation and its 好差评). A labelled radio group named "rating" whose field id is the key errors use
// (`fieldId("rating")`), each star read out as "4 星：满意", lit up to the chosen star with its meaning shown.
import { h } from "./dom.js";
import { fieldId } from "./errors.js";
import { t } from "./strings.js";

export const RATINGS = [1, 2, 3, 4, 5];
// The API refuses a missing rating with a field error; 0 stands for "no star chosen".
export const NO_RATING = 0;

/** How a rating is read: "4 星：满意". */
export function ratingName(n) {
  return t("rating.star", { n, meaning: t(`rating.${n}`) });
}

/** A rating shown, not asked: ★★★★☆ 4 星：满意 (the stars hidden from screen readers). */
export function ratingText(n) {
  return [h("span", { class: "rating-stars__shown", "aria-hidden": "true" },
    "★".repeat(n) + "☆".repeat(RATINGS.length - n)), " ", ratingName(n)];
}

/** The stars, asked under `legend`, `checked` chosen at first; → { element, value(), reset() }. */
export function ratingStars(legend, { checked = null } = {}) {
  const id = fieldId("rating");
  const meaning = h("p", { class: "rating-stars__meaning", "aria-hidden": "true" });
  const element = h("fieldset", { id, tabindex: "-1", class: "rating-stars__field" },
    h("legend", {}, legend),
    h("div", { class: "rating-stars" }, RATINGS.map((n) => h("span", { class: "rating-stars__star" },
      // The radio lies, transparent, under its star's label: a tap on the star is a tap on its label.
      h("input", { type: "radio", class: "rating-stars__input", name: "rating", value: n, id: `${id}-${n}`,
        checked: n === checked }),
      h("label", { for: `${id}-${n}`, class: "rating-stars__label", dataset: { n } },
        h("span", { "aria-hidden": "true" }, "★"),
        h("span", { class: "visually-hidden" }, ratingName(n)))))),
    meaning);
  const value = () => Number(element.querySelector("input[name=rating]:checked")?.value ?? NO_RATING);
  const light = () => {
    const n = value();
    for (const label of element.querySelectorAll(".rating-stars__label")) {
      label.classList.toggle("is-lit", Number(label.dataset.n) <= n);
    }
    meaning.textContent = n ? t(`rating.${n}`) : "";
  };
  element.addEventListener("change", light);
  light();
  const reset = () => {
    for (const input of element.querySelectorAll("input[name=rating]")) input.checked = false;
    light();
  };
  return { element, value, reset };
}
