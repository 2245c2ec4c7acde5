// The workbench's front door: each role goes to its home screen; a role whose workbench is not built here yet
// is told so plainly rather than shown screens it cannot use.
import { h, replace } from "../../shared/dom.js";
import { t } from "../../shared/strings.js";

export default async function render({ main, staff, navigate, setTitle, homeOf }) {
  const home = homeOf(staff.role);
  if (home) {
    navigate(home);
    return;
  }
  const title = staff.role ? t("window.home.noWorkbench", { role: t(`window.role.${staff.role}`) })
    : t("window.home.notStaff");
  setTitle(title);
  replace(main, h("h1", {}, title), h("p", {}, t("window.home.useApi")));
}
