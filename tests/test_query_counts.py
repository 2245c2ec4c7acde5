"""Lists cost the same number of queries at any length (Saleor-style counts): each list below is read with N and
with 2N rows, and the statement counts must be equal. The submission's own count is held too (the README's
"ten statements")."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from portal.identity.models import Role
from tests.appeals.test_appeals import ASSIGN, CONTACT, file, step
from tests.applications.support import APPLICATION, SUBMIT, handler, newborn_materials, newborn_values, submit_newborn
from tests.helpers import count_queries
from tests.identity.test_accounts import register
from tests.identity.test_delegation import enterprise

TASKS = """{ departmentTasks(first: 50) { totalCount edges { node { id status deadline overdue item { code name }
  application { id status bundle { code name } applicant { displayName } tasks { id status } } } } } }"""
MY_APPLICATIONS = """{ me { applications(first: 50) { totalCount edges { node { id status channel bundle { name }
  tasks { id status item { code } } materials { code source } } } } } }"""
MY_APPEALS = """{ me { appeals(first: 50) { totalCount edges { node { id status title
  attachments { fileId name } steps { action actor actorName } } } } } }"""


async def statements(gql: Any, document: str, token: str) -> int:
    await gql("{ me { account { id } } }", token=token)  # the session is looked up once, then remembered a while
    with count_queries() as counter:
        body = await gql(document, token=token)
    assert "errors" not in body, body
    return len(of_the_request(counter.statements))


def of_the_request(statements: list[str]) -> list[str]:
    """The statements of the request: the outbox publisher marks the previous submission's events published in
    the background, whenever it gets to it."""
    return [s for s in statements if not s.startswith('UPDATE "event" SET "published_at"')]


async def test_a_department_worklist_costs_the_same_at_any_length(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    clerk = await handler("370100-WJW")
    await submit_newborn(gql, client, citizen["token"])
    counts = []
    for more in (1, 2):
        for _ in range(more):
            await submit_newborn(gql, client, citizen["token"])
        counts.append(await statements(gql, TASKS, clerk))
    assert counts[0] == counts[1], counts


async def test_my_applications_cost_the_same_at_any_length(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    counts = []
    for more in (2, 2):
        for _ in range(more):
            await submit_newborn(gql, client, citizen["token"])
        counts.append(await statements(gql, MY_APPLICATIONS, citizen["token"]))
    assert counts[0] == counts[1], counts


async def test_my_appeals_with_steps_and_attachments_cost_the_same_at_any_length(gql: Any) -> None:
    company = await enterprise(gql)
    coordinator = await handler("370000-DSJJ", role=Role.APPEALS_COORDINATOR)
    unit = await handler("370100-SCJGJ")
    counts = []
    for more in (2, 2):
        for _ in range(more):
            appeal = await file(gql, company["token"])
            await step(gql, ASSIGN, coordinator, id=appeal["id"], d="370100-SCJGJ")
            await step(gql, CONTACT, unit, id=appeal["id"])
        counts.append(await statements(gql, MY_APPEALS, company["token"]))
    assert counts[0] == counts[1], counts


async def test_a_submission_runs_twelve_statements(gql: Any, client: httpx.AsyncClient) -> None:
    """The README's figure: the replay check, the applicant, the prefill's licences, the uploads, the person's
    earlier applications of the bundle (a likely duplicate), the reference number's counter, the application, its tasks, its materials, its event, the audit head and entry (BEGIN/COMMIT are not counted here)."""
    citizen = await register(gql)
    materials = await newborn_materials(client, citizen["token"])
    await submit_newborn(gql, client, citizen["token"])  # the catalog's part is cached from here on
    variables = {"input": {"bundleCode": "newborn", "formValues": newborn_values(), "channel": "MOBILE",
                           "materials": materials, "idempotencyKey": str(uuid.uuid4())}}
    with count_queries() as counter:
        body = await gql(SUBMIT, variables, token=citizen["token"])
    assert body["data"]["submitBundleApplication"]["__typename"] == "Application", body
    statements = of_the_request(counter.statements)
    # Every request first asks whether the public data changed (one read of the versions, api/public.py).
    versions = [s for s in statements if s.startswith('SELECT "name" "0","version" "1" FROM "public_version"')]
    assert len(versions) == 1
    # On PostgreSQL the writers take turns at the audit chain's head by an advisory lock (audit/rules.py).
    turns = [s for s in statements if s.startswith("SELECT pg_advisory_xact_lock")]
    assert len(statements) - len(versions) - len(turns) == 12, "\n".join(statements)


APPLY_FORM = """query ApplyBundle($code: String!) { bundle(code: $code) { code name audience channels
  items { item { code name issues } }
  form { fields { key label type required hint options { value label } validation { multiline } value prefilledFrom }
         materials { code name required issuedBy certificateType { code name } heldLicence { name number } } } }
  me { certificates { type name } } }"""
MY_APPLICATIONS_PAGE = """{ me { applications(first: 20) { totalCount pageInfo { hasNextPage endCursor }
  edges { node { id number status createdAt bundle { name } tasks { status } } } } } }"""


def personal(statements: list[str]) -> list[str]:
    """A request's statements but the check of the public data's versions (one per request, api/public.py)."""
    return [s for s in of_the_request(statements)
            if not s.startswith('SELECT "name" "0","version" "1" FROM "public_version"')]


async def test_a_prefilled_form_runs_four_statements(gql: Any) -> None:
    """The apply page (issue 19's personal query): the bundle, then only what is the applicant's own, read once
    for all the form's resolvers: the account and the e-licences for the prefill, the e-licences for `me` (this
    holder has none, so no names of their types). The form's public part (items, fields, materials and their
    definitions) and the bundle's channels come from memory after the first request; the session is remembered."""
    citizen = await register(gql)
    await gql(APPLY_FORM, {"code": "newborn"}, token=citizen["token"])
    with count_queries() as counter:
        body = await gql(APPLY_FORM, {"code": "newborn"}, token=citizen["token"])
    assert "errors" not in body, body
    assert any(f["prefilledFrom"] for f in body["data"]["bundle"]["form"]["fields"]), body
    assert len(personal(counter.statements)) == 4, "\n".join(personal(counter.statements))


async def test_my_applications_page_runs_seven_statements(gql: Any, client: httpx.AsyncClient) -> None:
    """我的办件 (issue 19's personal query): the enterprises and family members the viewer acts for, the count,
    the page, its tasks, their bundles and items (the same at any length: the test above)."""
    citizen = await register(gql)
    for _ in range(3):
        await submit_newborn(gql, client, citizen["token"])
    await gql(MY_APPLICATIONS_PAGE, token=citizen["token"])
    with count_queries() as counter:
        body = await gql(MY_APPLICATIONS_PAGE, token=citizen["token"])
    assert "errors" not in body, body
    assert body["data"]["me"]["applications"]["totalCount"] == 3
    assert len(personal(counter.statements)) == 7, "\n".join(personal(counter.statements))
