"""A revoked delegation ends the streams that relied on it: an agent's `appealUpdated`, a family member's
`applicationUpdated`. In this process here; across servers in test_websocket_sessions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from strawberry.types import ExecutionResult

from portal.config import Settings
from portal.identity import revocations
from portal.identity.models import Account, EnterpriseAgent
from tests.appeals.test_appeals import ASSIGN, coordinator, file, step
from tests.applications.support import ACCEPT, handler, submit_newborn, task_of
from tests.identity.test_accounts import register
from tests.identity.test_delegation import AUTHORISE, GRANT_AGENT, REVOKE_AGENT, REVOKE_FAMILY, enterprise
from tests.subscriptions import in_process_subscription

APPEAL_UPDATED = "subscription($id: ID!) { appealUpdated(id: $id) { cursor kind appeal { id status } } }"
APPLICATION_UPDATED = "subscription($id: ID!) { applicationUpdated(id: $id) { cursor kind } }"
ENDED = {"code": "NOT_AUTHORISED"}


async def answer(stream: AsyncGenerator[ExecutionResult, None]) -> ExecutionResult:
    return await asyncio.wait_for(anext(stream), 5)


async def ended(stream: AsyncGenerator[ExecutionResult, None]) -> None:
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(anext(stream), 5)


@dataclass
class Following:
    """An enterprise, its appeal, its two agents, their grant ids and their open streams of the appeal."""

    company: dict[str, Any]
    appeal: dict[str, Any]
    agents: list[dict[str, Any]]
    grants: list[str]
    streams: list[AsyncGenerator[ExecutionResult, None]]


async def agents_following_an_appeal(gql: Any, settings: Settings) -> Following:
    company = await enterprise(gql)
    agents = [await register(gql), await register(gql)]
    grants = [(await gql(GRANT_AGENT, {"idNumber": a["idNumber"]}, token=company["token"]))["data"][
        "grantEnterpriseAgent"]["id"] for a in agents]
    credit_code = (await Account.get(id=int(company["account"]["id"]))).credit_code
    appeal = await file(gql, agents[0]["token"], creditCode=credit_code)
    streams = [await in_process_subscription(settings, APPEAL_UPDATED, {"id": appeal["id"]}, token=a["token"])
               for a in agents]
    for stream in streams:
        assert (await answer(stream)).data["appealUpdated"]["kind"] == "appeal.received"
    return Following(company, appeal, agents, grants, streams)


async def test_a_revoked_agents_appeal_stream_ends_while_the_others_goes_on(gql: Any, settings: Settings) -> None:
    following = await agents_following_an_appeal(gql, settings)
    revoked, kept = following.streams
    result = (await gql(REVOKE_AGENT, {"id": following.grants[0]}, token=following.company["token"]))["data"][
        "revokeEnterpriseAgent"]
    assert result["revokedAt"] is not None
    last = await answer(revoked)
    assert last.data is None and [e.extensions for e in last.errors] == [ENDED]
    assert last.errors[0].message == "授权已撤销，不再推送此项的进展"
    await ended(revoked)
    await step(gql, ASSIGN, await coordinator(), id=following.appeal["id"], d="370100-SCJGJ")
    assert (await answer(kept)).data["appealUpdated"] == {"cursor": "2", "kind": "appeal.assigned", "appeal": {
        "id": following.appeal["id"], "status": "ASSIGNED"}}
    await kept.aclose()


async def test_an_agent_who_ends_their_own_authorisation_stops_following(gql: Any, settings: Settings) -> None:
    following = await agents_following_an_appeal(gql, settings)
    revoked, kept = following.streams
    await gql(REVOKE_AGENT, {"id": following.grants[0]}, token=following.agents[0]["token"])
    assert [e.extensions for e in (await answer(revoked)).errors] == [ENDED]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(kept), 0.3)
    await kept.aclose()


async def test_a_missed_revocation_ends_the_stream_at_the_next_recheck(gql: Any, settings: Settings,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(revocations, "RECHECK_SECONDS", 0.2)
    following = await agents_following_an_appeal(gql, settings)
    revoked, kept = following.streams
    # Revoked in the database, and no message (as if this server had missed it).
    await EnterpriseAgent.filter(id=int(following.grants[0])).update(revoked_at=datetime.now(timezone.utc))
    assert [e.extensions for e in (await answer(revoked)).errors] == [ENDED]
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(anext(kept), 0.5)
    await kept.aclose()


async def test_a_revoked_family_members_application_stream_ends(gql: Any, client: httpx.AsyncClient,
                                                                settings: Settings) -> None:
    parent, grandmother, father = await register(gql), await register(gql), await register(gql)
    grants = [(await gql(AUTHORISE, {"idNumber": member["idNumber"], "bundle": "newborn",
                                     "relationship": relationship}, token=parent["token"]))["data"][
        "authoriseFamilyMember"]["id"] for member, relationship in ((grandmother, "父母"), (father, "配偶"))]
    application = await submit_newborn(gql, client, parent["token"])
    streams = [await in_process_subscription(settings, APPLICATION_UPDATED, {"id": application["id"]},
                                             token=member["token"]) for member in (grandmother, father)]
    for stream in streams:
        assert (await answer(stream)).data["applicationUpdated"]["kind"] == "application.submitted"
    revoked, kept = streams
    result = (await gql(REVOKE_FAMILY, {"id": grants[0]}, token=grandmother["token"]))["data"][
        "revokeFamilyAuthorisation"]
    assert result["revokedAt"] is not None
    assert [e.extensions for e in (await answer(revoked)).errors] == [ENDED]
    await ended(revoked)
    task = task_of(application, "370100-WJW-001")
    await gql(ACCEPT, {"id": task["id"], "v": task["version"]}, token=await handler("370100-WJW"))
    assert (await answer(kept)).data["applicationUpdated"] == {"cursor": "2", "kind": "task.accepted"}
    await kept.aclose()
