"""服务包 / 明白纸 over GraphQL: industries of enterprises, who may publish, targeting by region and industry, the
inbox and its read receipts (once per enterprise, an agent's read for its enterprise), field errors, versions and
idempotency of composing and publishing, the live inbox."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from portal.events import Event
from portal.identity.models import Role
from portal.packs.models import PackDelivery
from tests.applications.support import handler
from tests.helpers import new_credit_code, new_id_number, new_phone
from tests.identity.test_accounts import PASSWORD, REGISTER_ENTERPRISE, register
from tests.identity.test_delegation import GRANT_AGENT
from tests.subscriptions import in_process_subscription

PACK_FIELDS = """__typename
  ... on PolicyPack { id title status version regionCode allIndustries industries { code name } departmentCode
                      sections { heading text } links { kind target title }
                      figures { total { targeted delivered read readRate }
                                byRegion { regionCode regionName targeted delivered read readRate } } }
  ... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code }
  ... on NotFound { code }
  ... on Conflict { code }"""
CREATE = f"mutation($input: CreatePolicyPackInput!) {{ createPolicyPack(input: $input) {{ {PACK_FIELDS} }} }}"
PUBLISH = f"mutation($id: ID!, $v: Int!) {{ publishPolicyPack(id: $id, version: $v) {{ {PACK_FIELDS} }} }}"
PACK = """query($id: ID!) { policyPack(id: $id) { id figures { total { targeted delivered read readRate } } } }"""
PACKS = "{ policyPacks(first: 50) { totalCount edges { node { id } } } }"
INBOX = """{ me { unreadPolicyPacks policyPacks(first: 50) { totalCount edges { node {
  id read readAt readBy enterpriseName deliveredAt pack { id title sections { heading } figures { total { read } } }
} } } } }"""
OPEN = """mutation($id: ID!) { openPolicyPack(id: $id) { __typename
  ... on PolicyPackDelivery { id read readBy pack { id } } ... on NotFound { code } ... on PermissionDenied { code } } }"""
SET_INDUSTRY = """mutation($industry: String!) { setAccountIndustry(industry: $industry) { __typename
  ... on Profile { industry { code name } } ... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code } } }"""
INDUSTRIES = "{ industries { code name } }"
INBOX_LIVE = "subscription($after: String) { policyPackInbox(after: $after) { cursor kind pack { id } delivery { id } } }"
SECTIONS = [{"heading": "谁可以申请", "text": "在本区登记注册、从事住宿和餐饮业的小微企业。"},
            {"heading": "能享受什么", "text": "新招用高校毕业生的，每人一次性补贴1500元。"}]


async def step(gql: Any, document: str, token: str, **variables: Any) -> dict[str, Any]:
    body = await gql(document, variables, token=token)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def company(gql: Any, region: str, industry: str | None = None) -> dict[str, Any]:
    """An enterprise registered in ``region`` (its credit code's), of ``industry`` when given."""
    payload = {"name": "山东泉城食品有限公司", "creditCode": new_credit_code(region),
               "legalRepresentativeIdNumber": new_id_number(), "phone": new_phone(), "password": PASSWORD}
    if industry is not None:
        payload["industry"] = industry
    result = (await gql(REGISTER_ENTERPRISE, {"input": payload}))["data"]["registerEnterprise"]
    assert result["__typename"] == "AuthPayload", result
    return result


def draft(region: str, industries: list[str] | None = None, **overrides: Any) -> dict[str, Any]:
    return {"title": "稳岗扩岗惠企政策服务包", "summary": "面向住宿和餐饮业小微企业的一次性扩岗补贴，一图看懂怎么申请。",
            "sections": SECTIONS, "regionCode": region, "industries": industries or [],
            "allIndustries": industries is None, "idempotencyKey": str(uuid.uuid4()), **overrides}


async def published(gql: Any, token: str, region: str, industries: list[str] | None = None,
                    **overrides: Any) -> dict[str, Any]:
    created = await step(gql, CREATE, token, input=draft(region, industries, **overrides))
    assert created["__typename"] == "PolicyPack" and created["status"] == "DRAFT", created
    pack = await step(gql, PUBLISH, token, id=created["id"], v=created["version"])
    assert pack["status"] == "PUBLISHED" and pack["version"] == 2, pack
    return pack


async def inbox(gql: Any, token: str) -> dict[str, Any]:
    return (await step(gql, INBOX, token))


def pack_ids(me: dict[str, Any]) -> list[str]:
    return [e["node"]["pack"]["id"] for e in me["policyPacks"]["edges"]]


async def supervisor(region: str) -> str:
    return await handler(f"{region}-DB", role=Role.SUPERVISOR)


# --- industries --------------------------------------------------------------------------------------------------


async def test_the_twenty_sections_of_gbt_4754_are_offered(gql: Any) -> None:
    sections = (await gql(INDUSTRIES))["data"]["industries"]
    assert [s["code"] for s in sections] == list("ABCDEFGHIJKLMNOPQRST")
    assert sections[7] == {"code": "H", "name": "住宿和餐饮业"}


async def test_an_enterprise_names_its_industry_at_sign_up_and_in_its_account(gql: Any) -> None:
    firm = await company(gql, "370102", "H")
    me = await gql("{ me { profile { industry { code name } } } }", token=firm["token"])
    assert me["data"]["me"]["profile"]["industry"] == {"code": "H", "name": "住宿和餐饮业"}
    changed = await step(gql, SET_INDUSTRY, firm["token"], industry="I")
    assert changed["industry"] == {"code": "I", "name": "信息传输、软件和信息技术服务业"}


async def test_an_unknown_industry_is_a_field_error(gql: Any) -> None:
    firm = await company(gql, "370102")
    for bad in ("Z", "h", "", "AB"):
        refused = await step(gql, SET_INDUSTRY, firm["token"], industry=bad)
        assert refused["errors"] == [{"field": "industry", "code": "UNKNOWN_INDUSTRY"}], bad
    body = await gql(REGISTER_ENTERPRISE, {"input": {
        "name": "山东泉城食品有限公司", "creditCode": new_credit_code(), "legalRepresentativeIdNumber": new_id_number(),
        "phone": "1234", "password": PASSWORD, "industry": "U"}})
    errors = body["data"]["registerEnterprise"]["errors"]
    assert [(e["field"], e["code"]) for e in errors] == [("phone", "BAD_FORMAT"), ("industry", "UNKNOWN_INDUSTRY")]


async def test_only_an_enterprise_names_an_industry(gql: Any) -> None:
    citizen = await register(gql)
    refused = await step(gql, SET_INDUSTRY, citizen["token"], industry="H")
    assert refused == {"__typename": "PermissionDenied", "code": "ENTERPRISES_ONLY"}


# --- targeting ------------------------------------------------------------------------------------------------


async def test_a_county_pack_reaches_its_county_and_industry_only(gql: Any) -> None:
    lixia_food, lixia_factory = await company(gql, "370102", "H"), await company(gql, "370102", "C")
    shizhong_food, unnamed = await company(gql, "370103", "H"), await company(gql, "370102")
    pack = await published(gql, await supervisor("370102"), "370102", ["H"])
    assert pack["industries"] == [{"code": "H", "name": "住宿和餐饮业"}] and not pack["allIndustries"]
    assert pack_ids(await inbox(gql, lixia_food["token"])) == [pack["id"]]
    for other in (lixia_factory, shizhong_food, unnamed):  # another industry, the neighbouring county, none named
        assert pack["id"] not in pack_ids(await inbox(gql, other["token"]))


async def test_a_city_pack_for_all_industries_reaches_every_enterprise_of_the_city(gql: Any) -> None:
    lixia, shizhong, unnamed = await company(gql, "370102", "C"), await company(gql, "370103", "F"), \
        await company(gql, "370112")
    qingdao = await company(gql, "370202", "C")
    pack = await published(gql, await supervisor("370100"), "370100")
    assert pack["allIndustries"] and pack["industries"] == []
    for reached in (lixia, shizhong, unnamed):
        assert pack["id"] in pack_ids(await inbox(gql, reached["token"]))
    assert pack["id"] not in pack_ids(await inbox(gql, qingdao["token"]))
    regions = {r["regionCode"] for r in pack["figures"]["byRegion"]}
    assert {"370102", "370103", "370112"} <= regions and not any(r.startswith("3702") for r in regions)


async def test_several_industries_are_reached_and_counted_by_region(gql: Any) -> None:
    first, second, third = (await company(gql, "370211", "P"), await company(gql, "370211", "Q"),
                            await company(gql, "370211", "R"))
    pack = await published(gql, await supervisor("370200"), "370211", ["Q", "P"])
    assert [i["code"] for i in pack["industries"]] == ["P", "Q"]
    assert pack["figures"]["total"] == {"targeted": 2, "delivered": 0, "read": 0, "readRate": 0.0}
    assert pack["figures"]["byRegion"] == [{"regionCode": "370211", "regionName": "黄岛区", "targeted": 2,
                                            "delivered": 0, "read": 0, "readRate": 0.0}]
    assert pack["id"] in pack_ids(await inbox(gql, first["token"]))
    assert pack["id"] in pack_ids(await inbox(gql, second["token"]))
    assert pack["id"] not in pack_ids(await inbox(gql, third["token"]))


# --- the inbox and read receipts ------------------------------------------------------------------------------


async def test_an_enterprise_reads_a_pack_once_however_often_it_opens_it(gql: Any) -> None:
    firm = await company(gql, "370602", "K")
    staff = await supervisor("370600")
    pack = await published(gql, staff, "370602", ["K"])
    older = await published(gql, staff, "370602", ["K"], title="房地产企业纾困政策服务包")
    me = await inbox(gql, firm["token"])
    assert me["unreadPolicyPacks"] == 2
    delivery = next(e["node"] for e in me["policyPacks"]["edges"] if e["node"]["pack"]["id"] == pack["id"])
    assert delivery["read"] is False and delivery["deliveredAt"] is not None
    assert delivery["pack"]["figures"] is None  # the figures are the staff's
    figures = (await step(gql, PACK, staff, id=pack["id"]))["figures"]["total"]
    assert figures == {"targeted": 1, "delivered": 1, "read": 0, "readRate": 0.0}
    for _ in range(2):
        opened = await step(gql, OPEN, firm["token"], id=delivery["id"])
        assert opened["read"] is True and opened["readBy"] == "山东泉城食品有限公司"
    figures = (await step(gql, PACK, staff, id=pack["id"]))["figures"]["total"]
    assert figures == {"targeted": 1, "delivered": 1, "read": 1, "readRate": 1.0}
    me = await inbox(gql, firm["token"])
    assert me["unreadPolicyPacks"] == 1
    assert [e["node"]["read"] for e in me["policyPacks"]["edges"]] == [False, True]  # unread first
    assert pack_ids(me) == [older["id"], pack["id"]]
    assert await Event.filter(stream=f"pack:{pack['id']}", kind="pack.read").count() == 1


async def test_an_agents_read_counts_for_the_enterprise_and_names_the_agent(gql: Any) -> None:
    firm = await company(gql, "370602", "L")
    employee, stranger = await register(gql, name="王小明"), await register(gql)
    await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=firm["token"])
    staff = await supervisor("370600")
    pack = await published(gql, staff, "370602", ["L"])
    [edge] = (await inbox(gql, employee["token"]))["policyPacks"]["edges"]
    assert edge["node"]["enterpriseName"] == "山东泉城食品有限公司"
    refused = await step(gql, OPEN, stranger["token"], id=edge["node"]["id"])
    assert refused == {"__typename": "NotFound", "code": "NOT_FOUND"}
    opened = await step(gql, OPEN, employee["token"], id=edge["node"]["id"])
    assert opened["readBy"] == "王**"
    again = await step(gql, OPEN, firm["token"], id=edge["node"]["id"])
    assert again["readBy"] == "王**"  # the first reader stays
    delivery = await PackDelivery.get(id=int(edge["node"]["id"]))
    assert delivery.read_by_id == int(employee["account"]["id"])
    assert (await step(gql, PACK, staff, id=pack["id"]))["figures"]["total"]["read"] == 1


async def test_a_pushed_pack_is_told_to_the_enterprise_live(gql: Any, settings: Any) -> None:
    firm = await company(gql, "370112", "M")
    answers = await in_process_subscription(settings, INBOX_LIVE, {"after": None}, token=firm["token"])
    waiting = asyncio.ensure_future(answers.__anext__())
    await asyncio.sleep(0.2)
    pack = await published(gql, await supervisor("370100"), "370112", ["M"])
    result = await asyncio.wait_for(waiting, 10)
    assert result.errors is None, result.errors
    event = result.data["policyPackInbox"]
    assert event["kind"] == "pack.pushed" and event["pack"]["id"] == pack["id"] and event["delivery"]["id"]
    await answers.aclose()


# --- field errors ----------------------------------------------------------------------------------------------


async def test_every_bad_field_of_a_pack_is_reported_at_once(gql: Any) -> None:
    staff = await supervisor("370100")
    refused = await step(gql, CREATE, staff, input=draft(
        "3701", ["Z", "H"], title="补贴", summary="太短",
        sections=[{"heading": "谁", "text": "小微企业可以申请。"}, {"heading": "怎么申请", "text": "网上"}],
        links=[{"kind": "BUNDLE", "target": "no-such-bundle"}, {"kind": "DOCUMENT", "target": "http://x.cn/a",
                                                                "title": "通知"}]))
    assert [(e["field"], e["code"]) for e in refused["errors"]] == [
        ("title", "TOO_SHORT"), ("summary", "TOO_SHORT"), ("sections.0.heading", "TOO_SHORT"),
        ("sections.1.text", "TOO_SHORT"), ("regionCode", "BAD_REGION"), ("industries.0", "UNKNOWN_INDUSTRY"),
        ("links.0.target", "UNKNOWN_LINK"), ("links.1.target", "BAD_URL")]


async def test_industries_are_chosen_or_all_not_both_nor_neither(gql: Any) -> None:
    staff = await supervisor("370100")
    neither = await step(gql, CREATE, staff, input=draft("370100", [], allIndustries=False))
    both = await step(gql, CREATE, staff, input=draft("370100", ["H"], allIndustries=True))
    unknown_region = await step(gql, CREATE, staff, input=draft("370199", ["H"]))
    assert neither["errors"] == [{"field": "industries", "code": "REQUIRED"}]
    assert both["errors"] == [{"field": "industries", "code": "INDUSTRIES_OR_ALL"}]
    assert unknown_region["errors"] == [{"field": "regionCode", "code": "UNKNOWN_REGION_CODE"}]


async def test_catalog_links_take_their_names_and_documents_their_titles(gql: Any) -> None:
    staff = await supervisor("370100")
    pack = await step(gql, CREATE, staff, input=draft("370100", ["H"], links=[
        {"kind": "BUNDLE", "target": "open-restaurant"},
        {"kind": "DOCUMENT", "target": "https://www.shandong.gov.cn/policy/1.html", "title": "关于稳岗扩岗的通知"}]))
    assert pack["links"][0]["kind"] == "BUNDLE" and pack["links"][0]["title"]
    assert pack["links"][1] == {"kind": "DOCUMENT", "target": "https://www.shandong.gov.cn/policy/1.html",
                                "title": "关于稳岗扩岗的通知"}


# --- who may publish -------------------------------------------------------------------------------------------


async def test_enterprises_citizens_and_clerks_may_not_publish(gql: Any) -> None:
    firm, citizen = await company(gql, "370102", "H"), await register(gql)
    clerk = await handler("370100-XZSPJ", role=Role.WINDOW_CLERK)
    for token in (firm["token"], citizen["token"], clerk):
        refused = await step(gql, CREATE, token, input=draft("370102", ["H"]))
        assert refused == {"__typename": "PermissionDenied", "code": "PUBLISHERS_ONLY"}
    body = await gql(PACKS, token=clerk)
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_supervisor_publishes_within_their_region_only(gql: Any) -> None:
    county = await supervisor("370102")
    refused = await step(gql, CREATE, county, input=draft("370100", ["H"]))
    assert refused == {"__typename": "PermissionDenied", "code": "OUTSIDE_SCOPE"}
    neighbour = await step(gql, CREATE, county, input=draft("370103", ["H"]))
    assert neighbour["code"] == "OUTSIDE_SCOPE"
    province = await published(gql, await supervisor("370000"), "370102", ["H"])
    seen = [e["node"]["id"] for e in (await step(gql, PACKS, county))["edges"]]
    assert province["id"] in seen  # a pack for their county is the county supervisor's to follow
    other = await supervisor("370103")
    assert province["id"] not in [e["node"]["id"] for e in (await step(gql, PACKS, other))["edges"]]
    assert (await step(gql, PACK, other, id=province["id"])) is None


async def test_a_department_handler_publishes_for_their_department_and_its_region(gql: Any) -> None:
    unit = await handler("370100-SCJGJ")
    pack = await published(gql, unit, "370102", ["H"])
    assert pack["departmentCode"] == "370100-SCJGJ"
    qingdao = await step(gql, CREATE, unit, input=draft("370200", ["H"]))
    assert qingdao["code"] == "OUTSIDE_SCOPE"
    colleague, other_unit = await handler("370100-SCJGJ"), await handler("370100-SWJ")
    assert pack["id"] in [e["node"]["id"] for e in (await step(gql, PACKS, colleague))["edges"]]
    assert (await step(gql, PACK, other_unit, id=pack["id"])) is None
    refused = await step(gql, PUBLISH, other_unit, id=pack["id"], v=1)
    assert refused == {"__typename": "NotFound", "code": "NOT_FOUND"}


# --- versions and idempotency ----------------------------------------------------------------------------------


async def test_the_same_key_composes_one_pack(gql: Any) -> None:
    staff = await supervisor("370100")
    request = draft("370100", ["H"])
    first = await step(gql, CREATE, staff, input=request)
    again = await step(gql, CREATE, staff, input=request)
    assert again["id"] == first["id"]
    reused = await step(gql, CREATE, staff, input={**request, "title": "另一个稳岗扩岗政策服务包"})
    assert reused == {"__typename": "Conflict", "code": "IDEMPOTENCY_KEY_REUSED"}


async def test_a_pack_is_published_once(gql: Any) -> None:
    firm = await company(gql, "370112", "N")
    staff, colleague = await supervisor("370100"), await supervisor("370100")
    created = await step(gql, CREATE, staff, input=draft("370112", ["N"]))
    stale = await step(gql, PUBLISH, staff, id=created["id"], v=7)
    assert stale == {"__typename": "Conflict", "code": "STALE_VERSION"}
    first, retry = await asyncio.gather(step(gql, PUBLISH, staff, id=created["id"], v=1),
                                        step(gql, PUBLISH, staff, id=created["id"], v=1))
    assert first["version"] == retry["version"] == 2 and first["status"] == retry["status"] == "PUBLISHED"
    late = await step(gql, PUBLISH, colleague, id=created["id"], v=1)
    assert late == {"__typename": "Conflict", "code": "INVALID_TRANSITION"}
    assert await PackDelivery.filter(pack_id=int(created["id"])).count() == 1
    assert pack_ids(await inbox(gql, firm["token"])) == [created["id"]]
    assert await Event.filter(stream=f"packs:account:{firm['account']['id']}").count() == 1
