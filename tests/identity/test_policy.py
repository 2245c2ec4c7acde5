"""The permission decisions of portal.identity.policy."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from portal.identity.models import AccountKind, EnterpriseAgent, FamilyAuthorisation, Role
from portal.identity.policy import (
    has_role,
    may_act_for,
    may_handle_department,
    may_route_appeals,
    may_serve_at_window,
    may_supervise,
    region_covers,
)
from portal.identity.principal import Principal
from tests.identity.test_accounts import register
from tests.identity.test_delegation import GRANT_AGENT, enterprise

LOOKUP = "mutation($n: String!) { grantEnterpriseAgent(input: {idNumber: $n}) { __typename } }"


def staff(role: Role, department: str | None = None, region: str | None = None) -> Principal:
    return Principal(account_id=1000, kind=AccountKind.STAFF, name="x", role=role, department_code=department,
                     region_code=region, session_id=1, expires_at=datetime.now(timezone.utc))


def person(account_id: int, kind: AccountKind = AccountKind.CITIZEN) -> Principal:
    return Principal(account_id=account_id, kind=kind, name="x", role=None, department_code=None, region_code=None,
                     session_id=1, expires_at=datetime.now(timezone.utc))


@pytest.mark.parametrize(("scope", "region", "covered"), [
    ("370000", "370102", True), ("370000", "370100", True), ("370000", "110105", False),
    ("370100", "370102", True), ("370100", "370202", False), ("370102", "370102", True),
    ("370102", "370103", False), (None, "370102", False), ("370000", None, False),
])
def test_region_scopes(scope: str | None, region: str | None, covered: bool) -> None:
    assert region_covers(scope, region) is covered


def test_handlers_act_on_their_own_department_only() -> None:
    handler = staff(Role.DEPARTMENT_HANDLER, department="370100-GAJ")
    assert may_handle_department(handler, "370100-GAJ")
    assert not may_handle_department(handler, "370100-WJW")
    assert not may_handle_department(staff(Role.SUPERVISOR, department="370100-GAJ"), "370100-GAJ")
    assert not may_handle_department(person(5), "370100-GAJ")
    assert not may_handle_department(None, "370100-GAJ")


def test_roles_are_staff_roles() -> None:
    assert may_route_appeals(staff(Role.APPEALS_COORDINATOR))
    assert not may_route_appeals(staff(Role.WINDOW_CLERK))
    assert may_serve_at_window(staff(Role.WINDOW_CLERK))
    citizen_claiming_role = Principal(account_id=5, kind=AccountKind.CITIZEN, name="x", role=Role.ADMIN,
                                      department_code=None, region_code=None, session_id=1,
                                      expires_at=datetime.now(timezone.utc))
    assert not has_role(citizen_claiming_role, Role.ADMIN)


def test_supervisors_see_their_region_and_admins_all() -> None:
    jinan = staff(Role.SUPERVISOR, region="370100")
    assert may_supervise(jinan, "370102") and not may_supervise(jinan, "370202")
    assert may_supervise(staff(Role.ADMIN), "370202")
    assert not may_supervise(staff(Role.DEPARTMENT_HANDLER, region="370000"), "370102")


async def test_acting_for_someone_needs_an_active_delegation(gql: Any) -> None:
    company = await enterprise(gql)
    employee = await register(gql)
    relative = await register(gql)
    company_id = int(company["account"]["id"])
    employee_id = int(employee["account"]["id"])
    relative_id = int(relative["account"]["id"])
    assert await may_act_for(person(employee_id), employee_id)
    assert not await may_act_for(person(employee_id), company_id)
    assert not await may_act_for(None, employee_id)
    grant = await EnterpriseAgent.create(enterprise_id=company_id, agent_id=employee_id)
    assert await may_act_for(person(employee_id), company_id)
    grant.revoked_at = datetime.now(timezone.utc)
    await grant.save()
    assert not await may_act_for(person(employee_id), company_id)
    await FamilyAuthorisation.create(grantor_id=employee_id, grantee_id=relative_id, bundle_code="retirement",
                                     relationship="子女")
    assert await may_act_for(person(relative_id), employee_id, bundle_code="retirement")
    assert not await may_act_for(person(relative_id), employee_id, bundle_code="newborn")
    assert not await may_act_for(person(relative_id), employee_id)
    assert not await may_act_for(person(company_id, AccountKind.ENTERPRISE), employee_id)


async def test_id_number_lookups_are_limited_per_account(gql: Any) -> None:
    from tests.helpers import new_id_number

    company = await enterprise(gql)
    for _ in range(30):
        body = await gql(LOOKUP, {"n": new_id_number()}, token=company["token"])
        assert body["data"]["grantEnterpriseAgent"]["__typename"] == "FormInvalid"
    body = await gql(GRANT_AGENT, {"idNumber": new_id_number()}, token=company["token"])
    assert body["data"]["grantEnterpriseAgent"]["__typename"] == "RateLimited"
