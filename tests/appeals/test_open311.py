"""The Open311 GeoReport v2 facade over enterprise appeals (/open311/v2/) and its API keys."""

from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.appeals.models import Appeal, AppealChannel, AppealStatus
from portal.appeals.open311 import create_api_key, revoke_api_key
from portal.appeals.redaction import aliases, public_title
from portal.audit.models import AuditEntry
from portal.catalog.models import Department
from portal.identity.models import Account, ApiKey, Role
from portal.identity.passwords import Passwords
from portal.identity.rules import authenticate, create_staff
from portal.problems import InvalidField, Refused
from tests.conftest import FreshDatabases
from tests.helpers import CONTROL_CHARACTERS, PORTAL_COMMAND, new_credit_code
from tests.identity.test_delegation import enterprise

BASE = "/open311/v2"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
# Every field of the spec's GET Service Requests response.
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}
NAMES = {"POLICY": "政策兑现", "APPROVAL": "审批服务", "FINANCING": "融资信贷", "TAX": "税费", "LABOUR": "用工人才",
         "LAND": "用地规划", "ENERGY": "水电气暖", "MARKET": "市场准入与公平竞争", "LEGAL": "法治环境与权益保护",
         "OTHER": "其他"}
_serial = itertools.count(1)


async def company_with_key(gql: Any) -> tuple[Account, str]:
    """An enterprise registered over GraphQL, and an Open311 key of its own."""
    signed_in = await enterprise(gql)
    principal = await authenticate(signed_in["token"])
    account = await Account.get(id=principal.account_id)
    _, key = await create_api_key(label="企业自建系统", credit_code=account.credit_code)
    return account, key


async def coordinator_key() -> tuple[Account, str]:
    username = f"open311-seat-{os.getpid()}-{next(_serial)}"
    account = await create_staff(Passwords("test"), username=username, password="Seat-2115!x", name="诉求专席",
                                 role=Role.APPEALS_COORDINATOR, department_code=None, region_code="370000")
    _, key = await create_api_key(label="12345 平台对接", username=username)
    return account, key


def content(tag: str) -> str:
    return f"我公司厂区三个月来频繁停电，影响正常生产，请协调供电公司尽快解决。（{tag}）"


async def post(client: httpx.AsyncClient, fields: dict[str, str], headers: dict[str, str] | None = None
               ) -> httpx.Response:
    return await client.post(f"{BASE}/requests.json", content=urlencode(fields).encode(),
                             headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8",
                                      **(headers or {})})


def assert_errors(response: httpx.Response, status: int, *names: str) -> list[str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body
    assert all(set(e) == {"code", "description"} and e["code"] == status for e in body)
    descriptions = [e["description"] for e in body]
    for name in names:
        assert any(d.startswith(name) for d in descriptions), (name, descriptions)
    return descriptions


def window_from(moment: datetime) -> dict[str, str]:
    return {"start_date": moment.isoformat()}


# --- services --------------------------------------------------------------------------------------------------


async def test_services_list_one_service_per_category_with_the_spec_fields(client: httpx.AsyncClient) -> None:
    response = await client.get(f"{BASE}/services.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    services = response.json()
    assert {s["service_code"]: s["service_name"] for s in services} == NAMES
    for service in services:
        assert set(service) == SERVICE_FIELDS
        assert service["metadata"] is False and service["type"] == "realtime" and service["group"] == "企业诉求"
        assert isinstance(service["keywords"], str) and service["keywords"]  # the spec's comma-separated list
        assert service["description"]


async def test_service_definition_is_empty_for_a_known_code_and_404_for_an_unknown_one(
        client: httpx.AsyncClient) -> None:
    known = await client.get(f"{BASE}/services/ENERGY.json")
    assert known.status_code == 200
    assert known.json() == {"service_code": "ENERGY", "attributes": []}
    assert "NOPE" in assert_errors(await client.get(f"{BASE}/services/NOPE.json"), 404)[0]
    assert_errors(await client.get(f"{BASE}/services.yaml"), 404)
    assert_errors(await client.get(f"{BASE}/requests.csv"), 404)


# --- POST requests ---------------------------------------------------------------------------------------------


async def test_an_enterprise_key_files_an_online_appeal_of_that_enterprise(gql: Any,
                                                                           client: httpx.AsyncClient) -> None:
    company, key = await company_with_key(gql)
    text = content("POST-1")
    response = await post(client, {"api_key": key, "service_code": "ENERGY", "description": text,
                                   "email": "ignored@example.com", "first_name": "三", "last_name": "张",
                                   "phone": "13800000000", "lat": "36.65", "long": "117.12"})
    assert response.status_code == 201, response.text
    [created] = response.json()
    assert set(created) == {"service_request_id", "token", "service_notice", "account_id"}
    assert created["account_id"] is None and "2115" in created["service_notice"]
    appeal = await Appeal.get(id=int(created["service_request_id"]))
    assert (appeal.latitude, appeal.longitude, appeal.open311_token) == (36.65, 117.12, created["token"])
    assert appeal.channel is AppealChannel.ONLINE
    assert (appeal.credit_code, appeal.enterprise_name) == (company.credit_code, company.name)
    assert appeal.recorded_by_id == company.id
    assert appeal.category.value == "ENERGY" and appeal.status is AppealStatus.RECEIVED
    assert (appeal.title, appeal.content) == (text[:30], text)


async def test_a_json_body_with_a_title_and_the_key_in_the_query_string(gql: Any, client: httpx.AsyncClient) -> None:
    _, key = await company_with_key(gql)
    response = await client.post(f"{BASE}/requests.json?api_key={key}", json={
        "service_code": "TAX", "title": "出口退税迟迟未到账", "description": content("JSON")})
    assert response.status_code == 201, response.text
    appeal = await Appeal.get(id=int(response.json()[0]["service_request_id"]))
    assert (appeal.title, appeal.category.value) == ("出口退税迟迟未到账", "TAX")


async def test_a_retried_post_creates_one_appeal(gql: Any, client: httpx.AsyncClient) -> None:
    _, key = await company_with_key(gql)
    fields = {"api_key": key, "service_code": "POLICY", "description": content("RETRY")}
    first = await post(client, fields, {"X-Idempotency-Key": "crm-7781"})
    again = await post(client, fields, {"X-Idempotency-Key": "crm-7781"})
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = await post(client, fields, {"X-Idempotency-Key": "crm-7782"})
    assert other.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]
    reused = await post(client, {**fields, "description": content("CHANGED")}, {"X-Idempotency-Key": "crm-7781"})
    assert_errors(reused, 400)
    # Without the header, the body is the key: the same body twice is one appeal, another body another one.
    bare = {**fields, "description": content("BODY")}
    one, two = await post(client, bare), await post(client, bare)
    assert one.json()[0]["service_request_id"] == two.json()[0]["service_request_id"]
    three = await post(client, {**bare, "description": content("BODY-2")})
    assert three.json()[0]["service_request_id"] != one.json()[0]["service_request_id"]
    assert await Appeal.filter(credit_code=(await Appeal.get(
        id=int(one.json()[0]["service_request_id"]))).credit_code).count() == 4


async def test_missing_or_invalid_fields_are_400_naming_them(gql: Any, client: httpx.AsyncClient) -> None:
    _, key = await company_with_key(gql)
    before = await Appeal.all().count()
    assert_errors(await post(client, {"api_key": key, "service_code": "LAND"}), 400, "description")
    both = assert_errors(await post(client, {"api_key": key}), 400, "service_code", "description")
    assert len(both) == 2
    # Too short for the rules: the description is named, not the title made from it.
    short = assert_errors(await post(client, {"api_key": key, "service_code": "LAND", "description": "太慢"}), 400,
                          "description")
    assert not any(d.startswith("title") for d in short)
    assert_errors(await post(client, {"api_key": key, "service_code": "LAND", "title": "短",
                                      "description": content("T")}), 400, "title")
    assert_errors(await client.post(f"{BASE}/requests.json", content=b"<xml/>",
                                    headers={"content-type": "text/xml"}), 400)
    assert_errors(await client.post(f"{BASE}/requests.json", content=b"[1]",
                                    headers={"content-type": "application/json"}), 400)
    assert await Appeal.all().count() == before


async def test_a_missing_bad_or_revoked_key_is_403(gql: Any, client: httpx.AsyncClient) -> None:
    fields = {"service_code": "OTHER", "description": content("KEY")}
    assert_errors(await post(client, fields), 403)
    assert_errors(await post(client, {**fields, "api_key": "not-a-key"}), 403)
    company, key = await company_with_key(gql)
    row = await ApiKey.get(account_id=company.id)
    await revoke_api_key(row.id)
    assert_errors(await post(client, {**fields, "api_key": key}), 403)


async def test_an_unknown_service_code_is_404_as_the_spec_lists(gql: Any, client: httpx.AsyncClient) -> None:
    _, key = await company_with_key(gql)
    [description] = assert_errors(await post(client, {"api_key": key, "service_code": "POTHOLE",
                                                      "description": content("CODE")}), 404)
    assert "POTHOLE" in description


async def test_an_enterprise_key_files_only_for_its_own_credit_code(gql: Any, client: httpx.AsyncClient) -> None:
    company, key = await company_with_key(gql)
    fields = {"api_key": key, "service_code": "LEGAL", "description": content("OWN")}
    assert_errors(await post(client, {**fields, "attribute[credit_code]": new_credit_code()}), 400,
                  "attribute[credit_code]")
    own = await post(client, {**fields, "attribute[credit_code]": company.credit_code.lower()})
    assert own.status_code == 201


async def test_a_coordinator_key_records_for_the_enterprise_it_names(gql: Any, client: httpx.AsyncClient) -> None:
    company, _ = await company_with_key(gql)
    seat, key = await coordinator_key()
    response = await post(client, {"api_key": key, "service_code": "FINANCING", "description": content("SEAT"),
                                   "attribute[credit_code]": company.credit_code})
    assert response.status_code == 201, response.text
    appeal = await Appeal.get(id=int(response.json()[0]["service_request_id"]))
    assert appeal.channel is AppealChannel.MAILBOX
    assert (appeal.credit_code, appeal.enterprise_name, appeal.recorded_by_id) == (
        company.credit_code, company.name, seat.id)

    hotline = await client.post(f"{BASE}/requests.json", json={
        "api_key": key, "service_code": "FINANCING", "description": content("HOTLINE"),
        "attribute": {"credit_code": company.credit_code, "channel": "HOTLINE"}})
    assert hotline.status_code == 201, hotline.text
    assert (await Appeal.get(id=int(hotline.json()[0]["service_request_id"]))).channel is AppealChannel.HOTLINE

    fields = {"api_key": key, "service_code": "FINANCING", "description": content("SEAT-2")}
    assert_errors(await post(client, fields), 400, "attribute[credit_code]")
    assert_errors(await post(client, {**fields, "attribute[credit_code]": company.credit_code,
                                      "attribute[channel]": "ONLINE"}), 400, "attribute[channel]")
    unregistered = new_credit_code()
    assert_errors(await post(client, {**fields, "attribute[credit_code]": unregistered}), 400,
                  "attribute[enterprise_name]")
    named = await post(client, {**fields, "credit_code": unregistered, "attribute[enterprise_name]": "济南新开张贸易有限公司"})
    assert named.status_code == 201, named.text
    appeal = await Appeal.get(id=int(named.json()[0]["service_request_id"]))
    assert (appeal.credit_code, appeal.enterprise_name) == (unregistered, "济南新开张贸易有限公司")


# --- GET requests ----------------------------------------------------------------------------------------------


async def test_the_public_list_never_identifies_an_enterprise(gql: Any, client: httpx.AsyncClient) -> None:
    since = datetime.now(timezone.utc)
    company, key = await company_with_key(gql)
    secret = content("SECRET-CONTENT-9931")
    title = f"{company.name}（{company.credit_code}）用电难，联系人13912345678"
    created = await post(client, {"api_key": key, "service_code": "ENERGY", "title": title, "description": secret})
    assert created.status_code == 201, created.text
    listed = await client.get(f"{BASE}/requests.json", params=window_from(since))
    single = await client.get(f"{BASE}/requests/{created.json()[0]['service_request_id']}.json")
    for response in (listed, single):
        assert response.status_code == 200
        raw = response.text
        for leaked in (company.name, company.credit_code, company.credit_code.lower(), secret, "SECRET-CONTENT",
                       "13912345678"):
            assert leaked not in raw
    [item] = listed.json()
    assert item["description"] == "某企业（某企业）用电难，联系人***"


async def test_requests_map_statuses_and_honour_the_filters(gql: Any, client: httpx.AsyncClient) -> None:
    since = datetime.now(timezone.utc)
    _, key = await company_with_key(gql)
    ids = {}
    for name, code in (("received", "ENERGY"), ("assigned", "ENERGY"), ("closed", "TAX"), ("merged", "TAX")):
        response = await post(client, {"api_key": key, "service_code": code, "title": f"诉求标题 {name}",
                                       "description": content(name)})
        ids[name] = response.json()[0]["service_request_id"]
    department = await Department.filter(region_code="370000").order_by("sort").first()
    resolve_by = datetime(2031, 3, 14, 9, 30, tzinfo=timezone.utc)
    await Appeal.filter(id=int(ids["assigned"])).update(status=AppealStatus.ASSIGNED, resolve_by=resolve_by,
                                                        department_code=department.code)
    await Appeal.filter(id=int(ids["closed"])).update(status=AppealStatus.CLOSED)
    await Appeal.filter(id=int(ids["merged"])).update(status=AppealStatus.MERGED, merged_into_id=int(ids["closed"]))

    async def listed(**params: str) -> list[dict[str, Any]]:
        response = await client.get(f"{BASE}/requests.json", params={**window_from(since), **params})
        assert response.status_code == 200, response.text
        return response.json()

    everything = await listed()
    assert [r["service_request_id"] for r in everything] == [ids[n] for n in ("merged", "closed", "assigned",
                                                                                "received")]  # newest first
    by_id = {r["service_request_id"]: r for r in everything}
    for item in everything:
        assert set(item) == REQUEST_FIELDS
        assert item["address"] is None and item["lat"] is None and item["long"] is None  # present, null
        assert item["requested_datetime"].endswith("+08:00") and item["updated_datetime"].endswith("+08:00")
        assert item["service_notice"]
    assert {n: by_id[ids[n]]["status"] for n in ids} == {"received": "open", "assigned": "open", "closed": "closed",
                                                          "merged": "closed"}
    assigned, received = by_id[ids["assigned"]], by_id[ids["received"]]
    assert assigned["status_notes"] == "已交办：已交办承办单位"
    assert received["status_notes"].startswith("待分办：")
    assert by_id[ids["closed"]]["status_notes"].startswith("已办结：")
    assert by_id[ids["merged"]]["status_notes"] == f"已合并：已并入诉求 {ids['closed']} 一并办理"
    assert assigned["agency_responsible"] == department.name and received["agency_responsible"] is None
    assert assigned["expected_datetime"] == "2031-03-14T17:30:00+08:00" and received["expected_datetime"] is None
    assert (assigned["service_code"], assigned["service_name"], assigned["description"]) == (
        "ENERGY", "水电气暖", "诉求标题 assigned")

    assert {r["service_request_id"] for r in await listed(status="closed")} == {ids["closed"], ids["merged"]}
    assert {r["service_request_id"] for r in await listed(status="open")} == {ids["received"], ids["assigned"]}
    assert len(await listed(status="open,closed")) == 4
    assert {r["service_request_id"] for r in await listed(service_code="TAX")} == {ids["closed"], ids["merged"]}
    assert {r["service_request_id"] for r in await listed(service_code="TAX", status="open")} == set()
    assert len(await listed(service_code="ENERGY,TAX")) == 4

    # start_date and end_date both inclusive, on requested_datetime.
    closed_at = datetime.fromisoformat(by_id[ids["closed"]]["requested_datetime"])
    up_to_closed = await listed(end_date=closed_at.isoformat())
    assert {r["service_request_id"] for r in up_to_closed} == {ids["received"], ids["assigned"], ids["closed"]}
    just_before = await listed(end_date=(closed_at - timedelta(microseconds=1)).isoformat())
    assert {r["service_request_id"] for r in just_before} == {ids["received"], ids["assigned"]}
    only_closed = await listed(start_date=closed_at.isoformat(), end_date=closed_at.isoformat())
    assert {r["service_request_id"] for r in only_closed} == {ids["closed"]}
    from_closed = await client.get(f"{BASE}/requests.json", params={"start_date": closed_at.isoformat()})
    assert {r["service_request_id"] for r in from_closed.json()} == {ids["closed"], ids["merged"]}
    # An offset whose '+' arrived unencoded (a space) still parses.
    unencoded = await client.get(f"{BASE}/requests.json?start_date={closed_at.isoformat()}")
    assert {r["service_request_id"] for r in unencoded.json()} == {ids["closed"], ids["merged"]}
    later = await client.get(f"{BASE}/requests.json",
                             params={"start_date": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()})
    assert later.json() == []

    # The default window is the last 90 days; service_request_id overrides every other filter.
    await Appeal.filter(id=int(ids["received"])).update(created_at=datetime.now(timezone.utc) - timedelta(days=100))
    default = await client.get(f"{BASE}/requests.json")
    assert ids["received"] not in {r["service_request_id"] for r in default.json()}
    chosen = await client.get(f"{BASE}/requests.json", params={
        "service_request_id": f"{ids['received']},{ids['closed']}", "status": "open", "service_code": "LAND"})
    assert {r["service_request_id"] for r in chosen.json()} == {ids["received"], ids["closed"]}

    for params, name in (({"status": "pending"}, "status"), ({"service_code": "POTHOLE"}, "service_code"),
                         ({"start_date": "yesterday"}, "start_date"),
                         ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "start_date"),
                         ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "end_date"),
                         ({"service_request_id": "12,abc"}, "service_request_id")):
        assert_errors(await client.get(f"{BASE}/requests.json", params=params), 400, name)


async def test_one_request_by_id_and_404(gql: Any, client: httpx.AsyncClient) -> None:
    _, key = await company_with_key(gql)
    created = await post(client, {"api_key": key, "service_code": "MARKET", "description": content("ONE")})
    request_id = created.json()[0]["service_request_id"]
    response = await client.get(f"{BASE}/requests/{request_id}.json")
    assert response.status_code == 200
    [item] = response.json()
    assert set(item) == REQUEST_FIELDS
    assert (item["service_request_id"], item["status"], item["service_code"], item["service_name"]) == (
        request_id, "open", "MARKET", "市场准入与公平竞争")
    assert item["description"] == content("ONE")[:30]
    assert item["requested_datetime"].endswith("+08:00")
    for missing in ("999999999", "abc", "0"):
        assert_errors(await client.get(f"{BASE}/requests/{missing}.json"), 404)


# --- keys ------------------------------------------------------------------------------------------------------


async def test_create_api_key_stores_only_the_digest_and_is_audited(gql: Any) -> None:
    signed_in = await enterprise(gql)
    account = await Account.get(id=(await authenticate(signed_in["token"])).account_id)
    row, key = await create_api_key(label=" ERP 对接 ", credit_code=account.credit_code.lower())
    assert len(key) >= 43 and key not in (row.key_hash, row.label)
    stored = await ApiKey.get(id=row.id)
    assert (stored.account_id, stored.label, stored.revoked_at) == (account.id, "ERP 对接", None)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    _, second = await create_api_key(label="another", credit_code=account.credit_code)
    assert second != key
    assert (await revoke_api_key(row.id)).revoked_at is not None
    assert (await revoke_api_key(row.id)).revoked_at == (await ApiKey.get(id=row.id)).revoked_at
    actions = await AuditEntry.filter(target=f"apikey:{row.id}").order_by("id").values_list("action", flat=True)
    assert actions == ["apikey.created", "apikey.revoked"]


async def test_keys_go_only_to_enterprises_and_appeals_coordinators() -> None:
    clerk = f"open311-clerk-{os.getpid()}-{next(_serial)}"
    await create_staff(Passwords("test"), username=clerk, password="Clerk-2115!x", name="窗口", role=Role.WINDOW_CLERK,
                       department_code=None, region_code="370100")
    with pytest.raises(Refused) as refused:
        await create_api_key(label="x", username=clerk)
    assert refused.value.code == "NOT_A_KEY_HOLDER"
    with pytest.raises(Refused) as unknown:
        await create_api_key(label="x", credit_code=new_credit_code())
    assert unknown.value.code == "NO_ACCOUNT"
    with pytest.raises(InvalidField):
        await create_api_key(label="  ", username=clerk)
    with pytest.raises(Refused):
        await revoke_api_key(999999)


def portal(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    return subprocess.run([PORTAL_COMMAND, *args, "--database", url], capture_output=True, text=True, timeout=120,
                          env={**environ, "PORTAL_PASSWORD_PROFILE": "test"})


async def test_portal_apikey_create_and_revoke(databases: FreshDatabases) -> None:
    url = await databases.create()
    assert portal("migrate", url=url).returncode == 0
    made = portal("user", "create", "--username", "seat01", "--password", "Seat-2115!x", "--role",
                  "APPEALS_COORDINATOR", url=url)
    assert made.returncode == 0, made.stderr
    created = portal("apikey", "create", "--username", "seat01", "--label", "12345 平台", url=url)
    assert created.returncode == 0, created.stderr
    header, key = created.stdout.strip().splitlines()
    assert header.startswith("created Open311 API key 1 (12345 平台)") and len(key) >= 43
    revoked = portal("apikey", "revoke", "--id", "1", url=url)
    assert revoked.returncode == 0 and "revoked" in revoked.stdout
    missing = portal("apikey", "revoke", "--id", "7", url=url)
    assert missing.returncode == 1 and "7" in missing.stderr
    nobody = portal("apikey", "create", "--credit-code", new_credit_code(), "--label", "x", url=url)
    assert nobody.returncode == 1 and nobody.stderr
    both = portal("apikey", "create", "--username", "a", "--credit-code", "b", "--label", "x", url=url)
    assert both.returncode == 2


# --- bad input -------------------------------------------------------------------------------------------------


async def test_an_over_long_credit_code_is_an_open311_error_not_a_server_error(gql: Any,
                                                                              client: httpx.AsyncClient) -> None:
    company, key = await company_with_key(gql)
    _, seat = await coordinator_key()
    for api_key in (key, seat):
        for code in (company.credit_code + "1", "9" * 200, "９" * 18):
            response = await post(client, {"api_key": api_key, "service_code": "LEGAL", "description": content("CC"),
                                           "attribute[credit_code]": code})
            assert_errors(response, 400, "attribute[credit_code]")


@pytest.mark.parametrize("character", CONTROL_CHARACTERS, ids=ascii)
async def test_control_characters_in_a_posted_appeal_are_refused_and_never_stored(
        gql: Any, client: httpx.AsyncClient, character: str) -> None:
    _, key = await company_with_key(gql)
    before = await Appeal.all().count()
    fields = {"api_key": key, "service_code": "ENERGY", "title": "厂区频繁停电影响生产", "description": content("CTRL")}
    for name, value in (("title", f"厂区频繁{character}停电影响生产"), ("description", content(character)),
                        ("email", f"a{character}@example.com"), ("attribute[enterprise_name]", f"济南{character}公司")):
        assert_errors(await post(client, {**fields, name: value}), 400, name)
        assert_errors(await client.post(f"{BASE}/requests.json", json={**fields, name: value}), 400, name)
    default_title = await post(client, {"api_key": key, "service_code": "ENERGY", "description": content(character)})
    assert_errors(default_title, 400, "description")
    assert await Appeal.all().count() == before


async def test_every_parameter_has_a_length_and_the_request_a_number_of_them(gql: Any,
                                                                            client: httpx.AsyncClient) -> None:
    _, key = await company_with_key(gql)
    fields = {"api_key": key, "service_code": "ENERGY", "description": content("LEN")}
    assert_errors(await post(client, {**fields, "first_name": "张" * 201}), 400, "first_name")
    assert_errors(await post(client, {**fields, "service_code": "E" * 201}), 400, "service_code")
    [name] = assert_errors(await post(client, {**fields, "x" * 100: "1"}), 400)
    assert name.startswith("'xxx") and len(name) < 100
    assert_errors(await post(client, {**fields, **{f"extra{n}": "1" for n in range(40)}}), 400)
    assert_errors(await post(client, fields, {"X-Idempotency-Key": "k" * 101}), 400, "X-Idempotency-Key")
    assert_errors(await client.post(f"{BASE}/requests.json?api_key={key}&note=%00", json=fields), 400, "note")
    long_code = await client.get(f"{BASE}/services/{'P' * 5000}.json")
    assert long_code.status_code == 404 and len(long_code.text) < 300
    long_id = await client.get(f"{BASE}/requests/{'9' * 5000}.json")
    assert long_id.status_code == 404 and len(long_id.text) < 300
    assert (await post(client, {**fields, "first_name": "张" * 200})).status_code == 201


@pytest.mark.parametrize(("params", "name"), [
    ({"start_date": "0001-01-01T00:00:00"}, "start_date"), ({"start_date": "9999-12-31T00:00:00+08:00"}, "start_date"),
    ({"end_date": "0001-01-01T00:00:00Z"}, "end_date"), ({"end_date": "9999-12-31T23:59:59"}, "end_date"),
    ({"start_date": "1999-12-31T23:59:59+08:00"}, "start_date"), ({"start_date": "2026-13-45"}, "start_date"),
    ({"start_date": "2026-01-01T00:00:00\x00"}, "start_date"), ({"end_date": "2" * 300}, "end_date"),
    ({"service_code": "ENERGY\u202e"}, "service_code"), ({"status": "open\ufeff"}, "status"),
    ({"service_request_id": "1," * 600}, "service_request_id")])
async def test_a_bad_list_parameter_is_a_400_naming_it(client: httpx.AsyncClient, params: dict[str, str],
                                                       name: str) -> None:
    assert_errors(await client.get(f"{BASE}/requests.json", params=params), 400, name)


async def test_the_calendars_first_and_last_days_are_listed(client: httpx.AsyncClient) -> None:
    for params in ({"start_date": "2000-01-01T00:00:00+08:00"}, {"end_date": "2100-12-31T23:59:59+08:00"}):
        response = await client.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200 and response.json() == []


# --- the public list names nobody ------------------------------------------------------------------------------


def spelled_in_the_output(number: str, output: str) -> bool:
    """Whether ``number`` can still be read in ``output``: digits of any script and full-width letters read as
    ASCII, everything that is not a digit or a letter skipped."""
    said = []
    for ch in output:
        digit = unicodedata.digit(ch, None)
        letter = unicodedata.normalize("NFKC", ch).upper()
        said.append(str(digit) if digit is not None else letter if letter.isascii() and letter.isalnum() else "")
    return number.upper() in "".join(said)


FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789ABCDEFGHJKLMNPQRTUWXYabcdefghjklmnpqrtuwxy"}
OTHER_SCRIPTS = [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x1040, 0xFF10]  # zeros of Arabic-Indic … full-width
SEPARATORS = ["", "", " ", "-", "\u3000", "\u00a0", ".", "–", "—", "－", " - ", "(", ")", "/", "·", ",", "，", "、", "*",
              "\u200b"]
WORDS = st.text(alphabet="企业反映厂区用电难联系人电话请尽快处理：，。、！", max_size=12)


@st.composite
def numbers(draw: st.DrawFn) -> str:
    """A mobile number, an ID number (its last character may be X) or a credit code."""
    kind = draw(st.sampled_from(["phone", "id", "credit"]))
    if kind == "phone":
        return "1" + draw(st.sampled_from("3456789")) + draw(st.from_regex(r"[0-9]{9}", fullmatch=True))
    if kind == "id":
        return draw(st.from_regex(r"[1-8][0-9]{16}[0-9X]", fullmatch=True))
    return draw(st.from_regex(r"[1-9ANY][0-9A-HJ-NP-RTUW-Y][0-9]{6}[0-9A-HJ-NP-RTUW-Y]{10}", fullmatch=True))


@st.composite
def spellings(draw: st.DrawFn, number: str) -> str:
    """``number`` as people write it: each character perhaps full-width, a digit perhaps of another script, a
    letter perhaps lower-case, separators between any two characters, a phone perhaps with +86 in front."""
    out = [draw(st.sampled_from(["", "+86 ", "+86-", "86", "（+86）", "＋８６ "]))] if len(number) == 11 else []
    for ch in number:
        form = draw(st.sampled_from(["plain", "full", "script", "lower"]))
        if form == "full":
            ch = FULL_WIDTH[ch]
        elif form == "script" and ch.isdigit():
            ch = chr(draw(st.sampled_from(OTHER_SCRIPTS)) + int(ch))
        elif form == "lower":
            ch = ch.lower()
        out.append(ch + draw(st.sampled_from(SEPARATORS)))
    return "".join(out)


@settings(max_examples=300, deadline=None)
@given(data=st.data(), number=numbers())
def test_no_spelling_of_a_number_reaches_the_public_list(data: st.DataObject, number: str) -> None:
    title = data.draw(WORDS) + data.draw(spellings(number)) + data.draw(WORDS)
    public = public_title(title, ["山东齐鲁运输有限公司", "齐鲁运输"])
    assert not spelled_in_the_output(number, public), (title, public)


def test_an_enterprise_goes_by_its_names_without_region_and_legal_form() -> None:
    regions = ["山东省", "济南市", "历下区"]
    assert aliases("山东齐鲁运输有限公司", regions) == ["山东齐鲁运输有限公司", "齐鲁运输有限公司", "山东齐鲁运输", "齐鲁运输"]
    assert aliases("济南市历下区鲁味餐饮股份有限公司", regions) == [
        "济南市历下区鲁味餐饮股份有限公司", "历下区鲁味餐饮股份有限公司", "济南市历下区鲁味餐饮", "鲁味餐饮股份有限公司",
        "历下区鲁味餐饮", "鲁味餐饮"]
    assert "红星机械" in aliases("济南红星机械厂", regions) and "红星" not in aliases("济南红星机械厂", regions)
    assert aliases("甲有限公司", regions) == ["甲有限公司"]  # a one-character core would blank out ordinary text


async def test_the_public_list_hides_spaced_numbers_and_the_short_name(gql: Any, client: httpx.AsyncClient) -> None:
    since = datetime.now(timezone.utc)
    company, _ = await company_with_key(gql)
    _, seat = await coordinator_key()
    code = company.credit_code
    spaced_code = f"{code[:4]} {code[4:8]} {code[8:12].lower()} {code[12:]}"
    title = (f"齐鲁 运输用电难，电话+86 139-1234 5678、１３９１２３４５６７８，"
             f"身份证370102 19900101 123x，代码{spaced_code}")
    created = await post(client, {"api_key": seat, "service_code": "ENERGY", "title": title,
                                  "description": content("REDACT"), "attribute[credit_code]": code})
    assert created.status_code == 201, created.text
    [item] = (await client.get(f"{BASE}/requests.json", params=window_from(since))).json()
    assert item["description"] == "某企业用电难，电话+***，身份证***，代码某企业"  # both phones are one run
    for secret in ("13912345678", "37010219900101123X", code, "齐鲁运输"):
        assert not spelled_in_the_output(secret, item["description"])
