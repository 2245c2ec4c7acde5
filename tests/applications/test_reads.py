"""Who sees an application is one rule, whatever the path a reader comes by; every read by staff is in the
applicant's access log, once per request, naming the department."""

from __future__ import annotations

from typing import Any

import httpx

from portal.audit.models import AuditEntry
from tests.applications.support import ACCEPT, handler, newborn_materials, newborn_values, submit_newborn, task_of
from tests.identity.test_accounts import register
from tests.identity.test_delegation import AUTHORISE, REVOKE_FAMILY

CERTIFICATE = "370100-WJW-001"
WORKLIST = """{ departmentTasks(status: SUBMITTED, first: 100) {
  edges { node { id application { id formValues } } } } }"""
TWICE = """query($id: ID!) {
  a: application(id: $id) { id }
  b: application(id: $id) { formValues tasks { application { formValues } } }
  departmentTasks(first: 100) { edges { node { application { id } } } }
}"""
ACCEPTED = """mutation($id: ID!, $v: Int!) { acceptTask(id: $id, version: $v) {
  ... on Task { status application { formValues } } } }"""
APPLICATION = "query($id: ID!) { application(id: $id) { id formValues } }"
MINE = "{ me { applications(first: 10) { totalCount edges { node { id } } } } }"
ACCESS_LOG = "{ me { accessLog(first: 20) { edges { node { action actorName target department } } } } }"
SUBMIT_FOR = """mutation($input: SubmitBundleApplicationInput!) { submitBundleApplication(input: $input) {
  __typename ... on Application { id } } }"""


async def reads(application_id: str) -> list[AuditEntry]:
    return await AuditEntry.filter(action="data.read", target=f"application:{application_id}").order_by("id")


async def test_a_handler_reading_through_the_worklist_is_in_the_holders_access_log_naming_the_department(
        gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    token = await handler("370100-WJW")
    edges = (await gql(WORKLIST, token=token))["data"]["departmentTasks"]["edges"]
    seen = next(e["node"]["application"] for e in edges if e["node"]["application"]["id"] == application["id"])
    assert seen["formValues"]["mother.idNumber"] == application["formValues"]["mother.idNumber"]
    log = (await gql(ACCESS_LOG, token=citizen["token"]))["data"]["me"]["accessLog"]["edges"]
    assert [e["node"] for e in log] == [{"action": "data.read", "actorName": "经办人",
                                         "target": f"application:{application['id']}", "department": "370100-WJW"}]


async def test_reading_the_same_application_twice_in_one_request_logs_once(gql: Any,
                                                                           client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    token = await handler("370100-WJW")
    body = await gql(TWICE, {"id": application["id"]}, token=token)
    assert body["data"]["a"]["id"] == application["id"] and body["data"]["b"]["formValues"]
    assert [(r.subject_account_id, r.detail) for r in await reads(application["id"])] == [
        (int(citizen["account"]["id"]), {"department": "370100-WJW"})]
    await gql(TWICE, {"id": application["id"]}, token=token)
    assert len(await reads(application["id"])) == 2  # one more request, one more read


async def test_a_handlers_mutation_answer_that_shows_the_application_is_a_read(gql: Any,
                                                                              client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    task = task_of(application, CERTIFICATE)
    accepted = (await gql(ACCEPTED, {"id": task["id"], "v": task["version"]}, token=await handler("370100-WJW")))
    assert accepted["data"]["acceptTask"]["status"] == "ACCEPTED"
    assert [r.detail for r in await reads(application["id"])] == [{"department": "370100-WJW"}]


async def test_the_applicant_reading_their_own_application_is_no_access(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    application = await submit_newborn(gql, client, citizen["token"])
    assert (await gql(APPLICATION, {"id": application["id"]}, token=citizen["token"]))["data"]["application"]
    assert (await gql(MINE, token=citizen["token"]))["data"]["me"]["applications"]["totalCount"] == 1
    assert await reads(application["id"]) == []


async def test_a_family_member_sees_what_they_submitted_only_while_authorised(gql: Any,
                                                                             client: httpx.AsyncClient) -> None:
    mother, father = await register(gql), await register(gql)
    grant = (await gql(AUTHORISE, {"idNumber": father["idNumber"], "bundle": "newborn", "relationship": "配偶"},
                       token=mother["token"]))["data"]["authoriseFamilyMember"]
    submitted = (await gql(SUBMIT_FOR, {"input": {
        "bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE", "idempotencyKey": "for-her",
        "materials": await newborn_materials(client, father["token"]), "applicantId": mother["account"]["id"]}},
        token=father["token"]))["data"]["submitBundleApplication"]
    assert (await gql(APPLICATION, {"id": submitted["id"]}, token=father["token"]))["data"]["application"]
    assert (await gql(MINE, token=father["token"]))["data"]["me"]["applications"]["edges"] == [
        {"node": {"id": submitted["id"]}}]
    await gql(REVOKE_FAMILY, {"id": grant["id"]}, token=mother["token"])
    assert (await gql(APPLICATION, {"id": submitted["id"]}, token=father["token"]))["data"]["application"] is None
    assert (await gql(MINE, token=father["token"]))["data"]["me"]["applications"]["totalCount"] == 0
    assert (await gql(APPLICATION, {"id": submitted["id"]}, token=mother["token"]))["data"]["application"]
