"""Signed links to uploaded files: `url` on a material or an appeal's file opens it in a browser without a bearer
header, for 5 minutes, as the viewer (the read is in the holder's access log); anything altered, expired or
another file's is a 403 with a coded JSON error."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from portal.applications.uploads import signed_link
from portal.audit.models import AuditEntry
from portal.audit.rules import access_log
from portal.identity.rules import authenticate
from tests.appeals.test_appeals import coordinator, file
from tests.applications.support import PDF, handler, submit_newborn, upload
from tests.identity.test_accounts import LOGOUT, register
from tests.identity.test_delegation import enterprise

SECRET_OF_TESTS = "development-only-secret-key-do-not-use-in-production"
MATERIALS = "query($id: ID!) { application(id: $id) { materials { code source fileId url } } }"
APPEAL_FILES = "query($id: ID!) { appeal(id: $id) { attachments { fileId url } } }"


def refused(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


BAD_SIGNATURE = refused("BAD_SIGNATURE", "链接无效，请从页面重新打开文件")


async def materials(gql: Any, token: str, application_id: str) -> dict[str, dict[str, Any]]:
    seen = (await gql(MATERIALS, {"id": application_id}, token=token))["data"]["application"]["materials"]
    return {m["code"]: m for m in seen}


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return parts.path + "?" + "&".join(f"{k}={v}" for k, v in query.items())


async def test_a_handler_opens_a_material_by_its_link_and_the_read_is_logged_as_theirs(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    wjw = await handler("370100-WJW")
    seen = await materials(gql, wjw, application["id"])
    record = seen["birth-medical-record"]
    assert record["source"] == "UPLOAD" and record["url"].startswith(f"/uploads/{record['fileId']}?session=")
    assert set(parse_qs(urlsplit(record["url"]).query)) == {"session", "expires", "signature"}
    expires = int(parse_qs(urlsplit(record["url"]).query)["expires"][0])
    assert 295 <= expires - datetime.now(timezone.utc).timestamp() <= 300
    before = await AuditEntry.filter(action="data.read", target=f"upload:{record['fileId']}").count()
    response = await client.get(record["url"])  # no bearer header: a plain browser link
    assert response.status_code == 200 and response.content.startswith(PDF)
    assert response.headers["cache-control"] == "private, no-store"
    entry = await access_log(int(citizen["account"]["id"])).first()
    principal = await authenticate(wjw)
    assert (entry.action, entry.actor_account_id, entry.target, entry.detail["department"]) == (
        "data.read", principal.account_id, f"upload:{record['fileId']}", "370100-WJW")
    assert await AuditEntry.filter(action="data.read", target=f"upload:{record['fileId']}").count() == before + 1
    # The applicant has links of their own; a handler of a department without a task sees no application at all.
    assert (await materials(gql, citizen["token"], application["id"]))["birth-medical-record"]["url"]
    assert (await gql(MATERIALS, {"id": application["id"]}, token=await handler("370100-ZJJ")))["data"][
        "application"] is None


async def test_an_altered_expired_or_other_files_link_is_refused(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    seen = await materials(gql, citizen["token"], application["id"])
    link, other = seen["birth-medical-record"]["url"], seen["household-register"]
    signature = parse_qs(urlsplit(link).query)["signature"][0]
    flipped = ("B" if signature[0] == "A" else "A") + signature[1:]
    expires = int(parse_qs(urlsplit(link).query)["expires"][0])
    for tampered in (with_query(link, signature=flipped), with_query(link, expires=str(expires + 3600)),
                     with_query(link, session="1"), with_query(link, signature=""),
                     with_query(link, expires="soon"), with_query(link, session="x"),
                     with_query(other["url"], signature=signature)):
        response = await client.get(tampered)
        assert (response.status_code, response.json()) == (403, BAD_SIGNATURE), tampered
    principal = await authenticate(citizen["token"])
    stale = signed_link(SECRET_OF_TESTS, other["fileId"], principal, datetime.now(timezone.utc) - timedelta(minutes=5))
    response = await client.get(stale)
    assert (response.status_code, response.json()) == (403, refused("LINK_EXPIRED", "链接已过期，请从页面重新打开文件"))
    response = await client.get(signed_link(SECRET_OF_TESTS, "not-a-file", principal, datetime.now(timezone.utc)))
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")
    assert (await client.get(link)).status_code == 200


async def test_a_link_dies_with_the_session_it_was_made_for(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    file_id = await upload(client, citizen["token"])
    link = signed_link(SECRET_OF_TESTS, file_id, await authenticate(citizen["token"]), datetime.now(timezone.utc))
    assert (await client.get(link)).status_code == 200
    await gql(LOGOUT, token=citizen["token"])
    response = await client.get(link)
    assert (response.status_code, response.json()) == (
        403, refused("SESSION_ENDED", "登录已失效，链接不再有效，请重新登录后打开"))


async def test_a_link_is_no_wider_than_the_viewers_right_to_read(gql: Any, client: httpx.AsyncClient) -> None:
    owner, stranger = await register(gql), await register(gql)
    file_id = await upload(client, owner["token"])
    link = signed_link(SECRET_OF_TESTS, file_id, await authenticate(stranger["token"]), datetime.now(timezone.utc))
    response = await client.get(link)
    assert (response.status_code, response.json()["error"]["code"]) == (404, "NOT_FOUND")


async def test_appeal_files_have_links_for_whoever_sees_the_appeal(gql: Any, client: httpx.AsyncClient) -> None:
    company = await enterprise(gql)
    photo = await upload(client, company["token"], name="现场照片.pdf")
    appeal = await file(gql, company["token"], attachments=[photo])
    seat = await coordinator()
    attachment = (await gql(APPEAL_FILES, {"id": appeal["id"]}, token=seat))["data"]["appeal"]["attachments"][0]
    assert attachment["fileId"] == photo and attachment["url"].startswith(f"/uploads/{photo}?session=")
    response = await client.get(attachment["url"])
    assert response.status_code == 200 and response.content.startswith(PDF)
    entry = await access_log(int(company["account"]["id"])).first()
    assert (entry.action, entry.actor_account_id, entry.target) == (
        "data.read", (await authenticate(seat)).account_id, f"upload:{photo}")
