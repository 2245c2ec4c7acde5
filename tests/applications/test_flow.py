"""一件事一次办 over GraphQL: submit, the graph, every transition and refusal, idempotency, visibility."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from portal.applications import rules
from portal.applications.models import Application, Task
from portal.applications.rules import promised_deadline
from portal.audit.models import AuditEntry
from portal.audit.rules import Actor
from portal.catalog.models import Terminal
from portal.identity.numbers import check_id_number
from portal.events import Event, hub
from portal.identity.models import AccountKind, Role
from portal.identity.principal import Principal
from portal.lutong.models import Certificate
from portal.problems import Refused
from portal.workdays import WorkCalendar
from tests.applications.support import (
    ACCEPT,
    APPLICATION,
    APPROVE,
    REJECT,
    SUBMIT,
    SUPPLEMENT,
    handler,
    newborn_materials,
    newborn_values,
    submit_newborn,
    task_of,
    upload,
)
from tests.identity.test_accounts import register
from tests.identity.test_delegation import AUTHORISE, enterprise

CERTIFICATE, VACCINATION, HUKOU, INSURANCE, CARD = (
    "370100-WJW-001", "370000-WJW-001", "370100-GAJ-001", "370000-YB-001", "370000-RST-007")
SUPPLEMENT_APPLICATION = """
mutation($id: ID!, $values: JSON!, $key: String!) {
  supplementApplication(id: $id, formValues: $values, idempotencyKey: $key) {
    __typename ... on Application { status tasks { status version item { code } } formValues }
    ... on FormInvalid { errors { field code } } ... on Conflict { code } ... on NotFound { code }
  }
}"""
MY_APPLICATIONS = "{ me { applications(first: 10) { totalCount edges { node { id status bundle { code } } } } } }"
WORKLIST = """
query($status: TaskStatus, $overdue: Boolean) {
  departmentTasks(status: $status, overdue: $overdue, first: 50) { totalCount edges { node { id status overdue
    application { id } } } }
}"""


async def step(gql: Any, document: str, token: str, **variables: Any) -> dict[str, Any]:
    body = await gql(document, variables, token=token)
    return next(iter(body["data"].values()))


async def test_submission_starts_independent_items_and_waits_the_others(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    before = datetime.now(timezone.utc)
    application = await submit_newborn(gql, client, citizen["token"])
    assert application["status"] == "IN_PROGRESS" and application["channel"] == "MOBILE"
    statuses = {t["item"]["code"]: t["status"] for t in application["tasks"]}
    assert statuses == {CERTIFICATE: "SUBMITTED", VACCINATION: "SUBMITTED", HUKOU: "WAITING",
                        INSURANCE: "WAITING", CARD: "WAITING"}
    deadline, _ = promised_deadline(WorkCalendar(), 3, before)  # 出生医学证明: promised in 3 working days
    assert datetime.fromisoformat(task_of(application, CERTIFICATE)["deadline"]) == deadline
    assert task_of(application, HUKOU)["deadline"] is None
    assert task_of(application, HUKOU)["prerequisites"] == [CERTIFICATE]
    assert {t["departmentCode"] for t in application["tasks"]} == {"370100-WJW", "370000-WJW", "370100-GAJ",
                                                                     "370000-YB", "370000-RST"}
    # The profile filled what the citizen did not send.
    assert application["formValues"]["applicant.idNumber"] == citizen["idNumber"]
    assert application["formValues"]["applicant.phone"] == citizen["phone"]
    assert {m["code"]: m["source"] for m in application["materials"]} == {
        "birth-medical-record": "UPLOAD", "resident-id-card": "UPLOAD", "newborn-vaccination-record": "UPLOAD",
        "household-register": "UPLOAD"}
    events = await Event.filter(stream=f"application:{application['id']}").order_by("seq")
    assert [(e.seq, e.kind) for e in events] == [(1, "application.submitted")]
    await hub().marks.flush()  # published at once; the row's mark is written with the next batch
    assert (await Event.get(id=events[0].id)).published_at is not None


async def test_every_problem_of_form_and_materials_at_once(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    values = newborn_values(**{"child.gender": "BOY", "child.birthDate": "2999-01-01", "mother.idNumber": "123",
                               "child.ethnicity": "汉", "favourite.colour": "红"})
    del values["household.address"]
    body = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": values, "channel": "MOBILE",
                                        "idempotencyKey": "k1", "materials": [
                                            {"code": "birth-medical-record",
                                             "fileId": await upload(client, citizen["token"])},
                                            {"code": "x-ray", "fileId": str(uuid.uuid4())}]}},
                     token=citizen["token"])
    errors = [(e["field"], e["code"]) for e in body["data"]["submitBundleApplication"]["errors"]]
    assert errors == [
        ("child.gender", "UNKNOWN_OPTION"), ("child.birthDate", "DATE_IN_FUTURE"), ("mother.idNumber", "BAD_LENGTH"),
        ("child.ethnicity", "BAD_FORMAT"), ("household.address", "REQUIRED"), ("favourite.colour", "UNKNOWN_FIELD"),
        ("materials.x-ray", "UNKNOWN_MATERIAL"), ("materials.resident-id-card", "MATERIAL_REQUIRED"),
        ("materials.newborn-vaccination-record", "MATERIAL_REQUIRED"),
        ("materials.household-register", "MATERIAL_REQUIRED")]
    assert await Application.filter(submitted_by_id=int(citizen["account"]["id"])).count() == 0


async def test_someone_elses_file_is_not_a_material(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, other = await register(gql), await register(gql)
    materials = await newborn_materials(client, citizen["token"])
    materials[0]["fileId"] = await upload(client, other["token"])
    body = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
                                        "idempotencyKey": "k", "materials": materials}}, token=citizen["token"])
    assert [(e["field"], e["code"]) for e in body["data"]["submitBundleApplication"]["errors"]] == [
        ("materials.birth-medical-record", "UNKNOWN_FILE")]


async def test_the_same_key_returns_the_first_application(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    materials = await newborn_materials(client, citizen["token"])
    values = newborn_values()
    request = {"input": {"bundleCode": "newborn", "formValues": values, "channel": "MOBILE",
                         "idempotencyKey": "retry-after-drop", "materials": materials}}
    first = (await gql(SUBMIT, request, token=citizen["token"]))["data"]["submitBundleApplication"]
    again = (await gql(SUBMIT, request, token=citizen["token"]))["data"]["submitBundleApplication"]
    assert again["id"] == first["id"]
    changed = {"input": {**request["input"], "formValues": {**values, "child.name": "张二宝"}}}
    conflict = (await gql(SUBMIT, changed, token=citizen["token"]))["data"]["submitBundleApplication"]
    assert conflict == {"__typename": "Conflict", "code": "IDEMPOTENCY_KEY_REUSED",
                        "message": "该请求标识已用于另一份不同的申请"}
    assert await Application.filter(idempotency_key="retry-after-drop").count() == 1


async def test_two_identical_requests_racing_create_one_application(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    request = {"input": {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
                         "idempotencyKey": "raced", "materials": await newborn_materials(client, citizen["token"])}}
    results = await asyncio.gather(*(gql(SUBMIT, request, token=citizen["token"]) for _ in range(5)))
    ids = {r["data"]["submitBundleApplication"]["id"] for r in results}
    assert len(ids) == 1
    assert await Application.filter(idempotency_key="raced", submitted_by_id=int(citizen["account"]["id"])).count() == 1


async def test_a_terminal_the_bundle_is_not_offered_on_is_refused(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    body = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "TV",
                                        "idempotencyKey": "tv", "materials": await newborn_materials(
                                            client, citizen["token"])}}, token=citizen["token"])
    assert [(e["field"], e["code"]) for e in body["data"]["submitBundleApplication"]["errors"]] == [
        ("channel", "CHANNEL_NOT_OFFERED")]


async def test_an_enterprise_cannot_apply_for_a_citizens_bundle(gql: Any) -> None:
    company = await enterprise(gql)
    body = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": {}, "channel": "MOBILE",
                                        "idempotencyKey": "e"}}, token=company["token"])
    assert body["data"]["submitBundleApplication"]["code"] == "AUDIENCE_MISMATCH"
    anonymous = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": {}, "channel": "MOBILE",
                                             "idempotencyKey": "e"}})
    assert anonymous["data"]["submitBundleApplication"]["code"] == "UNAUTHENTICATED"


async def test_a_consented_applicant_that_does_not_exist_is_not_found(database_url: str) -> None:
    # Only server code passes consented=True (a verified 鲁通码 scan); even so, no account means no application.
    clerk = Principal(account_id=1, kind=AccountKind.STAFF, name="窗口", role=Role.WINDOW_CLERK,
                      department_code=None, region_code="370100", session_id=1,
                      expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
    with pytest.raises(Refused) as refused:
        await rules.submit(clerk, Actor(1, "staff:1"), WorkCalendar(), rules.BundleApplication(
            bundle_code="newborn", form_values=newborn_values(), materials=(), channel=Terminal.WINDOW,
            idempotency_key="no-such-applicant", applicant_id=2**31 - 1), consented=True)
    assert (refused.value.kind, refused.value.code) == ("NOT_FOUND", "NO_SUCH_APPLICANT")


async def test_the_chain_runs_to_done_issuing_licences_on_the_way(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    tokens = {code: await handler(code) for code in
              ("370100-WJW", "370000-WJW", "370100-GAJ", "370000-YB", "370000-RST")}
    order = [(CERTIFICATE, "370100-WJW"), (VACCINATION, "370000-WJW"), (HUKOU, "370100-GAJ"),
             (INSURANCE, "370000-YB"), (CARD, "370000-RST")]
    for item, department in order:
        current = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
        task = task_of(current, item)
        if item == INSURANCE and task["status"] == "APPROVED":
            continue  # 秒批: the demo catalog's rule insures a newborn of Shandong parents the moment 出生登记 is done
        assert task["status"] == "SUBMITTED", (item, current["tasks"])
        accepted = await step(gql, ACCEPT, tokens[department], id=task["id"], v=task["version"])
        assert (accepted["status"], accepted["version"]) == ("ACCEPTED", task["version"] + 1)
        approved = await step(gql, APPROVE, tokens[department], id=task["id"], v=accepted["version"], note="已办结")
        assert (approved["status"], approved["note"]) == ("APPROVED", "已办结")
        if item == CERTIFICATE:
            after = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"][
                "application"]
            assert task_of(after, HUKOU)["status"] == "SUBMITTED" and task_of(after, HUKOU)["deadline"]
            assert task_of(after, INSURANCE)["status"] == "WAITING"
            issued = {m["code"]: m for m in after["materials"] if m["source"] == "ISSUED"}
            assert issued["birth-medical-certificate"]["certificateType"] == "BIRTH_MEDICAL_CERTIFICATE"
    done = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
    assert done["status"] == "DONE"
    held = await Certificate.filter(holder_id=int(citizen["account"]["id"])).values_list("type_code", flat=True)
    assert sorted(held) == ["BIRTH_MEDICAL_CERTIFICATE", "HOUSEHOLD_REGISTER", "SOCIAL_SECURITY_CARD",
                            "VACCINATION_CERTIFICATE"]
    birth = await Certificate.get(holder_id=int(citizen["account"]["id"]), type_code="BIRTH_MEDICAL_CERTIFICATE")
    assert birth.data["child.name"] == application["formValues"]["child.name"]
    # 出生登记 issued the child's identity number: registering region, birth date, an odd order code (a boy).
    issued_number = done["formValues"]["child.idNumber"]
    assert check_id_number(issued_number) == issued_number
    born = application["formValues"]["child.birthDate"].replace("-", "")
    assert issued_number[:14] == "370100" + born and int(issued_number[16]) % 2 == 1
    hukou = await Certificate.get(holder_id=int(citizen["account"]["id"]), type_code="HOUSEHOLD_REGISTER")
    assert hukou.data["child.idNumber"] == issued_number
    kinds = await Event.filter(stream=f"application:{application['id']}").order_by("seq").values_list("seq", "kind")
    assert [seq for seq, _ in kinds] == list(range(1, len(kinds) + 1))
    assert kinds[0][1] == "application.submitted" and kinds[-1][1] == "task.approved"
    assert sum(kind == "task.submitted" for _, kind in kinds) == 3  # 出生登记, then 医保 and 社保卡


async def test_the_diamond_join_starts_only_when_both_branches_are_done(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    values = {"vehicle.plateNumber": "鲁AD12345", "connection.address": "济南市历下区龙奥北路8号地下车库",
              "chargingPile.parkingSpace": "B2-117", "chargingPile.power": "AC_7KW"}
    body = await gql(SUBMIT, {"input": {"bundleCode": "ev-charging-pile", "channel": "MOBILE", "idempotencyKey": "p0",
                                        "formValues": values, "materials": []}}, token=citizen["token"])
    assert [(e["field"], e["code"]) for e in body["data"]["submitBundleApplication"]["errors"]] == [
        ("materials.resident-id-card", "MATERIAL_REQUIRED"), ("materials.vehicle-license", "MATERIAL_REQUIRED"),
        ("materials.parking-space-proof", "MATERIAL_REQUIRED")]
    materials = [{"code": code, "fileId": await upload(client, citizen["token"])}
                 for code in ("resident-id-card", "vehicle-license", "parking-space-proof")]
    body = await gql(SUBMIT, {"input": {"bundleCode": "ev-charging-pile", "channel": "MOBILE", "idempotencyKey": "p1",
                                        "formValues": values, "materials": materials}}, token=citizen["token"])
    application = body["data"]["submitBundleApplication"]
    land, vehicle, connection = "370000-ZRZYT-001", "370000-GAT-005", "370000-GWDL-001"
    assert task_of(application, connection)["prerequisites"] == [land, vehicle]
    for item, department in ((land, "370000-ZRZYT"), (vehicle, "370000-GAT")):
        task = task_of(application, item)
        token = await handler(department)
        accepted = await step(gql, ACCEPT, token, id=task["id"], v=task["version"])
        await step(gql, APPROVE, token, id=task["id"], v=accepted["version"])
        current = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
        expected = "WAITING" if item == land else "SUBMITTED"
        assert task_of(current, connection)["status"] == expected, item


async def test_handlers_of_other_departments_and_citizens_find_nothing(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    for token in (await handler("370100-GAJ"), citizen["token"], await handler("370100-WJW", role=Role.SUPERVISOR)):
        assert await step(gql, ACCEPT, token, id=task["id"], v=task["version"]) == {"__typename": "NotFound",
                                                                                    "code": "NOT_FOUND"}
    assert (await gql(ACCEPT, {"id": task["id"], "v": 1}))["data"]["acceptTask"]["code"] == "UNAUTHENTICATED"
    assert (await gql(ACCEPT, {"id": "nope", "v": 1}, token=citizen["token"]))["data"]["acceptTask"][
        "code"] == "NOT_FOUND"


async def test_stale_versions_and_wrong_states_are_conflicts(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    task = task_of(await submit_newborn(gql, client, citizen["token"]), CERTIFICATE)
    token = await handler("370100-WJW")
    early = await step(gql, APPROVE, token, id=task["id"], v=task["version"])
    assert early == {"__typename": "Conflict", "code": "INVALID_TRANSITION",
                     "message": "该事项当前状态为“已提交”，不能办结"}
    accepted = await step(gql, ACCEPT, token, id=task["id"], v=task["version"])
    stale = await step(gql, APPROVE, token, id=task["id"], v=task["version"])
    assert stale == {"__typename": "Conflict", "code": "STALE_VERSION",
                     "message": f"该事项已被更新（当前版本 {accepted['version']}），请刷新后再操作"}
    no_reason = await step(gql, REJECT, token, id=task["id"], v=accepted["version"], r="  ")
    assert no_reason == {"__typename": "FormInvalid", "errors": [{"field": "reason", "code": "REQUIRED"}]}


async def test_two_handlers_acting_at_once_get_one_success_and_one_conflict(gql: Any,
                                                                           client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    task = task_of(await submit_newborn(gql, client, citizen["token"]), CERTIFICATE)
    first, second = await handler("370100-WJW"), await handler("370100-WJW")
    results = await asyncio.gather(step(gql, ACCEPT, first, id=task["id"], v=task["version"]),
                                   step(gql, REJECT, second, id=task["id"], v=task["version"], r="材料不全"))
    assert sorted(r["__typename"] for r in results) == ["Conflict", "Task"]
    assert (await Task.get(id=int(task["id"]))).version == task["version"] + 1


async def test_rejection_blocks_dependants_and_partly_rejects(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    rejected = await step(gql, REJECT, await handler("370100-WJW"), id=task["id"], v=task["version"],
                          r="分娩记录与医院存档不一致")
    assert (rejected["status"], rejected["note"]) == ("REJECTED", "分娩记录与医院存档不一致")
    current = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
    assert current["status"] == "PARTLY_REJECTED"
    vaccination = task_of(current, VACCINATION)
    rejected = await step(gql, REJECT, await handler("370000-WJW"), id=vaccination["id"], v=vaccination["version"],
                          r="重复建证")
    current = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
    assert current["status"] == "REJECTED"


async def test_supplement_round_trip(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    token = await handler("370100-WJW")
    unknown = await step(gql, SUPPLEMENT, token, id=task["id"], v=task["version"], f=["shoe.size"], m=[])
    assert unknown["errors"] == [{"field": "fields", "code": "UNKNOWN_FIELD"}]
    asked = await step(gql, SUPPLEMENT, token, id=task["id"], v=task["version"], f=["child.birthPlace"], m=[],
                       msg="出生地点请写到医院全称")
    assert asked["status"] == "SUPPLEMENT_REQUIRED"
    assert asked["supplement"] == {"fields": ["child.birthPlace"], "materials": [], "message": "出生地点请写到医院全称"}
    current = (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
    assert current["status"] == "NEEDS_SUPPLEMENT"
    wrong = await step(gql, SUPPLEMENT_APPLICATION, citizen["token"], id=application["id"],
                       values={"child.name": "张大宝"}, key="s1")
    assert wrong["errors"] == [{"field": "child.name", "code": "NOT_REQUESTED"},
                               {"field": "child.birthPlace", "code": "REQUIRED"}]
    fixed = await step(gql, SUPPLEMENT_APPLICATION, citizen["token"], id=application["id"],
                       values={"child.birthPlace": "济南市妇幼保健院（建设路院区）"}, key="s2")
    assert fixed["status"] == "IN_PROGRESS"
    assert fixed["formValues"]["child.birthPlace"] == "济南市妇幼保健院（建设路院区）"
    again = await step(gql, SUPPLEMENT_APPLICATION, citizen["token"], id=application["id"],
                       values={"child.birthPlace": "济南市妇幼保健院（建设路院区）"}, key="s2")
    assert again["__typename"] == "Application"
    assert task_of(fixed, CERTIFICATE)["status"] == "SUBMITTED"
    assert task_of(fixed, CERTIFICATE)["version"] == asked["version"] + 1
    nothing = await step(gql, SUPPLEMENT_APPLICATION, citizen["token"], id=application["id"],
                         values={"child.birthPlace": "x"}, key="s3")
    assert nothing == {"__typename": "Conflict", "code": "NOTHING_TO_SUPPLEMENT"}


async def test_who_sees_an_application(gql: Any, client: httpx.AsyncClient) -> None:
    citizen, stranger = await register(gql), await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    assert (await gql(APPLICATION, {"id": application["id"]}, token=stranger["token"]))["data"]["application"] is None
    assert (await gql(APPLICATION, {"id": application["id"]}))["data"]["application"] is None
    assert (await gql(APPLICATION, {"id": application["id"]}, token=await handler("370100-ZJJ")))["data"][
        "application"] is None
    seen = (await gql(APPLICATION, {"id": application["id"]}, token=await handler("370100-GAJ")))["data"]
    assert seen["application"]["id"] == application["id"]
    log = (await gql("{ me { accessLog { edges { node { action target } } } } }", token=citizen["token"]))
    assert log["data"]["me"]["accessLog"]["edges"][0]["node"] == {"action": "data.read",
                                                                  "target": f"application:{application['id']}"}
    mine = (await gql(MY_APPLICATIONS, token=citizen["token"]))["data"]["me"]["applications"]
    assert mine["totalCount"] == 1 and mine["edges"][0]["node"]["bundle"]["code"] == "newborn"
    assert (await gql(MY_APPLICATIONS, token=stranger["token"]))["data"]["me"]["applications"]["totalCount"] == 0


async def test_a_family_member_applies_on_the_grantors_behalf(gql: Any, client: httpx.AsyncClient) -> None:
    mother, father = await register(gql), await register(gql)
    await gql(AUTHORISE, {"idNumber": father["idNumber"], "bundle": "newborn", "relationship": "配偶"},
              token=mother["token"])
    request = {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE", "idempotencyKey": "fam",
               "materials": await newborn_materials(client, father["token"]), "applicantId": mother["account"]["id"]}
    result = (await gql(SUBMIT, {"input": request}, token=father["token"]))["data"]["submitBundleApplication"]
    assert result["__typename"] == "Application"
    assert result["formValues"]["applicant.idNumber"] == mother["idNumber"]
    retirement = {**request, "bundleCode": "retirement", "idempotencyKey": "fam2"}
    refused = (await gql(SUBMIT, {"input": retirement}, token=father["token"]))["data"]["submitBundleApplication"]
    assert refused["code"] == "NOT_AUTHORISED"
    seen = (await gql(APPLICATION, {"id": result["id"]}, token=mother["token"]))["data"]["application"]
    assert seen["applicant"]["displayName"] == "张三"


async def test_worklist_shows_the_departments_tasks_and_flags_overdue_ones(gql: Any,
                                                                          client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    token = await handler("370000-WJW")
    task = task_of(application, VACCINATION)
    listed = (await gql(WORKLIST, {"status": "SUBMITTED"}, token=token))["data"]["departmentTasks"]
    assert task["id"] in [e["node"]["id"] for e in listed["edges"]]
    await Task.filter(id=int(task["id"])).update(deadline=datetime.now(timezone.utc) - timedelta(minutes=1))
    late = (await gql(WORKLIST, {"overdue": True}, token=token))["data"]["departmentTasks"]
    assert [e["node"] for e in late["edges"] if e["node"]["id"] == task["id"]] == [
        {"id": task["id"], "status": "SUBMITTED", "overdue": True, "application": {"id": application["id"]}}]
    on_time = (await gql(WORKLIST, {"overdue": False}, token=token))["data"]["departmentTasks"]
    assert task["id"] not in [e["node"]["id"] for e in on_time["edges"]]
    denied = await gql(WORKLIST, {}, token=citizen["token"])
    assert denied["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_a_handler_of_another_department_can_neither_list_open_nor_act_on_a_task(
        gql: Any, client: httpx.AsyncClient) -> None:
    """部门隔离: what the workbench shows a handler is what the API allows — another department's task is in no
    worklist of theirs, its application is not found, and every action on it is NOT_FOUND and changes nothing."""
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    outsider = await handler("370100-ZJJ")  # 市住建局: no task in the newborn bundle
    for status in (None, "SUBMITTED"):
        listed = (await gql(WORKLIST, {"status": status}, token=outsider))["data"]["departmentTasks"]
        assert task["id"] not in [e["node"]["id"] for e in listed["edges"]]
        assert application["id"] not in [e["node"]["application"]["id"] for e in listed["edges"]]
    assert (await gql(APPLICATION, {"id": application["id"]}, token=outsider))["data"]["application"] is None
    not_found = {"__typename": "NotFound", "code": "NOT_FOUND"}
    assert await step(gql, ACCEPT, outsider, id=task["id"], v=task["version"]) == not_found
    assert await step(gql, APPROVE, outsider, id=task["id"], v=task["version"]) == not_found
    assert await step(gql, REJECT, outsider, id=task["id"], v=task["version"], r="不符合条件") == not_found
    assert await step(gql, SUPPLEMENT, outsider, id=task["id"], v=task["version"], f=["child.name"]) == not_found
    row = await Task.get(id=int(task["id"]))
    assert (row.status.value, row.version) == ("SUBMITTED", task["version"])
    assert not await AuditEntry.filter(subject_account_id=int(citizen["account"]["id"]), action="data.read").exists()
    # The handler of the task's own department does all of it.
    wjw = await handler("370100-WJW")
    assert task["id"] in [e["node"]["id"] for e in (await gql(WORKLIST, {"status": "SUBMITTED"}, token=wjw))[
        "data"]["departmentTasks"]["edges"]]
    assert (await step(gql, ACCEPT, wjw, id=task["id"], v=task["version"]))["status"] == "ACCEPTED"
