"""Device sessions: a password typed on a TV or a kiosk signs in for that terminal only. Such a session works from
its own terminal only, applies on its own channel only, cannot manage the account, lists only itself, and the
owner sees and ends it from the phone (`me.sessions`, `revokeSession`)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from portal.identity.masking import address
from portal.identity.models import Session
from tests.applications.support import upload
from tests.identity.test_accounts import CHANGE_PASSWORD, LOGIN, PASSWORD, register

TV = {"x-portal-terminal": "TV"}
KIOSK = {"x-portal-terminal": "KIOSK"}
SESSIONS = "{ me { sessions { id terminal device current createdAt expiresAt maskedAddress } } }"
REVOKE = """mutation($id: ID!) { revokeSession(id: $id) { __typename ... on Session { id terminal device }
  ... on NotFound { code } ... on PermissionDenied { code message } } }"""
ME = "{ me { account { displayName } profile { maskedIdNumber } } }"
SUBMIT = """mutation($input: SubmitBundleApplicationInput!) { submitBundleApplication(input: $input) {
  __typename ... on Application { id channel } ... on FormInvalid { errors { field code message } } } }"""


async def sign_in(gql: Any, citizen: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    result = (await gql(LOGIN, {"username": citizen["idNumber"], "password": PASSWORD}, headers=headers))
    payload = result["data"]["login"]
    assert payload["__typename"] == "AuthPayload", payload
    return payload


async def test_a_password_typed_on_a_tv_or_a_kiosk_opens_a_session_for_that_terminal_only(gql: Any) -> None:
    citizen = await register(gql, name="王小明")
    tv = await sign_in(gql, citizen, TV)
    kiosk = await sign_in(gql, citizen, KIOSK)
    sessions = {s.id: s for s in await Session.filter(account_id=int(citizen["account"]["id"]))}
    now = datetime.now(timezone.utc)
    by_terminal = {s.terminal.value if s.terminal else None: s for s in sessions.values()}
    assert set(by_terminal) == {None, "TV", "KIOSK"}
    assert by_terminal["TV"].device == "电视" and by_terminal["KIOSK"].device == "自助服务终端"
    assert timedelta(days=29) < by_terminal["TV"].expires_at - now <= timedelta(days=30)
    assert timedelta(minutes=14) < by_terminal["KIOSK"].expires_at - now <= timedelta(minutes=15)

    # From its own terminal it works, masked; from anywhere else it is no session at all.
    me = (await gql(ME, token=tv["token"], headers=TV))["data"]["me"]
    assert me == {"account": {"displayName": "王**"}, "profile": {"maskedIdNumber": me["profile"]["maskedIdNumber"]}}
    assert (await gql(ME, token=tv["token"]))["data"]["me"] is None
    assert (await gql(ME, token=tv["token"], headers=KIOSK))["data"]["me"] is None
    assert (await gql(ME, token=kiosk["token"], headers=TV))["data"]["me"] is None
    refused = (await gql(CHANGE_PASSWORD, {"current": PASSWORD, "new": "Another-2115!x"}, token=tv["token"]))
    assert refused["data"]["changePassword"] == {"__typename": "PermissionDenied", "code": "WRONG_TERMINAL"}
    body = await gql("mutation { logout { __typename ... on PermissionDenied { code message } } }",
                     token=kiosk["token"], headers=TV)
    assert body["data"]["logout"] == {"__typename": "PermissionDenied", "code": "WRONG_TERMINAL",
                                      "message": "此登录仅限在自助服务终端上使用"}


async def test_a_device_session_cannot_manage_the_account(gql: Any) -> None:
    citizen = await register(gql)
    tv = await sign_in(gql, citizen, TV)
    body = await gql(CHANGE_PASSWORD.replace("PermissionDenied { code }", "PermissionDenied { code message }"),
                     {"current": PASSWORD, "new": "Another-2115!x"}, token=tv["token"], headers=TV)
    assert body["data"]["changePassword"]["__typename"] == "PermissionDenied"
    assert body["data"]["changePassword"]["code"] == "DEVICE_SESSION"
    authorise = """mutation { authoriseFamilyMember(input: {idNumber: "110101199003074477", bundleCode: "newborn",
      relationship: "配偶"}) { __typename ... on PermissionDenied { code } } }"""
    assert (await gql(authorise, token=tv["token"], headers=TV))["data"]["authoriseFamilyMember"] == {
        "__typename": "PermissionDenied", "code": "DEVICE_SESSION"}
    # The ordinary session still may.
    ordinary = (await gql(authorise, token=citizen["token"]))["data"]["authoriseFamilyMember"]
    assert ordinary["__typename"] != "PermissionDenied"


async def test_the_owner_sees_every_session_and_signs_the_tv_out_from_the_phone(gql: Any) -> None:
    citizen = await register(gql)
    tv = await sign_in(gql, citizen, TV)
    listed = (await gql(SESSIONS, token=citizen["token"]))["data"]["me"]["sessions"]
    assert [(s["terminal"], s["device"], s["current"]) for s in listed] == [("TV", "电视", False), (None, "", True)]
    assert all(s["maskedAddress"].endswith(".*.*") for s in listed)
    tv_id = listed[0]["id"]

    # The TV sees only itself, and cannot end the phone's session.
    on_tv = (await gql(SESSIONS, token=tv["token"], headers=TV))["data"]["me"]["sessions"]
    assert [(s["id"], s["current"]) for s in on_tv] == [(tv_id, True)]
    phone_id = listed[1]["id"]
    assert (await gql(REVOKE, {"id": phone_id}, token=tv["token"], headers=TV))["data"]["revokeSession"] == {
        "__typename": "NotFound", "code": "NOT_FOUND"}
    assert (await gql(ME, token=citizen["token"]))["data"]["me"] is not None

    ended = (await gql(REVOKE, {"id": tv_id}, token=citizen["token"]))["data"]["revokeSession"]
    assert ended == {"__typename": "Session", "id": tv_id, "terminal": "TV", "device": "电视"}
    assert (await gql(ME, token=tv["token"], headers=TV))["data"]["me"] is None
    again = (await gql(REVOKE, {"id": tv_id}, token=citizen["token"]))["data"]["revokeSession"]
    assert again == {"__typename": "NotFound", "code": "NOT_FOUND"}
    remaining = (await gql(SESSIONS, token=citizen["token"]))["data"]["me"]["sessions"]
    assert [s["id"] for s in remaining] == [phone_id]


async def test_nobody_ends_another_accounts_session(gql: Any) -> None:
    owner, stranger = await register(gql), await register(gql)
    tv = await sign_in(gql, owner, TV)
    tv_id = (await gql(SESSIONS, token=tv["token"], headers=TV))["data"]["me"]["sessions"][0]["id"]
    for value in (tv_id, "0", "x" * 50, "-1"):
        result = (await gql(REVOKE, {"id": value}, token=stranger["token"]))["data"]["revokeSession"]
        assert result == {"__typename": "NotFound", "code": "NOT_FOUND"}
    assert (await gql(ME, token=tv["token"], headers=TV))["data"]["me"] is not None
    anonymous = (await gql(REVOKE, {"id": tv_id}))["data"]["revokeSession"]
    assert anonymous["__typename"] == "PermissionDenied" and anonymous["code"] == "UNAUTHENTICATED"


async def test_a_device_session_ends_itself(gql: Any) -> None:
    citizen = await register(gql)
    kiosk = await sign_in(gql, citizen, KIOSK)
    kiosk_id = (await gql(SESSIONS, token=kiosk["token"], headers=KIOSK))["data"]["me"]["sessions"][0]["id"]
    ended = (await gql(REVOKE, {"id": kiosk_id}, token=kiosk["token"], headers=KIOSK))["data"]["revokeSession"]
    assert ended["__typename"] == "Session"
    assert (await gql(ME, token=kiosk["token"], headers=KIOSK))["data"]["me"] is None


async def test_a_device_session_applies_on_its_own_channel_only(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    kiosk = await sign_in(gql, citizen, KIOSK)
    # 社保待遇资格认证 is offered on the kiosk (and on the phone): it asks for no paper.
    values = {"retiree.name": citizen["name"], "retiree.idNumber": citizen["idNumber"]}

    async def submit(channel: str) -> dict[str, Any]:
        materials = [{"code": "resident-id-card", "fileId": await upload(client, citizen["token"])}]
        body = await gql(SUBMIT, {"input": {"bundleCode": "benefit-certification", "formValues": values,
                                            "channel": channel, "materials": materials,
                                            "idempotencyKey": str(uuid.uuid4())}},
                         token=kiosk["token"], headers=KIOSK)
        return body["data"]["submitBundleApplication"]

    refused = await submit("MOBILE")
    assert refused["__typename"] == "FormInvalid"
    assert [(e["field"], e["code"]) for e in refused["errors"] if e["field"] == "channel"] == [
        ("channel", "DEVICE_CHANNEL")]
    accepted = await submit("KIOSK")
    assert accepted["__typename"] == "Application" and accepted["channel"] == "KIOSK", accepted


def test_sign_in_addresses_are_shown_by_network_only() -> None:
    assert address("192.168.10.77") == "192.168.*.*"
    assert address("2001:db8:85a3::8a2e:370:7334") == "2001:db8:*"
    assert address("") == ""
    assert address("testclient") == "*"
