"""`me`: the signed-in account and what belongs to it, from every domain (its e-licences, applications, appeals,
halls, appointments, sessions, who read its data). It sits here, above the domains, so that no domain needs
another's types to answer it."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from portal.api.pagination import Connection, paginate
from portal.appeals.api import Appeal, my_appeals
from portal.applications.api import Application, Offer, my_applications
from portal.applications.decisions import open_offers
from portal.audit import rules as audit
from portal.halls.api import Appointment, Hall, clerk_halls, my_appointments
from portal.identity import models, rules
from portal.identity.api import (
    AccessLogEntry,
    Account,
    AgentGrant,
    FamilyAuthorisationType,
    Profile,
    SessionType,
)
from portal.identity.models import AccountKind
from portal.identity.principal import Principal
from portal.lutong.api import Certificate, my_certificates
from portal.packs import rules as packs
from portal.packs.api import PolicyPackDelivery, my_policy_packs
from portal.oversight.api import MeetingInvitation, my_meeting_invitations


@strawberry.type(description="The signed-in account and what belongs to it.")
class Viewer:
    principal: strawberry.Private[Principal]

    @strawberry.field
    async def account(self, info: Info) -> Account:
        return Account.of(info, await models.Account.get(id=self.principal.account_id))

    @strawberry.field
    async def profile(self, info: Info) -> Profile:
        return Profile.of(info, await models.Account.get(id=self.principal.account_id))

    @strawberry.field(description="The holder's e-licences (电子证照), newest first; numbers masked.")
    async def certificates(self) -> list[Certificate]:
        return await my_certificates(self.principal)

    @strawberry.field(description="Agents of this enterprise, or the enterprises this citizen acts for.")
    async def agents(self) -> list[AgentGrant]:
        grants = await models.EnterpriseAgent.filter(
            **({"enterprise_id": self.principal.account_id} if self.principal.kind is AccountKind.ENTERPRISE
               else {"agent_id": self.principal.account_id})).order_by("-id").select_related("enterprise", "agent")
        return [AgentGrant.of(g) for g in grants]

    @strawberry.field(description="Family authorisations this citizen gave or received.")
    async def family_authorisations(self) -> list[FamilyAuthorisationType]:
        me = self.principal.account_id
        grants = await models.FamilyAuthorisation.filter(grantor_id=me).order_by("-id").select_related(
            "grantor", "grantee")
        grants += await models.FamilyAuthorisation.filter(grantee_id=me).order_by("-id").select_related(
            "grantor", "grantee")
        return [FamilyAuthorisationType.of(g) for g in grants]

    @strawberry.field(description="The viewer's applications and those they submitted for others, newest first.")
    async def applications(self, info: Info, first: int | None = None, after: str | None = None
                           ) -> Connection[Application]:
        return await my_applications(info, self.principal, first, after)

    @strawberry.field(description="免申即享: follow-up bundles the viewer now qualifies for, not yet answered.")
    async def offers(self) -> list[Offer]:
        return [Offer.of(o) for o in await open_offers(self.principal.account_id)]

    @strawberry.field(description="Appeals of this enterprise, or of the enterprises this citizen is an agent of.")
    async def appeals(self, first: int | None = None, after: str | None = None) -> Connection[Appeal]:
        return await my_appeals(self.principal, first, after)

    @strawberry.field(description="服务包: the packs pushed to this enterprise (or to the enterprises this citizen is "
                                  "an agent of), unread first; listing them counts them delivered (送达).")
    async def policy_packs(self, first: int | None = None, after: str | None = None
                           ) -> Connection[PolicyPackDelivery]:
        return await my_policy_packs(self.principal, first, after)

    @strawberry.field(description="How many packs of the inbox are unread.")
    async def unread_policy_packs(self) -> int:
        return await (await packs.inbox(self.principal)).filter(read=False).count()

    @strawberry.field(description="列席: the executive meetings this enterprise (or the enterprises this citizen is an "
                                  "agent of) is invited to attend, latest first, with their outcome.")
    async def meeting_invitations(self) -> list[MeetingInvitation]:
        return await my_meeting_invitations(self.principal)

    @strawberry.field(description="The service halls where this window clerk calls tickets (所属大厅); empty for "
                                  "everybody else.")
    async def halls(self) -> list[Hall]:
        return await clerk_halls(self.principal)

    @strawberry.field(description="The viewer's appointments (预约) of today and later, booked or checked in, "
                                  "soonest first (at most 50): a kiosk offers 签到 with one touch.")
    async def appointments(self) -> list[Appointment]:
        return await my_appointments(self.principal)

    @strawberry.field(description="The account's live sessions, newest first (at most 100). A device session (a "
                                  "TV, a kiosk) sees only itself.")
    async def sessions(self) -> list[SessionType]:
        return [SessionType.of(s, self.principal) for s in await rules.sessions_of(self.principal)]

    @strawberry.field(description="Who read this holder's data: staff, scanners of the 鲁通码 (newest first).")
    async def access_log(self, first: int | None = None, after: str | None = None) -> Connection[AccessLogEntry]:
        return await paginate(audit.access_log(self.principal.account_id), first, after,
                              lambda e: AccessLogEntry(actor_account_id=e.actor_account_id, at=e.at, action=e.action,
                                                       actor=e.actor, target=e.target, terminal=e.terminal,
                                                       department=e.detail.get("department"),
                                                       hall=e.detail.get("hall"), counter=e.detail.get("counter")))


@strawberry.type
class ViewerQuery:
    @strawberry.field(description="The signed-in account; null when anonymous or the token is no longer valid.")
    async def me(self, info: Info) -> Viewer | None:
        principal = await info.context.principal()
        return Viewer(principal=principal) if principal else None
