"""好差评 over GraphQL: who rates what and when, once; bad reviews, their deadlines and their follow-up."""

from __future__ import annotations

import asyncio
import itertools
import uuid
from datetime import date, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from portal.appeals.models import (
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealStatus,
    AppealUrgency,
)
from portal.audit.models import AuditEntry
from portal.audit.rules import Actor
from portal.calendar_store import load_calendar
from portal.evaluations.models import Evaluation
from portal.evaluations import rules
from portal.identity.models import Account, AccountKind, Role
from portal.identity.passwords import Passwords
from portal.identity.rules import SignedIn, authenticate, create_staff, login, register_enterprise
from portal.problems import FormProblems, InvalidField
from portal.workdays import SHANGHAI, WorkCalendar
from tests.applications.support import ACCEPT, APPROVE, REJECT, handler, submit_newborn, task_of
from tests.helpers import CONTROL_CHARACTERS, new_credit_code, new_id_number, new_phone, reference_number
from tests.identity.test_accounts import register
from tests.test_regions import NOT_REGION_CODES

EVALUATION_FIELDS = """
  __typename
  ... on Evaluation { id targetId rating comment bad departmentCode regionCode returnVisitBy returnVisitAt
                      returnVisitNote rectifyBy rectifiedAt rectificationNote overdueSteps }
  ... on FormInvalid { errors { field code } }
  ... on NotFound { code message }
  ... on Conflict { code message }
  ... on PermissionDenied { code }
"""
EVALUATE = f"mutation($input: EvaluateInput!) {{ evaluate(input: $input) {{ {EVALUATION_FIELDS} }} }}"
RETURN_VISIT = (f"mutation($id: ID!, $note: String!) {{ recordReturnVisit(id: $id, note: $note) "
                f"{{ {EVALUATION_FIELDS} }} }}")
RECTIFICATION = (f"mutation($id: ID!, $note: String!) {{ recordRectification(id: $id, note: $note) "
                 f"{{ {EVALUATION_FIELDS} }} }}")
BAD_REVIEWS = """
query($region: String!, $overdue: Boolean) {
  badReviews(regionCode: $region, overdue: $overdue, first: 100) {
    totalCount edges { node { id targetId rating bad overdueSteps } }
  }
}"""
CERTIFICATE, VACCINATION, HUKOU, INSURANCE, CARD = (
    "370100-WJW-001", "370000-WJW-001", "370100-GAJ-001", "370000-YB-001", "370000-RST-007")
NEWBORN_ORDER = [(CERTIFICATE, "370100-WJW"), (VACCINATION, "370000-WJW"), (HUKOU, "370100-GAJ"),
                 (INSURANCE, "370000-YB"), (CARD, "370000-RST")]
APPLICATION_TASKS = "query($id: ID!) { application(id: $id) { status tasks { id status version item { code } } } }"
_staff = itertools.count(1)
_addresses = itertools.count(1)


async def step(gql: Any, document: str, token: str | None, **variables: Any) -> dict[str, Any]:
    body = await gql(document, variables, token=token)
    assert "errors" not in body, body
    return next(iter(body["data"].values()))


async def evaluate(gql: Any, token: str | None, target: str, rating: int, comment: str | None = None,
                   key: str | None = None) -> dict[str, Any]:
    return await step(gql, EVALUATE, token, input={"targetId": target, "rating": rating, "comment": comment,
                                                   "idempotencyKey": key or str(uuid.uuid4())})


async def approve(gql: Any, token: str, task: dict[str, Any]) -> dict[str, Any]:
    accepted = await step(gql, ACCEPT, token, id=task["id"], v=task["version"])
    return await step(gql, APPROVE, token, id=task["id"], v=accepted["version"], note="已办结")


async def approved_task(gql: Any, http: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any]]:
    """A citizen whose 出生医学证明 task (济南市卫生健康委员会) was approved: (citizen, task)."""
    citizen = await register(gql)
    application = await submit_newborn(gql, http, citizen["token"])
    task = await approve(gql, await handler("370100-WJW"), task_of(application, CERTIFICATE))
    assert task["status"] == "APPROVED"
    return citizen, task


async def supervisor(region: str, role: Role = Role.SUPERVISOR) -> str:
    """A signed-in supervisor (督办) of `region`; returns the token."""
    username = f"supervisor-{region}-{next(_staff)}"
    await create_staff(Passwords("test"), username=username, password="Supervisor-Pass-2115", role=role,
                       department_code=None, region_code=region, name="督办员")
    signed_in = await login(Passwords("test"), Actor(None, "test", f"10.252.{next(_staff) % 250}.1"),
                            username=username, password="Supervisor-Pass-2115")
    return signed_in.token


async def registered_enterprise() -> SignedIn:
    return await register_enterprise(Passwords("test"), Actor(None, "test", f"10.253.{next(_addresses) % 250}.1"),
                                     name="济南鲁味餐饮有限公司", credit_code=new_credit_code(),
                                     legal_representative_id_number=new_id_number(), phone=new_phone(),
                                     password="Enterprise-2115!x")


async def appeal_of(credit_code: str, status: AppealStatus) -> Appeal:
    """An appeal row made directly (the appeals rules are another engineer's), undertaken by 济南市市场监督管理局."""
    return await Appeal.create(
        number=reference_number("S"), credit_code=credit_code, enterprise_name="济南鲁味餐饮有限公司", recorded_by_id=0,
        channel=AppealChannel.ONLINE,
        category=AppealCategory.APPROVAL, urgency=AppealUrgency.GENERAL, title="食品经营许可迟迟未办结",
        content="提交材料已二十个工作日，仍未收到许可决定。", region_code="370100", status=status,
        idempotency_key=str(uuid.uuid4()), request_hash="0" * 64, department_code="370100-SCJGJ")


def shanghai_today() -> date:
    return datetime.now(SHANGHAI).date()


async def test_the_applicant_rates_an_approved_task(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    rated = await evaluate(gql, citizen["token"], f"task:{task['id']}", 5, "  当天就办好了，非常方便  ", key="rate-1")
    assert rated == {"__typename": "Evaluation", "id": rated["id"], "targetId": f"task:{task['id']}", "rating": 5,
                     "comment": "当天就办好了，非常方便", "bad": False, "departmentCode": "370100-WJW",
                     "regionCode": "370100", "returnVisitBy": None, "returnVisitAt": None, "returnVisitNote": None,
                     "rectifyBy": None, "rectifiedAt": None, "rectificationNote": None, "overdueSteps": []}
    row = await Evaluation.get(id=int(rated["id"]))
    assert (row.target_type, row.target_id, row.rater_id) == ("task", int(task["id"]), int(citizen["account"]["id"]))
    entry = await AuditEntry.get(action="evaluation.created", target=f"evaluation:{rated['id']}")
    assert entry.subject_account_id == int(citizen["account"]["id"])
    assert entry.detail == {"target": f"task:{task['id']}", "rating": 5, "idempotencyKey": "rate-1"}


async def test_a_done_application_is_attributed_to_its_first_tasks_department(gql: Any,
                                                                             client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    for item, department in NEWBORN_ORDER:
        current = await step(gql, APPLICATION_TASKS, citizen["token"], id=application["id"])
        if task_of(current, item)["status"] != "APPROVED":  # an item's rule may have decided it (秒批)
            await approve(gql, await handler(department), task_of(current, item))
    assert (await step(gql, APPLICATION_TASKS, citizen["token"], id=application["id"]))["status"] == "DONE"
    rated = await evaluate(gql, citizen["token"], f"application:{application['id']}", 4)
    assert (rated["targetId"], rated["rating"], rated["comment"], rated["bad"]) == (
        f"application:{application['id']}", 4, None, False)
    # The bundle's first item, 出生医学证明, is 济南市卫生健康委员会's.
    assert (rated["departmentCode"], rated["regionCode"]) == ("370100-WJW", "370100")


async def test_only_a_finished_task_or_application_can_be_rated(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    assert await evaluate(gql, citizen["token"], f"task:{task['id']}", 4) == {
        "__typename": "Conflict", "code": "NOT_FINISHED", "message": "该事项尚未办结，办结后才能评价"}
    assert await evaluate(gql, citizen["token"], f"application:{application['id']}", 4) == {
        "__typename": "Conflict", "code": "NOT_FINISHED", "message": "该申请尚未全部办结，办结后才能评价"}
    # 不予办理 finishes a task too; the application is then only partly rejected, so not finished.
    await step(gql, REJECT, await handler("370100-WJW"), id=task["id"], v=task["version"], r="分娩记录不一致")
    assert (await evaluate(gql, citizen["token"], f"task:{task['id']}", 1))["__typename"] == "Evaluation"
    assert (await evaluate(gql, citizen["token"], f"application:{application['id']}", 1))["code"] == "NOT_FINISHED"
    assert await Evaluation.filter(target_type="application", target_id=int(application["id"])).count() == 0


async def test_strangers_staff_and_unknown_targets_find_nothing_to_rate(gql: Any, client: httpx.AsyncClient) -> None:
    _, task = await approved_task(gql, client)
    stranger = await register(gql)
    not_found = {"__typename": "NotFound", "code": "NOT_FOUND", "message": "未找到该评价对象"}
    for token in (stranger["token"], await handler("370100-WJW"), await supervisor("370100")):
        assert await evaluate(gql, token, f"task:{task['id']}", 5) == not_found
    for target in ("task:999999999", "application:999999999", "appeal:999999999", "task:9999999999"):
        assert await evaluate(gql, stranger["token"], target, 5) == not_found
    assert await evaluate(gql, None, f"task:{task['id']}", 5) == {"__typename": "PermissionDenied",
                                                                   "code": "UNAUTHENTICATED"}
    assert await Evaluation.filter(target_type="task", target_id=int(task["id"])).count() == 0


async def test_a_target_id_names_a_task_application_or_appeal_by_number(gql: Any) -> None:
    citizen = await register(gql)
    for target in ("", "task", "task:", "order:1", "task:abc", "task:-1", "task:1.5", " task:1", "TASK:1",
                   "task:١٢", "task:12345678901", "task:1:2"):
        result = await evaluate(gql, citizen["token"], target, 5)
        assert result == {"__typename": "FormInvalid", "errors": [{"field": "targetId", "code": "BAD_TARGET"}]}, target


async def test_rating_comment_and_key_are_checked_all_at_once(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    target = f"task:{task['id']}"
    everything = await evaluate(gql, citizen["token"], "order:1", 0, "慢" * 501, key=" ")
    assert everything == {"__typename": "FormInvalid", "errors": [
        {"field": "targetId", "code": "BAD_TARGET"}, {"field": "rating", "code": "OUT_OF_RANGE"},
        {"field": "comment", "code": "TOO_LONG"}, {"field": "idempotencyKey", "code": "BAD_IDEMPOTENCY_KEY"}]}
    for rating in (0, 6, -1):
        assert (await evaluate(gql, citizen["token"], target, rating))["errors"] == [
            {"field": "rating", "code": "OUT_OF_RANGE"}]
    assert (await evaluate(gql, citizen["token"], target, 3, key="k" * 101))["errors"] == [
        {"field": "idempotencyKey", "code": "BAD_IDEMPOTENCY_KEY"}]
    assert await Evaluation.filter(target_type="task", target_id=int(task["id"])).count() == 0
    longest = await evaluate(gql, citizen["token"], target, 3, "好" * 500, key="k" * 100)
    assert (longest["__typename"], longest["comment"]) == ("Evaluation", "好" * 500)


async def test_rating_again_returns_the_first_and_other_content_is_a_conflict(gql: Any,
                                                                             client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    target = f"task:{task['id']}"
    first = await evaluate(gql, citizen["token"], target, 4, "还可以", key="first")
    again = await evaluate(gql, citizen["token"], target, 4, "还可以", key="retried-with-another-key")
    assert again == first
    for rating, comment in ((2, "还可以"), (4, "其实很慢"), (4, None)):
        assert await evaluate(gql, citizen["token"], target, rating, comment) == {
            "__typename": "Conflict", "code": "ALREADY_EVALUATED", "message": "您已评价过，评价提交后不能修改"}
    assert await Evaluation.filter(target_type="task", target_id=int(task["id"])).count() == 1
    assert await AuditEntry.filter(action="evaluation.created", target=f"evaluation:{first['id']}").count() == 1


async def test_three_identical_evaluations_racing_create_one(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    results = await asyncio.gather(*(evaluate(gql, citizen["token"], f"task:{task['id']}", 5, "好", key="race")
                                     for _ in range(3)))
    assert {r["__typename"] for r in results} == {"Evaluation"}
    assert len({r["id"] for r in results}) == 1
    assert await Evaluation.filter(target_type="task", target_id=int(task["id"])).count() == 1


def test_bad_review_deadlines_skip_national_day_2025() -> None:
    # 2025-10-01..08 off, 2025-10-11 (Saturday) a make-up working day.
    return_visit_by, rectify_by = rules.bad_review_deadlines(WorkCalendar(), date(2025, 9, 30))
    assert return_visit_by.isoformat() == "2025-10-09T23:59:59+08:00"
    assert rectify_by.isoformat() == "2025-10-28T23:59:59+08:00"


async def test_a_bad_review_is_due_a_return_visit_in_1_and_a_rectification_in_15_working_days(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    calendar = await load_calendar()  # what the server counts with: chinese-calendar plus imported years
    before = shanghai_today()
    rated = await evaluate(gql, citizen["token"], f"task:{task['id']}", 2, "窗口让我跑了三趟")
    after = shanghai_today()
    assert rated["bad"] is True and rated["overdueSteps"] == []
    expected = {day: (calendar.deadline(day, 1)[0].isoformat(), calendar.deadline(day, 15)[0].isoformat())
                for day in (before, after)}
    assert (rated["returnVisitBy"], rated["rectifyBy"]) in expected.values()
    row = await Evaluation.get(id=int(rated["id"]))
    assert row.return_visit_by == datetime.fromisoformat(rated["returnVisitBy"])
    assert row.rectify_by == datetime.fromisoformat(rated["rectifyBy"])


async def test_the_rules_count_bad_review_deadlines_from_today_in_shanghai(gql: Any,
                                                                          client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    principal = await authenticate(citizen["token"])
    calendar = WorkCalendar()
    before = shanghai_today()
    row = await rules.evaluate(principal, Actor(principal.account_id, principal.label), calendar,
                               target_id=f"task:{task['id']}", rating=1, comment=None, idempotency_key="direct")
    after = shanghai_today()
    assert (row.return_visit_by, row.rectify_by) in {rules.bad_review_deadlines(calendar, d) for d in (before, after)}


async def test_the_regions_supervisor_records_return_visit_and_rectification_once(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    bad = await evaluate(gql, citizen["token"], f"task:{task['id']}", 1, "材料被退回三次")
    jinan = await supervisor("370100")
    not_found = {"__typename": "NotFound", "code": "NOT_FOUND", "message": "未找到该评价"}
    for outsider in (await supervisor("370200"), citizen["token"], await handler("370100-WJW")):
        assert await step(gql, RETURN_VISIT, outsider, id=bad["id"], note="已回访") == not_found
    assert await step(gql, RETURN_VISIT, jinan, id="999999999", note="已回访") == not_found
    assert await step(gql, RETURN_VISIT, jinan, id="abc", note="已回访") == not_found
    assert (await step(gql, RETURN_VISIT, jinan, id=bad["id"], note="  "))["errors"] == [
        {"field": "note", "code": "REQUIRED"}]
    assert (await step(gql, RETURN_VISIT, jinan, id=bad["id"], note="访" * 1001))["errors"] == [
        {"field": "note", "code": "TOO_LONG"}]

    visited = await step(gql, RETURN_VISIT, jinan, id=bad["id"], note="已电话回访，申请人认可解释")
    assert visited["returnVisitNote"] == "已电话回访，申请人认可解释" and visited["returnVisitAt"] is not None
    assert (visited["rectifiedAt"], visited["rectificationNote"]) == (None, None)
    assert await step(gql, RETURN_VISIT, jinan, id=bad["id"], note="再次回访") == {
        "__typename": "Conflict", "code": "ALREADY_RECORDED", "message": "该差评的回访情况已经登记"}

    province = await supervisor("370000")  # a province's supervisor covers its cities
    rectified = await step(gql, RECTIFICATION, province, id=bad["id"], note="一次性告知清单已上墙")
    assert rectified["rectificationNote"] == "一次性告知清单已上墙" and rectified["rectifiedAt"] is not None
    assert rectified["returnVisitNote"] == "已电话回访，申请人认可解释"
    assert await step(gql, RECTIFICATION, jinan, id=bad["id"], note="再次整改") == {
        "__typename": "Conflict", "code": "ALREADY_RECORDED", "message": "该差评的整改情况已经登记"}

    entries = await AuditEntry.filter(target=f"evaluation:{bad['id']}").order_by("id")
    assert [(e.action, e.subject_account_id) for e in entries] == [
        ("evaluation.created", int(citizen["account"]["id"])),
        ("evaluation.return_visit_recorded", int(citizen["account"]["id"])),
        ("evaluation.rectification_recorded", int(citizen["account"]["id"]))]
    assert entries[2].detail == {"note": "一次性告知清单已上墙"}


async def test_a_good_review_needs_no_follow_up(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    good = await evaluate(gql, citizen["token"], f"task:{task['id']}", 3)
    jinan = await supervisor("370100")
    assert await step(gql, RETURN_VISIT, jinan, id=good["id"], note="回访") == {
        "__typename": "Conflict", "code": "NOT_A_BAD_REVIEW", "message": "该评价不是差评，无需回访"}
    assert await step(gql, RECTIFICATION, jinan, id=good["id"], note="整改") == {
        "__typename": "Conflict", "code": "NOT_A_BAD_REVIEW", "message": "该评价不是差评，无需整改"}


async def test_bad_reviews_lists_the_regions_bad_reviews_newest_first_and_flags_overdue_steps(
        gql: Any, client: httpx.AsyncClient) -> None:
    older_citizen, older_task = await approved_task(gql, client)
    older = await evaluate(gql, older_citizen["token"], f"task:{older_task['id']}", 2, "等了很久")
    citizen, task = await approved_task(gql, client)
    newer = await evaluate(gql, citizen["token"], f"task:{task['id']}", 1, "态度差")
    good_citizen, good_task = await approved_task(gql, client)
    good = await evaluate(gql, good_citizen["token"], f"task:{good_task['id']}", 5)
    jinan = await supervisor("370100")

    def ids(listing: dict[str, Any]) -> list[str]:
        return [e["node"]["id"] for e in listing["edges"]]

    listed = await step(gql, BAD_REVIEWS, jinan, region="370100")
    assert ids(listed).index(newer["id"]) < ids(listed).index(older["id"])
    assert good["id"] not in ids(listed)
    assert all(e["node"]["bad"] for e in listed["edges"])
    assert older["id"] in ids(await step(gql, BAD_REVIEWS, await supervisor("370000"), region="370000"))
    assert older["id"] not in ids(await step(gql, BAD_REVIEWS, await supervisor("370200"), region="370200"))

    assert older["id"] not in ids(await step(gql, BAD_REVIEWS, jinan, region="370100", overdue=True))
    await Evaluation.filter(id=int(older["id"])).update(
        return_visit_by=datetime.now(timezone.utc) - timedelta(minutes=1))
    late = await step(gql, BAD_REVIEWS, jinan, region="370100", overdue=True)
    assert [e["node"] for e in late["edges"] if e["node"]["id"] == older["id"]] == [
        {"id": older["id"], "targetId": f"task:{older_task['id']}", "rating": 2, "bad": True,
         "overdueSteps": ["RETURN_VISIT"]}]
    assert newer["id"] not in ids(late)
    assert older["id"] not in ids(await step(gql, BAD_REVIEWS, jinan, region="370100", overdue=False))

    await Evaluation.filter(id=int(older["id"])).update(rectify_by=datetime.now(timezone.utc) - timedelta(minutes=1))
    visited = await step(gql, RETURN_VISIT, jinan, id=older["id"], note="已上门回访")
    assert visited["overdueSteps"] == ["RECTIFY"]
    await step(gql, RECTIFICATION, jinan, id=older["id"], note="已整改")
    assert older["id"] in ids(await step(gql, BAD_REVIEWS, jinan, region="370100", overdue=False))


async def test_bad_reviews_are_for_the_regions_supervisors_only(gql: Any) -> None:
    citizen = await register(gql)
    for token in (citizen["token"], await supervisor("370200"), await handler("370100-WJW"),
                  await supervisor("370100", Role.WINDOW_CLERK)):
        denied = await gql(BAD_REVIEWS, {"region": "370100"}, token=token)
        assert denied["data"] is None and denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    anonymous = await gql(BAD_REVIEWS, {"region": "370100"})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    bad_region = await gql(BAD_REVIEWS, {"region": "3701"}, token=await supervisor("370000", Role.ADMIN))
    assert bad_region["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": "regionCode"}
    administrator = await gql(BAD_REVIEWS, {"region": "370200"}, token=await supervisor("370000", Role.ADMIN))
    assert "errors" not in administrator  # an administrator sees every region


async def test_the_enterprise_rates_its_closed_or_resolved_appeal_and_strangers_find_nothing(gql: Any) -> None:
    company = await registered_enterprise()
    closed = await appeal_of(company.account.credit_code, AppealStatus.CLOSED)
    rated = await evaluate(gql, company.token, f"appeal:{closed.id}", 2, "拖了很久才解决")
    assert (rated["targetId"], rated["bad"], rated["departmentCode"], rated["regionCode"]) == (
        f"appeal:{closed.id}", True, "370100-SCJGJ", "370100")
    entry = await AuditEntry.get(action="evaluation.created", target=f"evaluation:{rated['id']}")
    assert entry.subject_account_id == company.account.id

    resolved = await appeal_of(company.account.credit_code, AppealStatus.RESOLVED)
    assert (await evaluate(gql, company.token, f"appeal:{resolved.id}", 5))["__typename"] == "Evaluation"
    open_appeal = await appeal_of(company.account.credit_code, AppealStatus.OPINION_GIVEN)
    assert await evaluate(gql, company.token, f"appeal:{open_appeal.id}", 5) == {
        "__typename": "Conflict", "code": "NOT_FINISHED", "message": "该诉求尚未办结，办结后才能评价"}

    other_company, citizen = await registered_enterprise(), await register(gql)
    for token in (other_company.token, citizen["token"]):
        assert await evaluate(gql, token, f"appeal:{closed.id}", 5) == {
            "__typename": "NotFound", "code": "NOT_FOUND", "message": "未找到该评价对象"}
    assert await Evaluation.filter(target_type="appeal", target_id=closed.id).count() == 1


async def test_evaluation_figures_on_a_known_data_set(empty_database: str) -> None:
    from datetime import date as day_type
    from datetime import datetime as moment
    from datetime import timedelta as span

    from portal.evaluations.rules import stats
    from portal.identity.models import Account, AccountKind
    from portal.workdays import SHANGHAI as ZONE

    rater = await Account.create(kind=AccountKind.CITIZEN, name="评价人", password_hash="x",
                                 password_changed_at=moment.now(ZONE))
    at = moment(2026, 4, 1, 9, 0, tzinfo=ZONE)
    rows = [
        (5, None, None), (4, None, None),
        (1, (at + span(hours=5), at + span(days=1)), (at + span(days=3), at + span(days=21))),  # both on time
        (2, (at + span(days=2), at + span(days=1)), (None, at + span(days=21))),  # visit late, rectify overdue
    ]
    for n, (rating, visit, rectify) in enumerate(rows):
        row = await Evaluation.create(target_type="task", target_id=n, rater_id=rater.id, rating=rating,
                                      department_code="370100-WJW", region_code="370102",
                                      return_visit_at=visit[0] if visit else None,
                                      return_visit_by=visit[1] if visit else None,
                                      rectified_at=rectify[0] if rectify else None,
                                      rectify_by=rectify[1] if rectify else None)
        await Evaluation.filter(id=row.id).update(created_at=at)
    assert await stats("370100", day_type(2026, 4, 1), day_type(2026, 4, 30)) == {
        "evaluations": 4, "average_rating": 3.0, "bad_reviews": 2,
        "return_visit_on_time_rate": 0.5, "rectify_on_time_rate": 0.5}
    assert (await stats("370200", day_type(2026, 4, 1), day_type(2026, 4, 30)))["evaluations"] == 0


MY_EVALUATION = "query($target: String!) { myEvaluation(targetId: $target) { targetId rating comment } }"


async def test_a_rater_reads_back_their_own_evaluation_and_nobody_else_sees_it(gql: Any,
                                                                               client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    target = f"task:{task['id']}"
    assert (await gql(MY_EVALUATION, {"target": target}, token=citizen["token"]))["data"]["myEvaluation"] is None
    await evaluate(gql, citizen["token"], target, 4, "办得挺快", key="rate-own")
    mine = await gql(MY_EVALUATION, {"target": target}, token=citizen["token"])
    assert mine["data"]["myEvaluation"] == {"targetId": target, "rating": 4, "comment": "办得挺快"}
    stranger = (await register(gql))["token"]
    assert (await gql(MY_EVALUATION, {"target": target}, token=stranger))["data"]["myEvaluation"] is None
    assert (await gql(MY_EVALUATION, {"target": target}))["data"]["myEvaluation"] is None
    bad = await gql(MY_EVALUATION, {"target": "order:1"}, token=citizen["token"])
    assert bad["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": "targetId"}


# --- bad input -------------------------------------------------------------------------------------------------

STATS = "query($r: String!, $f: Date!, $t: Date!) { evaluationStats(regionCode: $r, from: $f, to: $t) { evaluations } }"
BAD_REGION = {"code": "INVALID_ARGUMENT", "field": "regionCode"}
ACTOR = Actor(None, "test")


async def test_a_region_code_other_than_six_ascii_digits_is_an_invalid_argument(gql: Any) -> None:
    administrator = await supervisor("370000", Role.ADMIN)
    for code in NOT_REGION_CODES:
        for body in (await gql(STATS, {"r": code, "f": "2026-03-01", "t": "2026-03-31"}),
                     await gql(BAD_REVIEWS, {"region": code}, token=administrator)):
            assert body["data"] is None and body["errors"][0]["extensions"] == BAD_REGION, (code, body)


@pytest.mark.parametrize(("first", "last", "field"), [
    ("0001-01-01", "0001-01-31", "from"), ("9999-12-01", "9999-12-31", "from"), ("2026-12-01", "9999-12-31", "to"),
    ("1999-12-31", "2000-01-31", "from")])
async def test_a_day_outside_the_calendars_years_is_an_invalid_argument(gql: Any, first: str, last: str,
                                                                        field: str) -> None:
    body = await gql(STATS, {"r": "370100", "f": first, "t": last})
    assert body["data"] is None and body["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": field}


async def test_a_county_supervisor_lists_the_bad_reviews_of_its_county_only(gql: Any) -> None:
    rater = await Account.create(kind=AccountKind.CITIZEN, name="评价人", password_hash="x",
                                 password_changed_at=datetime.now(SHANGHAI))
    lixia, shizhong = [str((await Evaluation.create(target_type="task", target_id=n, rater_id=rater.id, rating=1,
                                                    department_code="370100-WJW", region_code=region)).id)
                       for n, region in enumerate(("370102", "370103"))]
    county, city = await supervisor("370102"), await supervisor("370100")
    seen = {e["node"]["id"] for e in (await step(gql, BAD_REVIEWS, county, region="370102"))["edges"]}
    assert lixia in seen and shizhong not in seen
    denied = await gql(BAD_REVIEWS, {"region": "370100"}, token=county)
    assert denied["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    seen = {e["node"]["id"] for e in (await step(gql, BAD_REVIEWS, city, region="370100"))["edges"]}
    assert {lixia, shizhong} <= seen


async def test_a_comment_or_note_with_a_control_or_direction_character_is_refused(gql: Any,
                                                                                 client: httpx.AsyncClient) -> None:
    citizen, task = await approved_task(gql, client)
    rater = await authenticate(citizen["token"])
    target = f"task:{task['id']}"
    for character in CONTROL_CHARACTERS:
        with pytest.raises(FormProblems) as refused:
            await rules.evaluate(rater, ACTOR, WorkCalendar(), target_id=target, rating=1,
                                 comment=f"材料被退回三次{character}", idempotency_key=str(uuid.uuid4()))
        assert [(p.field, p.code) for p in refused.value.problems] == [("comment", "FORBIDDEN_CHARACTER")]
    assert await Evaluation.filter(target_type="task", target_id=int(task["id"])).count() == 0
    bad = await evaluate(gql, citizen["token"], target, 1, "材料被退回三次")
    jinan = await authenticate(await supervisor("370100"))
    for character in CONTROL_CHARACTERS:
        for follow_up in (rules.record_return_visit, rules.record_rectification):
            with pytest.raises(InvalidField) as problem:
                await follow_up(jinan, ACTOR, int(bad["id"]), f"已电话回访{character}")
            assert (problem.value.field, problem.value.code) == ("note", "FORBIDDEN_CHARACTER")
    row = await Evaluation.get(id=int(bad["id"]))
    assert (row.return_visit_at, row.rectified_at) == (None, None)
