"""The 96178 seat's knowledge base of policy answers: versions (an edit on the version read; two editors at once, one
wins), history, publication and withdrawal; the search that finds a paraphrased question among the answers in force
and no other; who may do what; every bad field at once; an answer on the spot that cites an entry's version, and
the use figure."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest_asyncio

from portal.identity.models import Account, Role
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff
from tests.appeals.test_appeals import HOTLINE, coordinator, step
from tests.appeals.test_grades import TODAY
from tests.applications.support import handler
from tests.identity.test_delegation import enterprise

RESULT = """__typename
  ... on KnowledgeEntry { id version current { number status title phrasings answer basis { title departmentCode url }
                          category regionCode validFrom validUntil action note authorName } }
  ... on FormInvalid { errors { field code } }
  ... on PermissionDenied { code }
  ... on NotFound { code }
  ... on Conflict { code message }"""
CREATE = (f"mutation($input: KnowledgeEntryInput!, $key: String!) {{ createKnowledgeEntry(input: $input, "
          f"idempotencyKey: $key) {{ {RESULT} }} }}")
EDIT = (f"mutation($id: ID!, $base: Int!, $input: KnowledgeEntryInput!, $note: String!) {{ editKnowledgeEntry(id: $id, "
        f"baseVersion: $base, input: $input, note: $note) {{ {RESULT} }} }}")
PUBLISH = f"mutation($id: ID!, $base: Int!) {{ publishKnowledgeEntry(id: $id, baseVersion: $base) {{ {RESULT} }} }}"
WITHDRAW = (f"mutation($id: ID!, $base: Int!, $r: String!) {{ withdrawKnowledgeEntry(id: $id, baseVersion: $base, "
            f"reason: $r) {{ {RESULT} }} }}")
ENTRY = """query($id: ID!) { knowledgeEntry(id: $id) { id version useCount current { title status }
  history { number status title action note authorName } } }"""
SEARCH = """query($q: String!, $c: AppealCategory, $r: String, $n: Int) {
  knowledgeSearch(query: $q, category: $c, regionCode: $r, first: $n) {
    __typename
    ... on KnowledgeHits { hits { score snippet entry { id version current { title answer regionCode } } } }
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code } } }"""
ANSWER = """mutation($id: ID!, $a: String!, $ok: Boolean, $k: ID) {
  answerOnTheSpot(id: $id, answer: $a, callerConsents: $ok, knowledgeEntryId: $k) {
    __typename
    ... on Appeal { status answeredOnTheSpot knowledgeCitation { entryId version { number title } } }
    ... on FormInvalid { errors { field code } }
    ... on Conflict { code } } }"""
CITATION = "query($id: ID!) { appeal(id: $id) { status opinion knowledgeCitation { entryId version { number } } } }"
USES = ("query($f: Date!, $t: Date!) { knowledgeUses(from: $f, to: $t) { uses entry { id current { title } } } }")
LIST = "query($s: KnowledgeStatus) { knowledgeEntries(status: $s, first: 100) { totalCount edges { node { id } } } }"


def answer(**overrides: Any) -> dict[str, Any]:
    """An entry's input: a Jinan answer on forklift inspections (a topic no demo answer has)."""
    return {"title": "叉车定期检验的周期和预约方式", "phrasings": ["叉车多久检验一次", "叉车年检去哪里约"],
            "answer": "叉车等场（厂）内专用机动车辆每年定期检验一次。企业通过“爱山东”特种设备检验预约，检验机构5个工作日内上门。",
            "basisTitle": "《特种设备安全监察条例》", "basisDepartmentCode": "370100-SCJGJ",
            "basisUrl": "https://jnamr.jinan.gov.cn/", "category": "APPROVAL", "regionCode": "370100",
            "validFrom": str(TODAY - timedelta(days=30)), **overrides}


async def created(gql: Any, token: str, **overrides: Any) -> dict[str, Any]:
    entry = await step(gql, CREATE, token, input=answer(**overrides), key=str(uuid.uuid4()))
    assert entry["__typename"] == "KnowledgeEntry", entry
    return entry


async def published(gql: Any, token: str, **overrides: Any) -> dict[str, Any]:
    entry = await created(gql, token, **overrides)
    return await step(gql, PUBLISH, token, id=entry["id"], base=entry["version"])


async def test_every_change_is_a_version_on_the_one_read_and_the_history_keeps_them(gql: Any) -> None:
    seat, other = await coordinator(), await coordinator()
    key = str(uuid.uuid4())
    draft = await step(gql, CREATE, seat, input=answer(), key=key)
    assert (draft["version"], draft["current"]["status"], draft["current"]["action"]) == (1, "DRAFT", "created")
    assert draft["current"]["basis"] == {"title": "《特种设备安全监察条例》", "departmentCode": "370100-SCJGJ",
                                         "url": "https://jnamr.jinan.gov.cn/"}
    assert (await step(gql, CREATE, seat, input=answer(), key=key))["id"] == draft["id"]  # a retry: the same entry
    reused = await step(gql, CREATE, seat, input=answer(title="叉车定期检验的周期（修订）"), key=key)
    assert reused["code"] == "IDEMPOTENCY_KEY_REUSED"

    edited = await step(gql, EDIT, seat, id=draft["id"], base=1, input=answer(title="叉车定期检验的周期、费用和预约"),
                        note="补充检验费用")
    assert (edited["version"], edited["current"]["title"], edited["current"]["note"]) == (
        2, "叉车定期检验的周期、费用和预约", "补充检验费用")
    stale = await step(gql, EDIT, other, id=draft["id"], base=1, input=answer(title="叉车检验"), note="改标题")
    assert stale["code"] == "STALE_VERSION" and "第2版" in stale["message"]

    live = await step(gql, PUBLISH, seat, id=draft["id"], base=2)
    assert (live["version"], live["current"]["status"]) == (3, "PUBLISHED")
    assert (await step(gql, PUBLISH, seat, id=draft["id"], base=3))["code"] == "INVALID_TRANSITION"
    assert (await step(gql, WITHDRAW, seat, id=draft["id"], base=2, r="政策调整"))["code"] == "STALE_VERSION"
    gone = await step(gql, WITHDRAW, other, id=draft["id"], base=3, r="检验改由市场化机构承担")
    assert (gone["version"], gone["current"]["status"], gone["current"]["note"]) == (4, "WITHDRAWN",
                                                                                      "检验改由市场化机构承担")
    refused = await step(gql, EDIT, seat, id=draft["id"], base=4, input=answer(), note="恢复")
    assert refused["code"] == "WITHDRAWN_ENTRY"

    entry = (await gql(ENTRY, {"id": draft["id"]}, token=seat))["data"]["knowledgeEntry"]
    assert [(v["number"], v["status"], v["action"], v["title"]) for v in entry["history"]] == [
        (4, "WITHDRAWN", "withdrawn", "叉车定期检验的周期、费用和预约"),
        (3, "PUBLISHED", "published", "叉车定期检验的周期、费用和预约"),
        (2, "DRAFT", "edited", "叉车定期检验的周期、费用和预约"),
        (1, "DRAFT", "created", "叉车定期检验的周期和预约方式")]
    assert {v["authorName"] for v in entry["history"]} == {"经办人"}
    withdrawn = (await gql(LIST, {"s": "WITHDRAWN"}, token=seat))["data"]["knowledgeEntries"]
    assert draft["id"] in [e["node"]["id"] for e in withdrawn["edges"]]


async def test_two_editors_at_once_one_wins_the_other_is_told(gql: Any) -> None:
    seat, other = await coordinator(), await coordinator()
    entry = await created(gql, seat)
    results = await asyncio.gather(*(
        step(gql, EDIT, token, id=entry["id"], base=1, input=answer(title=title), note="同时修改")
        for token, title in ((seat, "叉车定期检验（甲改）"), (other, "叉车定期检验（乙改）"))))
    assert sorted(r["__typename"] for r in results) == ["Conflict", "KnowledgeEntry"]
    winner = next(r for r in results if r["__typename"] == "KnowledgeEntry")
    loser = next(r for r in results if r["__typename"] == "Conflict")
    assert loser["code"] == "STALE_VERSION"
    history = (await gql(ENTRY, {"id": entry["id"]}, token=seat))["data"]["knowledgeEntry"]["history"]
    assert [v["title"] for v in history] == [winner["current"]["title"], "叉车定期检验的周期和预约方式"]


async def test_bad_entries_are_refused_field_by_field(gql: Any) -> None:
    seat = await coordinator()
    bad = await step(gql, CREATE, seat, key="k", input=answer(
        title="叉车", phrasings=["叉车多久检验一次", "检"], answer="每年一次", basisTitle=" ",
        basisDepartmentCode="370100-NOPE", basisUrl="ftp://example.com/a.pdf", regionCode="37010",
        validFrom=str(TODAY), validUntil=str(TODAY - timedelta(days=1))))
    assert bad["errors"] == [
        {"field": "title", "code": "TOO_SHORT"}, {"field": "phrasings", "code": "TOO_SHORT"},
        {"field": "answer", "code": "TOO_SHORT"}, {"field": "basisTitle", "code": "REQUIRED"},
        {"field": "basisUrl", "code": "BAD_LINK"}, {"field": "basisDepartmentCode", "code": "UNKNOWN_DEPARTMENT"},
        {"field": "regionCode", "code": "BAD_REGION"}, {"field": "validUntil", "code": "ENDS_BEFORE_START"}]
    crowded = await step(gql, CREATE, seat, key="k2", input=answer(
        phrasings=[f"叉车检验问法{n}" for n in range(21)], regionCode="379900", title="叉车\u202e检验周期"))
    assert crowded["errors"] == [{"field": "title", "code": "FORBIDDEN_CHARACTER"},
                                 {"field": "phrasings", "code": "TOO_MANY_PHRASINGS"},
                                 {"field": "regionCode", "code": "BAD_REGION"}]
    entry = await created(gql, seat)
    edit = await step(gql, EDIT, seat, id=entry["id"], base=0, input=answer(answer="短"), note="")
    assert edit["errors"] == [{"field": "baseVersion", "code": "OUT_OF_RANGE"}, {"field": "answer", "code": "TOO_SHORT"},
                              {"field": "note", "code": "REQUIRED"}]
    assert (await step(gql, WITHDRAW, seat, id=entry["id"], base=1, r=""))["errors"] == [
        {"field": "reason", "code": "REQUIRED"}]
    assert (await step(gql, PUBLISH, seat, id="99999999", base=1))["code"] == "NOT_FOUND"
    search = (await gql(SEARCH, {"q": " ", "r": "3701", "n": 0}, token=seat))["data"]["knowledgeSearch"]
    assert search["errors"] == [{"field": "query", "code": "REQUIRED"}, {"field": "regionCode", "code": "BAD_REGION"},
                                {"field": "first", "code": "OUT_OF_RANGE"}]


async def test_the_seat_and_administrators_keep_it_supervisors_read_it_nobody_else(gql: Any) -> None:
    company = await enterprise(gql)
    unit = await handler("370100-SCJGJ")
    supervisor = await handler("370100-SCJGJ", role=Role.SUPERVISOR)
    admin = await handler("370000-DSJJ", role=Role.ADMIN)
    for token in (company["token"], unit, supervisor):
        refused = await step(gql, CREATE, token, input=answer(), key=str(uuid.uuid4()))
        assert refused == {"__typename": "PermissionDenied", "code": "EDITORS_ONLY"}
    for token in (company["token"], unit):
        found = (await gql(SEARCH, {"q": "叉车多久检验一次"}, token=token))["data"]["knowledgeSearch"]
        assert found == {"__typename": "PermissionDenied", "code": "EDITORS_ONLY"}
        denied = await gql(LIST, {}, token=token)
        assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    entry = await published(gql, admin)
    assert entry["current"]["status"] == "PUBLISHED"
    found = (await gql(SEARCH, {"q": "叉车多久检验一次"}, token=supervisor))["data"]["knowledgeSearch"]
    assert found["__typename"] == "KnowledgeHits"
    assert (await step(gql, WITHDRAW, supervisor, id=entry["id"], base=2, r="不再适用"))["code"] == "EDITORS_ONLY"


@pytest_asyncio.fixture
async def demo_answers(database_url: str) -> None:
    """The demo knowledge base (portal/demo/knowledge.yaml) in the session database, written by a 96178 seat."""
    from portal.demo import KNOWLEDGE_EDITOR, seed_demo_knowledge

    if not await Account.exists(username=KNOWLEDGE_EDITOR):
        await create_staff(Passwords("test"), username=KNOWLEDGE_EDITOR, password="Seat-Pass-2115",
                           role=Role.APPEALS_COORDINATOR, department_code=None, region_code="370000",
                           name="96178诉求专席")
    await seed_demo_knowledge()


async def hits(gql: Any, token: str, question: str, **filters: Any) -> list[dict[str, Any]]:
    found = (await gql(SEARCH, {"q": question, **filters}, token=token))["data"]["knowledgeSearch"]
    assert found["__typename"] == "KnowledgeHits", found
    return found["hits"]


def titles(found: list[dict[str, Any]]) -> list[str]:
    return [h["entry"]["current"]["title"] for h in found]


async def test_the_search_finds_a_paraphrased_question(gql: Any, demo_answers: None) -> None:
    seat = await coordinator()
    food = await hits(gql, seat, "咨询一下开一家小餐馆需要办理什么许可证")
    assert titles(food)[0] == "食品经营许可的办理条件和时限"
    assert 0 < food[0]["score"] <= 1 and food[0]["snippet"] in food[0]["entry"]["current"]["answer"]
    assert [h["score"] for h in food] == sorted((h["score"] for h in food), reverse=True)
    assert titles(await hits(gql, seat, "我们公司想评高企，要满足什么要求？"))[0] == "高新技术企业认定的条件和申报时间"
    assert titles(await hits(gql, seat, "公司没有裁员，失业保险的钱能返还吗？"))[0] == "失业保险稳岗返还的条件和到账方式"
    assert titles(await hits(gql, seat, "盖厂房审批要多长时间"))[0] == "工程建设项目审批的阶段和时限"
    rnd = await hits(gql, seat, "研发投入能多扣税吗", c="TAX", n=1)
    assert titles(rnd) == ["研发费用加计扣除"]
    assert "100%" in rnd[0]["snippet"]


async def test_the_search_leaves_out_withdrawn_expired_draft_and_other_regions(gql: Any, demo_answers: None) -> None:
    seat = await coordinator()
    assert "阶段性缓缴社会保险费" not in titles(await hits(gql, seat, "困难企业社保费能缓缴吗", n=20))  # withdrawn
    assert "2022年失业保险稳岗返还（一次性留工培训补助）" not in titles(
        await hits(gql, seat, "一次性留工培训补助怎么领", n=20))  # ended on 2022-12-31
    assert "技术改造项目的设备奖补" not in titles(await hits(gql, seat, "企业买设备搞技术改造有补贴吗", n=20))  # a draft
    qingdao = "青岛市青年人才在青留青补贴"
    assert titles(await hits(gql, seat, "大学生在青岛工作有什么补贴", r="370200"))[0] == qingdao
    assert qingdao not in titles(await hits(gql, seat, "大学生在青岛工作有什么补贴", r="370102", n=20))
    jinan = await hits(gql, seat, "硕士毕业来济南有啥补贴", r="370102")  # a county of Jinan: the city's answers
    assert titles(jinan)[0] == "济南市高校毕业生人才引进补贴（生活补贴和购房补贴）"
    assert {h["entry"]["current"]["regionCode"] for h in jinan} <= {"370000", "370100"}


async def test_a_valid_period_is_kept_to_the_day(gql: Any) -> None:
    seat = await coordinator()
    later = await published(gql, seat, title="叉车检验新规（下月施行）", validFrom=str(TODAY + timedelta(days=1)),
                            phrasings=["叉车检验新规什么时候施行"])
    ending = await published(gql, seat, title="叉车检验过渡期安排（今日截止）", validUntil=str(TODAY),
                             phrasings=["叉车检验过渡期到哪天"])
    found = titles(await hits(gql, seat, "叉车检验新规什么时候施行，过渡期到哪天", n=20))
    assert "叉车检验过渡期安排（今日截止）" in found and "叉车检验新规（下月施行）" not in found
    assert later["current"]["validFrom"] > str(TODAY) and ending["current"]["validUntil"] == str(TODAY)


async def hotline_consultation(gql: Any, seat: str) -> dict[str, Any]:
    company = await enterprise(gql)  # 山东齐鲁运输有限公司, Jinan
    credit_code = (await Account.get(id=int(company["account"]["id"]))).credit_code
    return await step(gql, HOTLINE, seat, input={
        "creditCode": credit_code, "title": "叉车年检预约方式咨询", "kind": "CONSULTATION", "channel": "HOTLINE",
        "content": "来电咨询公司叉车多久检验一次、在哪里预约检验。", "category": "APPROVAL",
        "idempotencyKey": str(uuid.uuid4())})


async def test_an_answer_on_the_spot_cites_the_entry_version_and_counts_as_a_use(gql: Any) -> None:
    seat = await coordinator()
    entry = await published(gql, seat)
    call = await hotline_consultation(gql, seat)
    text = entry["current"]["answer"]
    closed = await step(gql, ANSWER, seat, id=call["id"], a=text, k=entry["id"])
    assert (closed["status"], closed["answeredOnTheSpot"]) == ("CLOSED", True)
    assert closed["knowledgeCitation"] == {"entryId": entry["id"],
                                           "version": {"number": 2, "title": "叉车定期检验的周期和预约方式"}}
    # Edited since: the answer still cites the version it was given from.
    await step(gql, EDIT, seat, id=entry["id"], base=2, input=answer(title="叉车定期检验（2027年起）"), note="新规")
    company_view = (await gql(CITATION, {"id": call["id"]}, token=seat))["data"]["appeal"]
    assert company_view == {"status": "CLOSED", "opinion": text,
                            "knowledgeCitation": {"entryId": entry["id"], "version": {"number": 2}}}
    counted = (await gql(ENTRY, {"id": entry["id"]}, token=seat))["data"]["knowledgeEntry"]
    assert counted["useCount"] == 1
    uses = (await gql(USES, {"f": str(TODAY), "t": str(TODAY)}, token=seat))["data"]["knowledgeUses"]
    assert {"uses": 1, "entry": {"id": entry["id"], "current": {"title": "叉车定期检验（2027年起）"}}} in uses
    assert [u["uses"] for u in uses] == sorted((u["uses"] for u in uses), reverse=True)
    yesterday = str(TODAY - timedelta(days=1))
    before = (await gql(USES, {"f": yesterday, "t": yesterday}, token=seat))["data"]["knowledgeUses"]
    assert entry["id"] not in [u["entry"]["id"] for u in before]


async def test_only_an_answer_in_force_for_the_callers_region_is_cited(gql: Any) -> None:
    seat = await coordinator()
    draft = await created(gql, seat)
    qingdao = await published(gql, seat, regionCode="370200", basisDepartmentCode="370200-XZSPJ")
    call = await hotline_consultation(gql, seat)
    text = "叉车每年定期检验一次，可在爱山东预约。"
    for cited in (draft["id"], qingdao["id"], "99999999", "x"):
        refused = await step(gql, ANSWER, seat, id=call["id"], a=text, k=cited)
        assert refused["errors"] == [{"field": "knowledgeEntryId", "code": "NOT_CITABLE"}], cited
    both = await step(gql, ANSWER, seat, id=call["id"], a="好", ok=False, k=draft["id"])
    assert both["errors"] == [{"field": "answer", "code": "TOO_SHORT"}, {"field": "callerConsents",
                                                                        "code": "CONSENT_REQUIRED"},
                              {"field": "knowledgeEntryId", "code": "NOT_CITABLE"}]
    province = await published(gql, seat, regionCode="370000", basisDepartmentCode="370000-SCJGJ")
    closed = await step(gql, ANSWER, seat, id=call["id"], a=text, k=province["id"])
    assert closed["knowledgeCitation"]["entryId"] == province["id"]  # a province's answer serves Jinan
