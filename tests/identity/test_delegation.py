"""Enterprise agents (经办人) and family authorisations (代办), and strangers who try other people's ids."""

from __future__ import annotations

from typing import Any

from portal.audit.models import AuditEntry
from tests.helpers import new_credit_code, new_id_number, new_phone
from tests.identity.test_accounts import PASSWORD, REGISTER_ENTERPRISE, register

GRANT_AGENT = """
mutation($idNumber: String!) {
  grantEnterpriseAgent(input: {idNumber: $idNumber}) {
    __typename
    ... on AgentGrant { id enterpriseName agentName revokedAt }
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code }
  }
}"""
REVOKE_AGENT = """
mutation($id: ID!) {
  revokeEnterpriseAgent(id: $id) {
    __typename ... on AgentGrant { id revokedAt } ... on NotFound { code message } ... on PermissionDenied { code }
  }
}"""
AUTHORISE = """
mutation($idNumber: String!, $bundle: String!, $relationship: String!) {
  authoriseFamilyMember(input: {idNumber: $idNumber, bundleCode: $bundle, relationship: $relationship}) {
    __typename
    ... on FamilyAuthorisation { id grantorName granteeName bundleCode relationship revokedAt }
    ... on FormInvalid { errors { field code } }
    ... on PermissionDenied { code }
  }
}"""
REVOKE_FAMILY = """
mutation($id: ID!) {
  revokeFamilyAuthorisation(id: $id) {
    __typename ... on FamilyAuthorisation { id revokedAt } ... on NotFound { code } ... on PermissionDenied { code }
  }
}"""
MINE = """{ me {
  agents { id enterpriseName creditCode agentName revokedAt }
  familyAuthorisations { id bundleCode grantorName granteeName revokedAt }
  accessLog(first: 10) { totalCount edges { node { action actor } } }
} }"""


async def enterprise(gql: Any) -> dict[str, Any]:
    code = new_credit_code()
    body = await gql(REGISTER_ENTERPRISE, {"input": {
        "name": "山东齐鲁运输有限公司", "creditCode": code, "legalRepresentativeIdNumber": new_id_number(),
        "phone": new_phone(), "password": PASSWORD}})
    return {**body["data"]["registerEnterprise"], "creditCode": code}


async def test_enterprise_authorises_an_employee_and_both_see_it(gql: Any) -> None:
    company = await enterprise(gql)
    employee = await register(gql, name="王小明")
    grant = (await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"]))["data"][
        "grantEnterpriseAgent"]
    assert grant["__typename"] == "AgentGrant"
    assert (grant["enterpriseName"], grant["agentName"], grant["revokedAt"]) == ("山东齐鲁运输有限公司", "王**", None)
    again = (await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"]))["data"][
        "grantEnterpriseAgent"]
    assert again["id"] == grant["id"]
    assert [a["id"] for a in (await gql(MINE, token=company["token"]))["data"]["me"]["agents"]] == [grant["id"]]
    seen_by_employee = (await gql(MINE, token=employee["token"]))["data"]["me"]["agents"]
    assert [a["id"] for a in seen_by_employee] == [grant["id"]]
    # The agent names the enterprise by its credit code when filing an appeal for it.
    assert seen_by_employee[0]["creditCode"] == company["creditCode"]
    revoked = (await gql(REVOKE_AGENT, {"id": grant["id"]}, token=company["token"]))["data"]["revokeEnterpriseAgent"]
    assert revoked["revokedAt"] is not None
    actions = await AuditEntry.filter(target=f"agent:{grant['id']}").order_by("id").values_list("action", flat=True)
    assert actions == ["agent.granted", "agent.revoked"]


async def test_only_an_enterprise_grants_and_only_to_a_registered_citizen(gql: Any) -> None:
    citizen = await register(gql)
    denied = (await gql(GRANT_AGENT, {"idNumber": new_id_number()}, token=citizen["token"]))["data"]
    assert denied["grantEnterpriseAgent"] == {"__typename": "PermissionDenied", "code": "ENTERPRISES_ONLY"}
    company = await enterprise(gql)
    unknown = (await gql(GRANT_AGENT, {"idNumber": new_id_number()}, token=company["token"]))["data"]
    assert unknown["grantEnterpriseAgent"]["errors"] == [{"field": "idNumber", "code": "NOT_REGISTERED"}]
    invalid = (await gql(GRANT_AGENT, {"idNumber": "123"}, token=company["token"]))["data"]
    assert invalid["grantEnterpriseAgent"]["errors"] == [{"field": "idNumber", "code": "BAD_LENGTH"}]
    anonymous = (await gql(GRANT_AGENT, {"idNumber": new_id_number()}))["data"]
    assert anonymous["grantEnterpriseAgent"] == {"__typename": "PermissionDenied", "code": "UNAUTHENTICATED"}


async def test_citizen_authorises_a_family_member_for_one_bundle(gql: Any) -> None:
    mother = await register(gql, name="李梅")
    father = await register(gql, name="赵强")
    grant = (await gql(AUTHORISE, {"idNumber": father["idNumber"], "bundle": "newborn", "relationship": "配偶"},
                       token=mother["token"]))["data"]["authoriseFamilyMember"]
    assert {k: grant[k] for k in ("grantorName", "granteeName", "bundleCode", "relationship", "revokedAt")} == {
        "grantorName": "李*", "granteeName": "赵*", "bundleCode": "newborn", "relationship": "配偶",
        "revokedAt": None}
    seen_by_father = (await gql(MINE, token=father["token"]))["data"]["me"]["familyAuthorisations"]
    assert [g["id"] for g in seen_by_father] == [grant["id"]]
    revoked = (await gql(REVOKE_FAMILY, {"id": grant["id"]}, token=father["token"]))["data"]
    assert revoked["revokeFamilyAuthorisation"]["revokedAt"] is not None


async def test_family_authorisation_checks_every_field(gql: Any) -> None:
    citizen = await register(gql)
    body = await gql(AUTHORISE, {"idNumber": citizen["idNumber"], "bundle": "no-such-thing", "relationship": "朋友"},
                     token=citizen["token"])
    assert body["data"]["authoriseFamilyMember"]["errors"] == [
        {"field": "relationship", "code": "UNKNOWN_RELATIONSHIP"}, {"field": "bundleCode", "code": "UNKNOWN_BUNDLE"},
        {"field": "idNumber", "code": "SELF"}]
    company = await enterprise(gql)
    denied = await gql(AUTHORISE, {"idNumber": citizen["idNumber"], "bundle": "newborn", "relationship": "配偶"},
                       token=company["token"])
    assert denied["data"]["authoriseFamilyMember"] == {"__typename": "PermissionDenied", "code": "CITIZENS_ONLY"}


async def test_strangers_find_nothing_of_other_peoples_grants(gql: Any) -> None:
    """IDOR: every id-taking operation and every list, tried with a stranger's token."""
    company = await enterprise(gql)
    employee = await register(gql)
    mother = await register(gql)
    father = await register(gql)
    stranger = await register(gql)
    agent = (await gql(GRANT_AGENT, {"idNumber": employee["idNumber"]}, token=company["token"]))["data"][
        "grantEnterpriseAgent"]
    family = (await gql(AUTHORISE, {"idNumber": father["idNumber"], "bundle": "retirement", "relationship": "配偶"},
                        token=mother["token"]))["data"]["authoriseFamilyMember"]
    for query, key, grant_id in ((REVOKE_AGENT, "revokeEnterpriseAgent", agent["id"]),
                                 (REVOKE_FAMILY, "revokeFamilyAuthorisation", family["id"]),
                                 (REVOKE_AGENT, "revokeEnterpriseAgent", "999999"),
                                 (REVOKE_AGENT, "revokeEnterpriseAgent", "not-a-number")):
        result = (await gql(query, {"id": grant_id}, token=stranger["token"]))["data"][key]
        assert result["__typename"] == "NotFound" and result["code"] == "NOT_FOUND", (key, grant_id)
    mine = (await gql(MINE, token=stranger["token"]))["data"]["me"]
    assert mine == {"agents": [], "familyAuthorisations": [], "accessLog": {"totalCount": 0, "edges": []}}
    still = (await gql(MINE, token=company["token"]))["data"]["me"]["agents"]
    assert [a["revokedAt"] for a in still] == [None]
