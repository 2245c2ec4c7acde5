// Every Chinese string of the clients lives under clients/shared/strings/, one module per area;
// `t("key", {n: 3})` looks a key up and fills {n}. In elder mode (适老化) a key's simpler wording
// from the area's ELDER table is used where one exists.
import * as common from "./strings/common.js";
import * as account from "./strings/account.js";
import * as catalog from "./strings/catalog.js";
import * as apply from "./strings/apply.js";
import * as applications from "./strings/applications.js";
import * as lutong from "./strings/lutong.js";
import * as appeals from "./strings/appeals.js";
import * as workbench from "./strings/window.js";
import * as workbenchAppeals from "./strings/window-appeals.js";
import * as workbenchKnowledge from "./strings/window-knowledge.js";
import * as tv from "./strings/tv.js";
import * as kiosk from "./strings/kiosk.js";
import * as offers from "./strings/offers.js";
import * as surveys from "./strings/surveys.js";
import * as packs from "./strings/packs.js";
import * as oversight from "./strings/oversight.js";
import * as figures from "./strings/figures.js";

const AREAS = [common, account, catalog, apply, applications, lutong, appeals, workbench, workbenchAppeals,
  workbenchKnowledge, tv, kiosk, offers, surveys, packs, oversight, figures];
const ZH = {};
const ELDER = {};
for (const area of AREAS) {
  for (const key of Object.keys(area.ZH)) {
    if (key in ZH) throw new Error(`string key ${key} is defined twice`);
  }
  Object.assign(ZH, area.ZH);
  Object.assign(ELDER, area.ELDER);
}

export function t(key, params = {}) {
  const elder = document.documentElement.dataset.mode === "elder";
  let text = elder && key in ELDER ? ELDER[key] : ZH[key];
  if (text === undefined) throw new Error(`missing string ${key}`);
  for (const [name, value] of Object.entries(params)) text = text.replaceAll(`{${name}}`, String(value));
  return text;
}
