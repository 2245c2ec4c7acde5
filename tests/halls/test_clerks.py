"""Window clerks and their halls (所属大厅): a clerk calls and handles tickets only at their own halls' counters."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from portal.halls import rules
from portal.halls.models import HallClerk, Ticket, TicketStatus
from portal.identity.models import Account, Role
from portal.identity.passwords import Passwords
from portal.halls.rules import create_staff_in_halls
from portal.problems import Refused
from tests.halls.support import KIOSK, TODAY, clerk, clerk_token, make_hall
from tests.halls.test_api import CALL, FINISH, RECALL, SKIP
from tests.identity.test_accounts import register

ME_HALLS = "{ me { halls { code name counters { code } } } }"


async def waiting_tickets(hall: str, count: int = 3, today: date = TODAY) -> None:
    for i in range(count):
        await rules.take_ticket(KIOSK, hall, "ZHSL", f"{hall}-{i}", today=today)


async def refused(call: Any) -> tuple[str, str]:
    with pytest.raises(Refused) as refusal:
        await call
    return refusal.value.kind, refusal.value.code


async def test_a_clerk_calls_and_handles_tickets_only_in_their_own_hall(database_url: str) -> None:
    jinan, qingdao = await make_hall(), await make_hall()
    await waiting_tickets(jinan)
    await waiting_tickets(qingdao)
    ours, theirs = await clerk(jinan), await clerk(qingdao)
    assert await refused(rules.call_next(ours, f"{qingdao}-03", today=TODAY)) == ("PERMISSION", "NOT_YOUR_HALL")
    called = await rules.call_next(theirs, f"{qingdao}-03", today=TODAY)
    for action in (rules.recall, rules.skip, rules.finish):
        assert await refused(action(ours, called.id)) == ("PERMISSION", "NOT_YOUR_HALL")
    ticket = await Ticket.get(id=called.id)
    assert (ticket.status, ticket.calls, ticket.version) == (TicketStatus.CALLED, 1, called.version)
    assert await Ticket.filter(hall_id=qingdao, status=TicketStatus.WAITING).count() == 2
    mine = await rules.call_next(ours, f"{jinan}-03", today=TODAY)
    assert (await rules.finish(ours, mine.id)).status is TicketStatus.DONE


async def test_a_clerk_of_several_halls_serves_in_each(database_url: str) -> None:
    first, second = await make_hall(), await make_hall()
    await waiting_tickets(first, 1)
    await waiting_tickets(second, 1)
    both = await clerk(first, second)
    for hall in (first, second):
        called = await rules.call_next(both, f"{hall}-03", today=TODAY)
        assert (await rules.skip(both, called.id)).status is TicketStatus.SKIPPED


async def test_a_clerk_bound_to_no_hall_serves_nowhere(database_url: str) -> None:
    hall = await make_hall()
    await waiting_tickets(hall)
    called = await rules.call_next(await clerk(hall), f"{hall}-03", today=TODAY)
    nowhere = await clerk()
    assert await refused(rules.call_next(nowhere, f"{hall}-03", today=TODAY)) == ("PERMISSION", "NOT_YOUR_HALL")
    assert await refused(rules.finish(nowhere, called.id)) == ("PERMISSION", "NOT_YOUR_HALL")


async def test_another_halls_counter_is_refused_over_graphql(gql: Any) -> None:
    jinan, qingdao = await make_hall(), await make_hall()
    await waiting_tickets(qingdao, today=rules.local_today())
    token, other = await clerk_token(jinan), await clerk_token(qingdao)
    result = (await gql(CALL, {"c": f"{qingdao}-03"}, token=token))["data"]["callNextTicket"]
    assert (result["__typename"], result["code"]) == ("PermissionDenied", "NOT_YOUR_HALL")
    called = (await gql(CALL, {"c": f"{qingdao}-03"}, token=other))["data"]["callNextTicket"]
    for document, field in ((RECALL, "recallTicket"), (SKIP, "skipTicket"), (FINISH, "finishTicket")):
        result = (await gql(document, {"id": called["id"]}, token=token))["data"][field]
        assert (result["__typename"], result["code"]) == ("PermissionDenied", "NOT_YOUR_HALL"), field


async def test_a_clerk_sees_their_halls_and_nobody_else_has_any(gql: Any) -> None:
    hall = await make_hall({"01": ["QYKB", "BDCDJ", "ZHSL"]})
    me = (await gql(ME_HALLS, token=await clerk_token(hall)))["data"]["me"]
    assert me["halls"] == [{"code": hall, "name": f"测试大厅{hall}", "counters": [{"code": f"{hall}-01"}]}]
    assert (await gql(ME_HALLS, token=await clerk_token()))["data"]["me"]["halls"] == []
    citizen = await register(gql)
    assert (await gql(ME_HALLS, token=citizen["token"]))["data"]["me"]["halls"] == []


async def test_staff_creation_binds_window_clerks_to_known_halls_only(database_url: str) -> None:
    hall = await make_hall()
    staff = {"password": "Window-Clerk-2115", "department_code": None, "region_code": "370100", "name": "窗口"}
    created = await create_staff_in_halls(Passwords("test"), username=f"{hall}-clerk", role=Role.WINDOW_CLERK,
                                          halls=[hall, "JNSMZX", hall], **staff)
    assert sorted(await HallClerk.filter(account_id=created.id).values_list("hall_id", flat=True)) == sorted(
        [hall, "JNSMZX"])
    with pytest.raises(Refused) as unknown:
        await create_staff_in_halls(Passwords("test"), username=f"{hall}-c2", role=Role.WINDOW_CLERK,
                                    halls=[hall, "NO-SUCH-HALL", "X" * 31], **staff)
    assert (unknown.value.code, unknown.value.message) == ("UNKNOWN_HALL",
                                                           f"没有这个政务服务大厅：NO-SUCH-HALL、{'X' * 31}")
    with pytest.raises(Refused) as not_a_clerk:
        await create_staff_in_halls(Passwords("test"), username=f"{hall}-c3", role=Role.SUPERVISOR, halls=[hall],
                                    **staff)
    assert not_a_clerk.value.code == "HALLS_FOR_CLERKS_ONLY"
    assert not await Account.filter(username__in=[f"{hall}-c2", f"{hall}-c3"]).exists()
