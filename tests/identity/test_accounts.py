"""Registration, sign-in, sessions, password changes, rate limits and masking over GraphQL."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from portal.identity.models import Account, RateCounter, Role, Session
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff
from tests.helpers import new_credit_code, new_id_number, new_phone

PASSWORD = "Shandong-2115!"
REGISTER_CITIZEN = """
mutation($input: RegisterCitizenInput!) {
  registerCitizen(input: $input) {
    __typename
    ... on AuthPayload { token expiresAt account { id kind displayName } }
    ... on FormInvalid { code message errors { field code message } }
    ... on RateLimited { code retryAfterSeconds }
  }
}"""
REGISTER_ENTERPRISE = """
mutation($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) {
    __typename
    ... on AuthPayload { token account { id kind displayName } }
    ... on FormInvalid { errors { field code } }
  }
}"""
LOGIN = """
mutation($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) {
    __typename
    ... on AuthPayload { token account { id kind displayName } }
    ... on PermissionDenied { code message }
    ... on RateLimited { code message retryAfterSeconds }
    ... on FormInvalid { errors { field code } }
  }
}"""
ME = """{ me { account { id kind displayName }
  profile { maskedName maskedIdNumber maskedPhone maskedCreditCode maskedLegalRepresentativeIdNumber role } } }"""
LOGOUT = "mutation { logout { __typename ... on LogoutSuccess { ok } ... on PermissionDenied { code } } }"
CHANGE_PASSWORD = """
mutation($current: String!, $new: String!) {
  changePassword(input: {currentPassword: $current, newPassword: $new}) {
    __typename
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code }
  }
}"""


def citizen_input(**overrides: str) -> dict[str, str]:
    return {"name": "张三", "idNumber": new_id_number(), "phone": new_phone(), "password": PASSWORD, **overrides}


async def register(gql: Any, **overrides: str) -> dict[str, Any]:
    data = citizen_input(**overrides)
    result = (await gql(REGISTER_CITIZEN, {"input": data}))["data"]["registerCitizen"]
    assert result["__typename"] == "AuthPayload", result
    return {**data, **result}


async def test_citizen_registers_and_is_signed_in(gql: Any) -> None:
    citizen = await register(gql, idNumber="370102199003077736", phone="13812345678")
    assert citizen["account"]["kind"] == "CITIZEN" and citizen["account"]["displayName"] == "张三"
    expires = datetime.fromisoformat(citizen["expiresAt"])
    assert timedelta(hours=11, minutes=59) < expires - datetime.now(timezone.utc) <= timedelta(hours=12)
    me = (await gql(ME, token=citizen["token"]))["data"]["me"]
    assert me["account"] == citizen["account"]
    assert me["profile"] == {"maskedName": "张三", "maskedIdNumber": "370102********7736",
                             "maskedPhone": "138****5678", "maskedCreditCode": None,
                             "maskedLegalRepresentativeIdNumber": None, "role": None}


async def test_every_bad_field_is_reported_at_once(gql: Any) -> None:
    body = await gql(REGISTER_CITIZEN, {"input": {"name": "张3", "idNumber": "370102199001011235",
                                                  "phone": "1234", "password": "short"}})
    result = body["data"]["registerCitizen"]
    assert result["__typename"] == "FormInvalid" and result["code"] == "FORM_INVALID"
    assert [(e["field"], e["code"]) for e in result["errors"]] == [
        ("name", "BAD_CHARACTERS"), ("idNumber", "BAD_CHECK_CHARACTER"), ("phone", "BAD_FORMAT"),
        ("password", "TOO_SHORT")]
    assert all(e["message"] for e in result["errors"])


async def test_password_may_not_contain_the_id_number(gql: Any) -> None:
    id_number = new_id_number()
    result = (await gql(REGISTER_CITIZEN, {"input": citizen_input(idNumber=id_number,
                                                                  password=f"Ab!{id_number}")}))
    assert result["data"]["registerCitizen"]["errors"] == [
        {"field": "password", "code": "CONTAINS_PERSONAL_DATA", "message": result["data"]["registerCitizen"][
            "errors"][0]["message"]}]


async def test_one_id_number_one_account(gql: Any) -> None:
    first = await register(gql)
    again = (await gql(REGISTER_CITIZEN, {"input": citizen_input(idNumber=first["idNumber"].lower())}))
    result = again["data"]["registerCitizen"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [("idNumber", "ALREADY_REGISTERED")]
    same_phone = (await gql(REGISTER_CITIZEN, {"input": citizen_input(phone=first["phone"])}))
    assert [(e["field"], e["code"]) for e in same_phone["data"]["registerCitizen"]["errors"]] == [
        ("phone", "ALREADY_REGISTERED")]
    assert await Account.filter(id_number=first["idNumber"]).count() == 1


async def test_enterprise_registers_with_its_credit_code(gql: Any) -> None:
    code = new_credit_code()
    body = await gql(REGISTER_ENTERPRISE, {"input": {
        "name": "济南泉城餐饮管理有限公司", "creditCode": code.lower(), "legalRepresentativeIdNumber": new_id_number(),
        "phone": new_phone(), "password": PASSWORD}})
    result = body["data"]["registerEnterprise"]
    assert result["account"]["kind"] == "ENTERPRISE"
    me = (await gql(ME, token=result["token"]))["data"]["me"]["profile"]
    assert me["maskedCreditCode"] == f"{code[:8]}********{code[-2:]}"
    assert me["maskedLegalRepresentativeIdNumber"].startswith("370102********")
    again = await gql(REGISTER_ENTERPRISE, {"input": {
        "name": "另一家公司", "creditCode": code, "legalRepresentativeIdNumber": new_id_number(),
        "phone": new_phone(), "password": PASSWORD}})
    assert again["data"]["registerEnterprise"]["errors"] == [{"field": "creditCode", "code": "ALREADY_REGISTERED"}]


async def test_enterprise_fields_are_checked_together(gql: Any) -> None:
    code = new_credit_code()
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    body = await gql(REGISTER_ENTERPRISE, {"input": {
        "name": "x", "creditCode": bad, "legalRepresentativeIdNumber": "110105194912310021",
        "phone": "+86 139 0000 0000", "password": PASSWORD}})
    assert body["data"]["registerEnterprise"]["errors"] == [
        {"field": "name", "code": "BAD_LENGTH"}, {"field": "creditCode", "code": "BAD_CHECK_CHARACTER"},
        {"field": "legalRepresentativeIdNumber", "code": "BAD_CHECK_CHARACTER"}]


async def test_citizens_sign_in_with_id_number_or_phone(gql: Any) -> None:
    citizen = await register(gql)
    for username in (citizen["idNumber"], citizen["idNumber"].lower(), citizen["phone"],
                     f"+86 {citizen['phone'][:3]}-{citizen['phone'][3:7]}-{citizen['phone'][7:]}"):
        result = (await gql(LOGIN, {"username": username, "password": PASSWORD}))["data"]["login"]
        assert result["__typename"] == "AuthPayload", username
        assert result["account"]["id"] == citizen["account"]["id"]


async def test_wrong_password_and_unknown_account_look_the_same(gql: Any) -> None:
    citizen = await register(gql)
    wrong = (await gql(LOGIN, {"username": citizen["idNumber"], "password": "Wrong-password-1"}))["data"]["login"]
    unknown = (await gql(LOGIN, {"username": new_id_number(), "password": PASSWORD}))["data"]["login"]
    assert wrong == unknown == {"__typename": "PermissionDenied", "code": "INVALID_CREDENTIALS",
                                "message": "账号或密码错误"}


async def test_empty_credentials_are_field_errors(gql: Any) -> None:
    result = (await gql(LOGIN, {"username": " ", "password": ""}))["data"]["login"]
    assert result == {"__typename": "FormInvalid", "errors": [{"field": "username", "code": "REQUIRED"},
                                                              {"field": "password", "code": "REQUIRED"}]}


async def test_five_failures_lock_the_account_even_for_the_right_password(gql: Any) -> None:
    citizen = await register(gql)
    for _ in range(5):
        result = (await gql(LOGIN, {"username": citizen["idNumber"], "password": "Wrong-password-1"}))
        assert result["data"]["login"]["code"] == "INVALID_CREDENTIALS"
    locked = (await gql(LOGIN, {"username": citizen["idNumber"], "password": PASSWORD}))
    result = locked["data"]["login"]
    assert result["__typename"] == "RateLimited" and result["code"] == "RATE_LIMITED"
    assert 890 <= result["retryAfterSeconds"] <= 900
    assert str(result["retryAfterSeconds"]) in result["message"]
    # When the lock-out ends, the right password works again.
    await RateCounter.filter(key__startswith="login-account:").update(
        blocked_until=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert (await gql(LOGIN, {"username": citizen["idNumber"], "password": PASSWORD}))["data"]["login"][
        "__typename"] == "AuthPayload"


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "0" <= c <= "9" or "A" <= c <= "Z" else c for c in text)


def spellings(citizen: dict[str, Any]) -> list[str]:
    """Every way of writing the citizen's sign-in names."""
    id_number, phone = citizen["idNumber"], citizen["phone"]
    return [id_number, id_number.lower(), f" {id_number[:6]} {id_number[6:14]} {id_number[14:]} ",
            full_width(id_number), phone, f"+86 {phone}", f"+86{phone}", f"86-{phone}",
            f"{phone[:3]}-{phone[3:7]}-{phone[7:]}", f"{phone[:3]} {phone[3:7]} {phone[7:]}", full_width(phone),
            f"＋８６ {full_width(phone)}"]


@pytest.mark.parametrize("locked_with", [0, 4, 8])
async def test_a_locked_account_is_locked_under_every_spelling_of_its_names(gql: Any, locked_with: int) -> None:
    citizen = await register(gql)
    names = spellings(citizen)
    for _ in range(5):
        result = (await gql(LOGIN, {"username": names[locked_with], "password": "Wrong-password-1"}))
        assert result["data"]["login"]["code"] == "INVALID_CREDENTIALS"
    for name in names:
        result = (await gql(LOGIN, {"username": name, "password": PASSWORD}))["data"]["login"]
        assert (result["__typename"], result["code"]) == ("RateLimited", "RATE_LIMITED"), name


async def test_failures_under_different_spellings_add_up_to_one_lock(gql: Any) -> None:
    citizen = await register(gql)
    names = spellings(citizen)
    for name in names[:5]:
        assert (await gql(LOGIN, {"username": name, "password": "Wrong-password-1"}))["data"]["login"][
            "code"] == "INVALID_CREDENTIALS"
    result = (await gql(LOGIN, {"username": names[-1], "password": PASSWORD}))["data"]["login"]
    assert result["__typename"] == "RateLimited"


async def test_every_spelling_of_a_name_signs_in(gql: Any) -> None:
    citizen = await register(gql)
    for name in spellings(citizen):
        result = (await gql(LOGIN, {"username": name, "password": PASSWORD}))["data"]["login"]
        assert result["__typename"] == "AuthPayload" and result["account"]["id"] == citizen["account"]["id"], name


async def test_a_name_with_no_account_is_locked_alike_under_every_spelling(gql: Any) -> None:
    nobody = {"idNumber": new_id_number(), "phone": new_phone()}
    names = spellings(nobody)
    for name in names[4:9]:
        result = (await gql(LOGIN, {"username": name, "password": "Wrong-password-1"}))["data"]["login"]
        assert result == {"__typename": "PermissionDenied", "code": "INVALID_CREDENTIALS", "message": "账号或密码错误"}
    for name in names[4:]:
        result = (await gql(LOGIN, {"username": name, "password": PASSWORD}))["data"]["login"]
        assert (result["__typename"], result["code"]) == ("RateLimited", "RATE_LIMITED"), name
        assert 890 <= result["retryAfterSeconds"] <= 900
    # The ID number is another name: its own tries.
    result = (await gql(LOGIN, {"username": names[0], "password": PASSWORD}))["data"]["login"]
    assert result["code"] == "INVALID_CREDENTIALS"


async def test_a_successful_sign_in_clears_the_failures_of_every_spelling(gql: Any) -> None:
    citizen = await register(gql)
    names = spellings(citizen)
    for name in names[:4]:
        await gql(LOGIN, {"username": name, "password": "Wrong-password-1"})
    assert (await gql(LOGIN, {"username": names[4], "password": PASSWORD}))["data"]["login"][
        "__typename"] == "AuthPayload"
    for name in names[5:9]:
        await gql(LOGIN, {"username": name, "password": "Wrong-password-1"})
    assert (await gql(LOGIN, {"username": names[0], "password": PASSWORD}))["data"]["login"][
        "__typename"] == "AuthPayload"


async def test_many_failures_from_one_address_lock_that_address(gql: Any) -> None:
    citizen = await register(gql)
    for _ in range(30):
        await gql(LOGIN, {"username": new_id_number(), "password": "Wrong-password-1"})
    result = (await gql(LOGIN, {"username": citizen["idNumber"], "password": PASSWORD}))["data"]["login"]
    assert result["__typename"] == "RateLimited"


async def test_registrations_are_limited_per_address(gql: Any) -> None:
    for _ in range(10):
        await register(gql)
    result = (await gql(REGISTER_CITIZEN, {"input": citizen_input()}))["data"]["registerCitizen"]
    assert result["__typename"] == "RateLimited" and 3590 <= result["retryAfterSeconds"] <= 3600


async def test_logout_ends_the_session(gql: Any) -> None:
    citizen = await register(gql)
    assert (await gql(LOGOUT, token=citizen["token"]))["data"]["logout"] == {"__typename": "LogoutSuccess",
                                                                             "ok": True}
    assert (await gql(ME, token=citizen["token"]))["data"]["me"] is None
    assert (await gql(LOGOUT, token=citizen["token"]))["data"]["logout"] == {"__typename": "PermissionDenied",
                                                                             "code": "UNAUTHENTICATED"}


async def test_anonymous_me_is_null_and_logout_is_denied(gql: Any) -> None:
    assert (await gql(ME))["data"]["me"] is None
    assert (await gql(LOGOUT))["data"]["logout"]["code"] == "UNAUTHENTICATED"
    assert (await gql(ME, token="made-up"))["data"]["me"] is None


async def test_an_expired_session_signs_nobody_in(gql: Any) -> None:
    citizen = await register(gql)
    await Session.filter(account_id=int(citizen["account"]["id"])).update(
        expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    assert (await gql(ME, token=citizen["token"]))["data"]["me"] is None


async def test_password_change_needs_the_current_one_and_ends_other_sessions(gql: Any) -> None:
    citizen = await register(gql)
    other = (await gql(LOGIN, {"username": citizen["phone"], "password": PASSWORD}))["data"]["login"]["token"]
    wrong = await gql(CHANGE_PASSWORD, {"current": "nope", "new": "Another-Pass-42"}, token=citizen["token"])
    assert wrong["data"]["changePassword"]["errors"] == [{"field": "currentPassword", "code": "WRONG_PASSWORD"}]
    weak = await gql(CHANGE_PASSWORD, {"current": PASSWORD, "new": "abc"}, token=citizen["token"])
    assert weak["data"]["changePassword"]["errors"] == [{"field": "newPassword", "code": "TOO_SHORT"}]
    same = await gql(CHANGE_PASSWORD, {"current": PASSWORD, "new": PASSWORD}, token=citizen["token"])
    assert same["data"]["changePassword"]["errors"] == [{"field": "newPassword", "code": "UNCHANGED"}]
    done = await gql(CHANGE_PASSWORD, {"current": PASSWORD, "new": "Another-Pass-42"}, token=citizen["token"])
    assert done["data"]["changePassword"]["__typename"] == "PasswordChanged"
    assert (await gql(ME, token=other))["data"]["me"] is None
    assert (await gql(ME, token=citizen["token"]))["data"]["me"] is not None
    old = (await gql(LOGIN, {"username": citizen["idNumber"], "password": PASSWORD}))["data"]["login"]
    assert old["__typename"] == "PermissionDenied"
    new = (await gql(LOGIN, {"username": citizen["idNumber"], "password": "Another-Pass-42"}))["data"]["login"]
    assert new["__typename"] == "AuthPayload"


async def test_tv_and_kiosk_responses_mask_the_name(gql: Any) -> None:
    citizen = await register(gql, name="欧阳娜娜")
    for terminal, shown in (("TV", "欧***"), ("KIOSK", "欧***"), ("MOBILE", "欧阳娜娜"), ("DESKTOP", "欧阳娜娜")):
        me = (await gql(ME, token=citizen["token"], headers={"x-portal-terminal": terminal}))["data"]["me"]
        assert me["account"]["displayName"] == shown, terminal
        assert me["profile"]["maskedName"] == shown, terminal
        assert me["profile"]["maskedIdNumber"].count("*") == 8


async def test_staff_account_signs_in_by_username(gql: Any) -> None:
    await create_staff(Passwords("test"), username="jn-window-01", password="Window-Clerk-2115", role=Role.WINDOW_CLERK,
                       department_code="370100-XZSPJ", region_code="370100", name="李四")
    result = (await gql(LOGIN, {"username": "jn-window-01", "password": "Window-Clerk-2115"}))["data"]["login"]
    assert result["account"]["kind"] == "STAFF"
    me = (await gql(ME, token=result["token"]))["data"]["me"]["profile"]
    assert me["role"] == "WINDOW_CLERK" and me["maskedIdNumber"] is None


async def test_a_supervisor_reads_the_region_they_oversee(gql: Any) -> None:
    """The workbench asks the figures and alerts of the supervisor's own region: the profile names it."""
    await create_staff(Passwords("test"), username="supervisor-jn-01", password="Supervisor-2115", role=Role.SUPERVISOR,
                       department_code=None, region_code="370100", name="王督办")
    result = (await gql(LOGIN, {"username": "supervisor-jn-01", "password": "Supervisor-2115"}))["data"]["login"]
    me = (await gql("{ me { profile { role departmentCode regionCode } } }", token=result["token"]))["data"]["me"]
    assert me["profile"] == {"role": "SUPERVISOR", "departmentCode": None, "regionCode": "370100"}
    citizen = await register(gql)
    mine = (await gql("{ me { profile { regionCode } } }", token=citizen["token"]))["data"]["me"]
    assert mine["profile"] == {"regionCode": None}


@pytest.mark.parametrize("header", ["Basic abc", "Bearer", "bearer  "])
async def test_malformed_authorization_is_anonymous(gql: Any, header: str) -> None:
    assert (await gql(ME, headers={"authorization": header}))["data"]["me"] is None


async def test_long_usernames_sign_in_or_are_refused_cleanly(gql: Any) -> None:
    await create_staff(Passwords("test"), username="qingdao-city-service-centre-clerk-7", password="Window-Clerk-2115",
                       role=Role.WINDOW_CLERK, department_code=None, region_code="370200", name="王五")
    result = (await gql(LOGIN, {"username": "qingdao-city-service-centre-clerk-7",
                                "password": "Window-Clerk-2115"}))["data"]["login"]
    assert result["__typename"] == "AuthPayload"
    result = (await gql(LOGIN, {"username": "x" * 100, "password": "Window-Clerk-2115"}))["data"]["login"]
    assert result["code"] == "INVALID_CREDENTIALS"
    result = (await gql(LOGIN, {"username": "x" * 101, "password": "Window-Clerk-2115"}))["data"]["login"]
    assert result == {"__typename": "FormInvalid", "errors": [{"field": "username", "code": "TOO_LONG"}]}


@pytest.mark.parametrize("username", ["window\x00jinan", "13805310001\u202e", "\ufeff13805310001", "a\nb"])
async def test_control_characters_in_a_username_are_a_field_error(gql: Any, username: str) -> None:
    result = (await gql(LOGIN, {"username": username, "password": "Window-Clerk-2115"}))["data"]["login"]
    assert result == {"__typename": "FormInvalid", "errors": [{"field": "username", "code": "FORBIDDEN_CHARACTER"}]}
