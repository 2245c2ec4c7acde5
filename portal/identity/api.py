"""Identity types and the account mutations. Thin: rules decide, this file shapes. (`me` and its `Viewer`
bring every domain together: ``portal.api.viewer``.)"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from portal.api.errors import (
    FormInvalid,
    NotFound,
    PermissionDenied,
    RateLimited,
    expected_failures_as_values,
    signed_in,
)
from portal.catalog.rules import bundle_exists
from portal.identity import masking, models, rules
from portal.identity.industries import INDUSTRY_NAMES, Industry
from portal.identity.loaders import IdentityLoaders
from portal.identity.models import AccountKind, Role
from portal.identity.rules import Principal
from portal.problems import known_id
from portal.terminals import Terminal

strawberry.enum(AccountKind)
strawberry.enum(Role)


@strawberry.type
class Account:
    id: strawberry.ID
    kind: AccountKind
    display_name: str

    @classmethod
    def of(cls, info: Info, account: models.Account) -> Account:
        return cls(id=strawberry.ID(str(account.id)), kind=account.kind,
                   display_name=masking.display_name(account, masked=info.context.masked_terminal))


@strawberry.type(description="A signed-in session: send `token` as `Authorization: Bearer <token>`.")
class AuthPayload:
    token: str
    expires_at: datetime
    account: Account


@strawberry.type(description="A section (门类) of GB/T 4754-2017 国民经济行业分类: its letter and name.")
class IndustrySection:
    code: str
    name: str

    @classmethod
    def of(cls, code: str) -> IndustrySection:
        return cls(code=code, name=INDUSTRY_NAMES[Industry(code)])


def industry_sections() -> list[IndustrySection]:
    return [IndustrySection.of(section.value) for section in Industry]


@strawberry.type(description="The holder's own data, masked (370102********1234, 138****5678).")
class Profile:
    masked_name: str
    masked_id_number: str | None
    masked_phone: str | None
    masked_credit_code: str | None
    masked_legal_representative_id_number: str | None
    role: Role | None
    department_code: str | None
    region_code: str | None = strawberry.field(description="A staff member's region (a supervisor's is the "
                                                           "region whose figures and alerts they oversee).")
    industry: IndustrySection | None = strawberry.field(
        default=None, description="An enterprise's industry (GB/T 4754-2017 门类); null until it names one.")

    @classmethod
    def of(cls, info: Info, a: models.Account) -> Profile:
        masked = info.context.masked_terminal
        return cls(masked_name=masking.display_name(a, masked=True) if masked else a.name,
                   masked_id_number=masking.id_number(a.id_number), masked_phone=masking.phone(a.phone),
                   masked_credit_code=masking.credit_code(a.credit_code),
                   masked_legal_representative_id_number=masking.id_number(a.legal_representative_id_number),
                   role=a.role, department_code=a.department_code,
                   region_code=a.region_code, industry=IndustrySection.of(a.industry) if a.industry else None)


@strawberry.type(description="An employee's citizen account authorised to act for an enterprise (经办人).")
class AgentGrant:
    id: strawberry.ID
    enterprise_name: str
    credit_code: str = strawberry.field(description="The enterprise's 统一社会信用代码: an agent names it when filing an "
                                                    "appeal for it (`submitAppeal`).")
    agent_name: str
    granted_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, grant: models.EnterpriseAgent) -> AgentGrant:
        return cls(id=strawberry.ID(str(grant.id)), enterprise_name=grant.enterprise.name,
                   credit_code=grant.enterprise.credit_code or "",
                   agent_name=masking.name(grant.agent.name), granted_at=grant.granted_at,
                   revoked_at=grant.revoked_at)


@strawberry.type(name="FamilyAuthorisation", description="代办: a family member may apply for one bundle.")
class FamilyAuthorisationType:
    id: strawberry.ID
    grantor_name: str
    grantee_name: str
    bundle_code: str
    relationship: str
    granted_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, grant: models.FamilyAuthorisation) -> FamilyAuthorisationType:
        return cls(id=strawberry.ID(str(grant.id)), grantor_name=masking.name(grant.grantor.name),
                   grantee_name=masking.name(grant.grantee.name), bundle_code=grant.bundle_code,
                   relationship=grant.relationship, granted_at=grant.granted_at, revoked_at=grant.revoked_at)


@strawberry.type(description="Someone other than the holder read the holder's data.")
class AccessLogEntry:
    actor_account_id: strawberry.Private[int | None]
    at: datetime
    action: str
    actor: str
    target: str
    terminal: str
    department: str | None = strawberry.field(
        description="The department whose handler read it (its code), null for other reads.")
    hall: str | None = strawberry.field(default=None, description="The service hall (its code) a window clerk read "
                                                                  "it at, when known.")
    counter: str | None = strawberry.field(default=None, description="The hall counter (窗口, its code) a window "
                                                                     "clerk read it at, when known.")

    @strawberry.field(description="Who read it, as the holder knows them: the name of the reading account "
                                  "(a hotel, a department's clerk), null when no account read it.")
    async def actor_name(self, info: Info) -> str | None:
        if self.actor_account_id is None:
            return None
        account = await info.context.loaders(IdentityLoaders).account.load(self.actor_account_id)
        return masking.display_name(account, masked=info.context.masked_terminal) if account else None


@strawberry.type(name="Session", description="A signed-in session of the account: this browser, a phone, a TV or "
                                            "a hall's kiosk. `revokeSession(id)` ends it.")
class SessionType:
    id: strawberry.ID
    created_at: datetime
    expires_at: datetime
    terminal: Terminal | None = strawberry.field(description="The one terminal a device session is limited to "
                                                             "(TV, KIOSK); null for an ordinary session.")
    device: str = strawberry.field(description="The device as its owner reads it (电视, 自助服务终端 and its hall); "
                                               "empty for an ordinary session.")
    current: bool = strawberry.field(description="This is the session asking.")
    masked_address: str = strawberry.field(description="The address it signed in from, masked (192.168.*.*).")

    @classmethod
    def of(cls, session: models.Session, principal: Principal) -> SessionType:
        return cls(id=strawberry.ID(str(session.id)), created_at=session.created_at, expires_at=session.expires_at,
                   terminal=session.terminal, device=session.device, current=session.id == principal.session_id,
                   masked_address=masking.address(session.address))


@strawberry.input
class RegisterCitizenInput:
    name: str
    id_number: str
    phone: str
    password: str


@strawberry.input
class RegisterEnterpriseInput:
    name: str
    credit_code: str
    legal_representative_id_number: str
    phone: str
    password: str
    industry: str | None = strawberry.field(default=None, description="GB/T 4754-2017 门类 letter (A–T); optional.")


@strawberry.input
class LoginInput:
    username: str = strawberry.field(description="ID number or phone (citizen), credit code (enterprise), username (staff).")
    password: str


@strawberry.input
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.input
class GrantEnterpriseAgentInput:
    id_number: str = strawberry.field(description="The employee's ID number; they must have a citizen account.")


@strawberry.input
class AuthoriseFamilyMemberInput:
    id_number: str
    bundle_code: str
    relationship: str


@strawberry.type
class LogoutSuccess:
    ok: bool


@strawberry.type
class PasswordChanged:
    account: Account


SetIndustryResult = Annotated[Profile | FormInvalid | PermissionDenied, strawberry.union("SetIndustryResult")]
RegisterResult = Annotated[AuthPayload | FormInvalid | RateLimited, strawberry.union("RegisterResult")]
LoginResult = Annotated[AuthPayload | FormInvalid | PermissionDenied | RateLimited, strawberry.union("LoginResult")]
LogoutResult = Annotated[LogoutSuccess | PermissionDenied, strawberry.union("LogoutResult")]
RevokeSessionResult = Annotated[SessionType | PermissionDenied | NotFound, strawberry.union("RevokeSessionResult")]
ChangePasswordResult = Annotated[PasswordChanged | FormInvalid | PermissionDenied | RateLimited,
                                 strawberry.union("ChangePasswordResult")]
AgentGrantResult = Annotated[AgentGrant | FormInvalid | PermissionDenied | NotFound | RateLimited,
                             strawberry.union("AgentGrantResult")]
FamilyAuthorisationResult = Annotated[FamilyAuthorisationType | FormInvalid | PermissionDenied | NotFound | RateLimited,
                                      strawberry.union("FamilyAuthorisationResult")]


def auth_payload(info: Info, session: rules.SignedIn) -> AuthPayload:
    return AuthPayload(token=session.token, expires_at=session.expires_at, account=Account.of(info, session.account))


def _grant_id(value: strawberry.ID) -> int:
    return known_id(value, "未找到该授权")


@strawberry.type
class IdentityQuery:
    @strawberry.field(description="The 20 sections (门类) of GB/T 4754-2017, A to T, as enterprises choose them.")
    def industries(self) -> list[IndustrySection]:
        return industry_sections()


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(description="Real-name citizen registration; signs the citizen in.")
    @expected_failures_as_values
    async def register_citizen(self, info: Info, input: RegisterCitizenInput) -> RegisterResult:
        return auth_payload(info, await rules.register_citizen(
            info.context.passwords, await info.context.actor(), name=input.name, id_number=input.id_number,
            phone=input.phone, password=input.password))

    @strawberry.mutation(description="Enterprise registration by unified social credit code; signs it in.")
    @expected_failures_as_values
    async def register_enterprise(self, info: Info, input: RegisterEnterpriseInput) -> RegisterResult:
        return auth_payload(info, await rules.register_enterprise(
            info.context.passwords, await info.context.actor(), name=input.name, credit_code=input.credit_code,
            legal_representative_id_number=input.legal_representative_id_number, phone=input.phone,
            password=input.password, industry=input.industry))

    @strawberry.mutation(description="An enterprise names its industry (GB/T 4754-2017 门类, A–T) in its account.")
    @expected_failures_as_values
    async def set_account_industry(self, info: Info, industry: str) -> SetIndustryResult:
        principal = await signed_in(info)
        return Profile.of(info, await rules.set_industry(principal, await info.context.actor(), industry))

    @strawberry.mutation
    @expected_failures_as_values
    async def login(self, info: Info, input: LoginInput) -> LoginResult:
        return auth_payload(info, await rules.login(info.context.passwords, await info.context.actor(),
                                                 username=input.username, password=input.password))

    @strawberry.mutation(description="End this session (its WebSocket connections close too).")
    @expected_failures_as_values
    async def logout(self, info: Info) -> LogoutResult:
        await rules.logout(await signed_in(info), await info.context.actor())
        return LogoutSuccess(ok=True)

    @strawberry.mutation(description="End one of the account's sessions (sign a TV or a kiosk out from the phone); "
                                     "its WebSocket connections close too. A device session may end only itself.")
    @expected_failures_as_values
    async def revoke_session(self, info: Info, id: strawberry.ID) -> RevokeSessionResult:
        principal = await signed_in(info)
        session = await rules.revoke_session(principal, await info.context.actor(),
                                             known_id(id, "未找到该登录设备，可能已退出"))
        return SessionType.of(session, principal)

    @strawberry.mutation(description="Change the password; every other session of the account ends.")
    @expected_failures_as_values
    async def change_password(self, info: Info, input: ChangePasswordInput) -> ChangePasswordResult:
        principal = await signed_in(info)
        await rules.change_password(info.context.passwords, principal, await info.context.actor(),
                                    current=input.current_password, new=input.new_password)
        return PasswordChanged(account=Account.of(info, await models.Account.get(id=principal.account_id)))

    @strawberry.mutation(description="An enterprise authorises an employee to act for it.")
    @expected_failures_as_values
    async def grant_enterprise_agent(self, info: Info, input: GrantEnterpriseAgentInput) -> AgentGrantResult:
        grant = await rules.grant_enterprise_agent(await signed_in(info), await info.context.actor(),
                                                   id_number=input.id_number)
        await grant.fetch_related("enterprise", "agent")
        return AgentGrant.of(grant)

    @strawberry.mutation
    @expected_failures_as_values
    async def revoke_enterprise_agent(self, info: Info, id: strawberry.ID) -> AgentGrantResult:
        grant = await rules.revoke_enterprise_agent(await signed_in(info), await info.context.actor(),
                                                    _grant_id(id))
        await grant.fetch_related("enterprise", "agent")
        return AgentGrant.of(grant)

    @strawberry.mutation(description="代办: authorise a family member to apply for one bundle on your behalf.")
    @expected_failures_as_values
    async def authorise_family_member(self, info: Info, input: AuthoriseFamilyMemberInput
                                      ) -> FamilyAuthorisationResult:
        grant = await rules.authorise_family_member(
            await signed_in(info), await info.context.actor(), id_number=input.id_number,
            bundle_code=input.bundle_code, relationship=input.relationship, bundle_exists=bundle_exists)
        await grant.fetch_related("grantor", "grantee")
        return FamilyAuthorisationType.of(grant)

    @strawberry.mutation
    @expected_failures_as_values
    async def revoke_family_authorisation(self, info: Info, id: strawberry.ID) -> FamilyAuthorisationResult:
        grant = await rules.revoke_family_authorisation(await signed_in(info),
                                                        await info.context.actor(), _grant_id(id))
        await grant.fetch_related("grantor", "grantee")
        return FamilyAuthorisationType.of(grant)
