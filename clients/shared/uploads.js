// POST /uploads, for every file a person sends (an application's materials, an appeal's attachments): the raw
// bytes as the body, the name percent-encoded in X-File-Name. The answer names the stored file.
import { authHeaders } from "./session.js";
import { t } from "./strings.js";

/** Store `file`; → {fileId, name, size}. A refusal throws with the server's message (too large, wrong type). */
export async function uploadFile(file) {
  let response;
  try {
    response = await fetch("/uploads", {
      method: "POST", body: file,
      headers: { ...authHeaders(), "x-file-name": encodeURIComponent(file.name) },
    });
  } catch {
    throw new Error(t("apply.materials.uploadFailed"));
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) throw new Error(body?.error?.message ?? t("apply.materials.uploadFailed"));
  return { fileId: body.id, name: body.name, size: body.size };
}
