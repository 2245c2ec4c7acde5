// 扫码核验 of a scene operator (a hotel desk, a hospital, a bus gate ...): the person shows their 鲁通码 — valid in
// every scene, or restricted by them to this one — and `scanLuTongCode` in the operator's own scene
// (`myScannerScenes`) shows what this scene may see of them: masked identity, licences, older codes. Each scan
// replaces the last one shown; nothing is kept after the screen is left.
import { formatDateTime, h, replace } from "../../shared/dom.js";
import { request } from "../../shared/graphql.js";
import { t } from "../../shared/strings.js";
import { SCAN_RESULT, personPanel, scanForm } from "../scanned.js";

const SCENES = `query ScannerScenes { myScannerScenes }`;
const SCAN = `mutation SceneScan($payload: String!, $scene: Scene!) {
  scanLuTongCode(payload: $payload, scene: $scene) {
    ${SCAN_RESULT}
  }
}`;

export default async function render({ main, setTitle }) {
  setTitle(t("window.scan.title"));
  const heading = h("h1", {}, t("window.scan.title"));
  const [scene] = (await request(SCENES)).myScannerScenes;
  if (!scene) {
    replace(main, heading, h("p", {}, t("window.scan.noScene")));
    return;
  }
  const shown = h("div", { class: "scan-result" });
  const form = scanForm({
    scan: async (payload) => (await request(SCAN, { payload, scene })).scanLuTongCode,
    onScanned: (result) => replace(shown,
      h("p", { class: "lead", role: "status" }, t("window.visit.scanned", { time: formatDateTime(result.scannedAt) })),
      personPanel(result, { heading: t("window.scan.person") })),
  });
  replace(main, heading,
    h("p", { class: "lead" }, t("window.scan.lead", { scene: t(`lutong.scene.${scene}`) })),
    form, shown);
}
