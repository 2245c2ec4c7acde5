"""Identity rules: registration, sign-in, sessions, password changes, staff accounts and delegations.

No GraphQL here. Expected failures are raised as the exceptions of ``portal.problems``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar
from datetime import datetime, timedelta, timezone

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from portal import events
from portal.audit.rules import Actor, record
from portal.terminals import Terminal
from portal.identity import ratelimit, revocations
from portal.identity.errors import IdentityCode
from portal.identity.industries import check_industry
from portal.identity.models import Account, AccountKind, EnterpriseAgent, FamilyAuthorisation, Role, Session
from portal.identity.numbers import (
    SignInName,
    check_credit_code,
    check_id_number,
    check_password,
    check_person_name,
    check_phone,
    sign_in_name,
)
from portal.identity.passwords import Passwords
from portal.identity.policy import may_authorise_family, may_delegate_to_agents
from portal.identity.principal import Principal
from portal.identity.sessions import SESSION_REVOKED, principals
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing
from portal.text import check_text

SESSION_LIFETIME = {AccountKind.CITIZEN: timedelta(hours=12), AccountKind.ENTERPRISE: timedelta(hours=12),
                    AccountKind.STAFF: timedelta(hours=8)}
# A device session lasts as long as its terminal is trusted with it: a TV at home a month, a person's session at
# a hall's kiosk a quarter of an hour (the kiosk also ends it after a minute without input, and at "finish").
# Staff signed in on a device (a kiosk machine's hall account each morning) keep their working day.
DEVICE_SESSION_LIFETIME = {Terminal.TV: timedelta(days=30), Terminal.KIOSK: timedelta(minutes=15)}
DEVICE_TERMINALS = frozenset(DEVICE_SESSION_LIFETIME)
DEVICE_NAMES = {Terminal.TV: "电视", Terminal.KIOSK: "自助服务终端"}
MAX_SESSIONS_LISTED = 100
TOKEN_BYTES = 32
USERNAME_LENGTH = 40  # the column's: a longer name is no staff username
MAX_SIGN_IN_NAME = 100  # longer than any name written any way: no account has it


@dataclass(frozen=True)
class SignedIn:
    account: Account
    token: str
    expires_at: datetime


def _now() -> datetime:
    return datetime.now(timezone.utc)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _checked(*checks: tuple[Callable[..., str], object, dict[str, str]], password: object) -> list[str]:
    """Run each (check, value, kwargs), then the password rules against the checked personal data;
    every problem is raised at once."""
    values: list[str] = []
    problems: list[InvalidField] = []
    for check, value, kwargs in checks:
        try:
            values.append(check(value, **kwargs))
        except InvalidField as problem:
            problems.append(problem)
            values.append("")
    try:
        check_password(password, field="password", personal=[v for v in values if v])
    except InvalidField as problem:
        problems.append(problem)
    if problems:
        raise FormProblems(problems)
    return values


async def _open_session(account: Account, actor: Actor) -> SignedIn:
    return await open_session(account, actor)


async def open_session(account: Account, actor: Actor, *, terminal: Terminal | None = None, device: str = "",
                       lifetime: timedelta | None = None, how: str = "password") -> SignedIn:
    """A new session of ``account`` (call inside a transaction). With ``terminal``, a device session limited to
    that terminal (``Session``), lasting ``lifetime`` or its terminal's ``DEVICE_SESSION_LIFETIME``; ``how``
    says for the audit trail how the person proved who they are (password, a scanned 鲁通码, a phone's
    approval)."""
    if terminal is not None and terminal not in DEVICE_TERMINALS:
        raise ValueError(f"no device sessions on {terminal.value}")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    if lifetime is None:
        lifetime = (DEVICE_SESSION_LIFETIME[terminal] if terminal and account.kind is not AccountKind.STAFF
                    else SESSION_LIFETIME[account.kind])
    expires_at = _now() + lifetime
    session = await Session.create(account=account, token_hash=token_digest(token), expires_at=expires_at,
                                   address=actor.address[:64], terminal=terminal, device=device[:100])
    detail = {"session": session.id, "how": how, **({"terminal": terminal.value, "device": device[:100]}
                                                    if terminal else {})}
    await record("auth.login", Actor(account.id, f"{account.kind.value.lower()}:{account.id}", actor.address,
                                     actor.terminal), subject_account_id=account.id, detail=detail)
    return SignedIn(account, token, expires_at)


class DeviceSessionRefused(Forbidden):
    """What a device session (a TV, a kiosk) may not do: it is for using services, not for managing the account."""

    def __init__(self) -> None:
        super().__init__(IdentityCode.DEVICE_SESSION, "电视和自助终端上的登录不能办理此项，请在手机或电脑上操作")


def require_full_session(principal: Principal) -> None:
    """Refuse a device session: changing the password, delegations and approving devices need a phone or a
    computer signed in the ordinary way."""
    if principal.device_session:
        raise DeviceSessionRefused()


async def _register(account: Account, conflicts: dict[str, tuple[str, str]], actor: Actor) -> SignedIn:
    """Create ``account`` and its first session; a unique column already taken is a field error."""
    try:
        async with in_transaction():
            await account.save()
            await record("account.registered", Actor(account.id, f"{account.kind.value.lower()}:{account.id}",
                                                     actor.address, actor.terminal),
                         subject_account_id=account.id, detail={"kind": account.kind.value})
            return await _open_session(account, actor)
    except IntegrityError:
        taken = [InvalidField(field, IdentityCode.ALREADY_REGISTERED, message)
                 for field, (column, message) in conflicts.items()
                 if await Account.filter(**{column: getattr(account, column)},
                                         **({"kind": account.kind} if column == "phone" else {})).exists()]
        raise FormProblems(taken or [InvalidField("idNumber", IdentityCode.ALREADY_REGISTERED, "该账号已注册")]) from None


async def register_citizen(passwords: Passwords, actor: Actor, *, name: object, id_number: object, phone: object,
                           password: object) -> SignedIn:
    """Real-name citizen registration: GB 11643 ID number, mobile phone, strong password; one account per ID."""
    await ratelimit.spend(ratelimit.REGISTER_PER_ADDRESS, actor.address)
    name_, id_, phone_ = _checked(
        (check_person_name, name, {"field": "name"}),
        (check_id_number, id_number, {"field": "idNumber"}),
        (check_phone, phone, {"field": "phone"}),
        password=password)
    account = Account(kind=AccountKind.CITIZEN, name=name_, id_number=id_, phone=phone_,
                      password_hash=await passwords.hash(password), password_changed_at=_now())
    return await _register(account, {"idNumber": ("id_number", "该身份证号码已注册，请直接登录"),
                                     "phone": ("phone", "该手机号码已被其他账号使用")}, actor)


async def register_enterprise(passwords: Passwords, actor: Actor, *, name: object, credit_code: object,
                              legal_representative_id_number: object, phone: object, password: object,
                              industry: object = None) -> SignedIn:
    """Enterprise registration: GB 32100 credit code, the legal representative's ID number; one account per code.
    The industry (GB/T 4754-2017 门类) may be named now or later in the account."""
    await ratelimit.spend(ratelimit.REGISTER_PER_ADDRESS, actor.address)
    industry_check = () if industry is None else ((check_industry, industry, {"field": "industry"}),)
    name_, code, representative, phone_, *section = _checked(
        (check_enterprise_name, name, {"field": "name"}),
        (check_credit_code, credit_code, {"field": "creditCode"}),
        (check_id_number, legal_representative_id_number, {"field": "legalRepresentativeIdNumber"}),
        (check_phone, phone, {"field": "phone"}),
        *industry_check,
        password=password)
    account = Account(kind=AccountKind.ENTERPRISE, name=name_, credit_code=code,
                      legal_representative_id_number=representative, phone=phone_,
                      industry=section[0] if section else None,
                      password_hash=await passwords.hash(password), password_changed_at=_now())
    return await _register(account, {"creditCode": ("credit_code", "该统一社会信用代码已注册，请直接登录")}, actor)


async def set_industry(principal: Principal, actor: Actor, industry: object) -> Account:
    """An enterprise names its industry (GB/T 4754-2017 门类) in its account; policy packs reach it by it."""
    if principal.kind is not AccountKind.ENTERPRISE:
        raise Forbidden(IdentityCode.ENTERPRISES_ONLY, "只有企业账号可以设置所属行业")
    require_full_session(principal)
    section = check_industry(industry)
    async with in_transaction():
        await Account.filter(id=principal.account_id).update(industry=section.value)
        await record("account.industry_set", actor, subject_account_id=principal.account_id,
                     detail={"industry": section.value})
    return await Account.get(id=principal.account_id)


def check_enterprise_name(value: object, *, field: str = "name") -> str:
    """An enterprise's registered name as on its business licence."""
    name = value.strip() if isinstance(value, str) else ""
    if not 2 <= len(name) <= 100:
        raise InvalidField(field, Code.BAD_LENGTH, "企业名称应为2到100个字，与营业执照一致")
    return name


def _login_lookup(name: SignInName) -> Q:
    """Citizens sign in with ID number or phone, enterprises with the credit code, staff with a username."""
    lookups = [Q(username=name.username)] if len(name.username) <= USERNAME_LENGTH else []
    if name.number:
        lookups += [Q(id_number=name.number), Q(credit_code=name.number)]
    if name.phone:
        lookups.append(Q(kind=AccountKind.CITIZEN, phone=name.phone))
    return Q(*lookups, join_type=Q.OR) if lookups else Q(id__in=[])


async def login(passwords: Passwords, actor: Actor, *, username: str, password: str) -> SignedIn:
    """Sign in; limited per address and per account, and a locked account waits even with the right password.

    The account's lock is one, whichever of its names (ID number, phone, credit code, username) and however
    written (+86, hyphens, spaces, full-width digits): failures count on the account. A name that names no
    account has a lock of its own, keyed on its normalised form, so that both answer alike."""
    if not username.strip() or not password:
        raise FormProblems([InvalidField(f, Code.REQUIRED, "请输入账号和密码") for f, v in
                            (("username", username.strip()), ("password", password)) if not v])
    try:
        check_text("username", username, max_length=MAX_SIGN_IN_NAME, multiline=False)
    except InvalidField as problem:
        raise FormProblems([problem]) from None
    await ratelimit.ensure_allowed(ratelimit.LOGIN_PER_ADDRESS, actor.address)
    name = sign_in_name(username)
    account = await Account.filter(_login_lookup(name), disabled=False).order_by("id").first()
    account_key = f"account:{account.id}" if account else f"name:{name.canonical}"
    await ratelimit.ensure_allowed(ratelimit.LOGIN_PER_ACCOUNT, account_key)
    if not await passwords.verify(account.password_hash if account else None, password):
        await ratelimit.count_attempt(ratelimit.LOGIN_PER_ACCOUNT, account_key)
        await ratelimit.count_attempt(ratelimit.LOGIN_PER_ADDRESS, actor.address)
        await record("auth.login_failed", actor, subject_account_id=account.id if account else None,
                     detail={"username": name.canonical[:USERNAME_LENGTH]})
        raise Forbidden(IdentityCode.INVALID_CREDENTIALS, "账号或密码错误")
    await ratelimit.clear(ratelimit.LOGIN_PER_ACCOUNT, account_key)
    # A password typed on a TV or a kiosk signs in for that terminal only (a device session).
    terminal = Terminal(actor.terminal) if actor.terminal in {t.value for t in DEVICE_TERMINALS} else None
    async with in_transaction():
        return await open_session(account, actor, terminal=terminal,
                                  device=DEVICE_NAMES[terminal] if terminal else "")


async def authenticate(token: str, *, cached: bool = False) -> Principal | None:
    """The principal of a live session token, or None (unknown, expired, revoked, disabled account).
    ``cached``: from this process's short-lived memory of sessions (``identity.sessions``) when it has it."""
    digest = token_digest(token)
    if cached:
        return await principals().principal(digest, lambda: _look_up(digest))
    return await _look_up(digest)


async def _look_up(digest: str) -> Principal | None:
    session = await Session.filter(token_hash=digest, revoked_at__isnull=True, expires_at__gt=_now(),
                                   account__disabled=False).select_related("account").first()
    return _principal_of(session)


async def session_principal(session_id: int) -> Principal | None:
    """The principal of a live session named by its id (a signed link names the session it was made for), or None
    (unknown, expired, revoked, disabled account)."""
    return _principal_of(await Session.filter(id=session_id, revoked_at__isnull=True, expires_at__gt=_now(),
                                              account__disabled=False).select_related("account").first())


def _principal_of(session: Session | None) -> Principal | None:
    if session is None:
        return None
    a = session.account
    return Principal(account_id=a.id, kind=a.kind, name=a.name, role=a.role, department_code=a.department_code,
                     region_code=a.region_code, session_id=session.id, expires_at=session.expires_at,
                     terminal=session.terminal)


async def _revoke(sessions: list[int]) -> None:
    if sessions:
        await Session.filter(id__in=sessions, revoked_at__isnull=True).update(revoked_at=_now())
        principals().forget_sessions(sessions)
        await events.broker().publish(SESSION_REVOKED, {"sessions": sessions})


async def logout(principal: Principal, actor: Actor) -> None:
    """Revoke the current session; its WebSocket connections are closed too."""
    async with in_transaction():
        await record("auth.logout", actor, subject_account_id=principal.account_id)
    await _revoke([principal.session_id])


async def sessions_of(principal: Principal) -> list[Session]:
    """The live sessions the principal may see, newest first: all of the account's from an ordinary session,
    only itself from a device session (a kiosk or a TV does not show where else the person is signed in)."""
    query = Session.filter(account_id=principal.account_id, revoked_at__isnull=True, expires_at__gt=_now())
    if principal.device_session:
        query = query.filter(id=principal.session_id)
    return await query.order_by("-created_at", "-id").limit(MAX_SESSIONS_LISTED)


async def revoke_session(principal: Principal, actor: Actor, session_id: int) -> Session:
    """End one of the account's sessions (signing a TV or a kiosk out from the phone). A device session may end
    only itself; another account's session, or one already ended, is not found."""
    query = Session.filter(id=session_id, account_id=principal.account_id, revoked_at__isnull=True,
                           expires_at__gt=_now())
    if principal.device_session:
        query = query.filter(id=principal.session_id)
    session = await query.first()
    if session is None:
        raise Missing(Code.NOT_FOUND, "未找到该登录设备，可能已退出")
    async with in_transaction():
        await record("auth.session_revoked", actor, subject_account_id=principal.account_id,
                     target=f"session:{session.id}",
                     detail={"terminal": session.terminal.value if session.terminal else None,
                             "device": session.device})
    await _revoke([session.id])
    session.revoked_at = _now()
    return session


async def change_password(passwords: Passwords, principal: Principal, actor: Actor, *, current: str,
                          new: str) -> None:
    """A password change needs the current one and revokes every other session of the account."""
    require_full_session(principal)
    await ratelimit.ensure_allowed(ratelimit.PASSWORD_CHANGE_PER_ACCOUNT, str(principal.account_id))
    account = await Account.get(id=principal.account_id)
    if not await passwords.verify(account.password_hash, current):
        await ratelimit.count_attempt(ratelimit.PASSWORD_CHANGE_PER_ACCOUNT, str(principal.account_id))
        raise FormProblems([InvalidField("currentPassword", IdentityCode.WRONG_PASSWORD, "当前密码不正确")])
    personal = [p for p in (account.id_number, account.credit_code, account.phone, account.username) if p]
    try:
        check_password(new, field="newPassword", personal=personal)
    except InvalidField as problem:
        raise FormProblems([problem]) from None
    if await passwords.verify(account.password_hash, new):
        raise FormProblems([InvalidField("newPassword", IdentityCode.UNCHANGED, "新密码不能与当前密码相同")])
    account.password_hash, account.password_changed_at = await passwords.hash(new), _now()
    async with in_transaction():
        await account.save(update_fields=["password_hash", "password_changed_at"])
        others = await Session.filter(account_id=account.id, revoked_at__isnull=True).exclude(
            id=principal.session_id).values_list("id", flat=True)
        await record("auth.password_changed", actor, subject_account_id=account.id,
                     detail={"revokedSessions": len(others)})
    await _revoke(list(others))


async def create_staff(passwords: Passwords, *, username: str, password: str, role: Role,
                       department_code: str | None, region_code: str | None, name: str,
                       scene: str | None = None) -> Account:
    """`portal user create`: staff accounts exist only through the command line. A scene operator (a hotel
    desk, a hospital, a transport gate) names the 鲁通码 scene it scans in. (A window clerk's halls are the halls'
    business: ``halls.rules.create_staff_in_halls``.)"""
    if role is Role.DEPARTMENT_HANDLER and not department_code:
        raise Conflicting(IdentityCode.DEPARTMENT_REQUIRED, "部门经办人必须指定所属部门 (--department)")
    if (role is Role.SCENE_OPERATOR) != bool(scene):
        raise Conflicting(IdentityCode.SCENE_REQUIRED, "场景操作员必须指定场景 (--scene)，其他角色不能指定场景")
    check_password(password, field="password", personal=[username])
    async with in_transaction():
        account = await Account.create(kind=AccountKind.STAFF, username=username, name=name, role=role,
                                       department_code=department_code, region_code=region_code, scene=scene,
                                       password_hash=await passwords.hash(password), password_changed_at=_now())
        await record("account.staff_created", Actor(None, "command-line"), subject_account_id=account.id,
                     detail={"username": username, "role": role.value, "department": department_code,
                             "scene": scene})
    return account


async def _citizen_by_id_number(principal: Principal, id_number: object, field: str) -> Account:
    """Another citizen's account by ID number; counted, since the answer tells whether it is registered."""
    checked = check_id_number(id_number, field=field)
    key = str(principal.account_id)
    await ratelimit.spend(ratelimit.LOOKUP_PER_ACCOUNT, key)
    account = await Account.get_or_none(kind=AccountKind.CITIZEN, id_number=checked)
    if account is None:
        raise FormProblems([InvalidField(field, IdentityCode.NOT_REGISTERED, "该身份证号码尚未注册爱山东账号，请对方先注册")])
    return account


async def grant_enterprise_agent(principal: Principal, actor: Actor, *, id_number: object) -> EnterpriseAgent:
    """An enterprise authorises an employee's citizen account to act for it (idempotent while active)."""
    require_full_session(principal)
    if not may_delegate_to_agents(principal):
        raise Forbidden(IdentityCode.ENTERPRISES_ONLY, "只有企业账号可以添加经办人")
    agent = await _citizen_by_id_number(principal, id_number, "idNumber")
    async with in_transaction():
        existing = await EnterpriseAgent.filter(enterprise_id=principal.account_id, agent_id=agent.id,
                                                revoked_at__isnull=True).first()
        if existing:
            return existing
        grant = await EnterpriseAgent.create(enterprise_id=principal.account_id, agent_id=agent.id)
        await record("agent.granted", actor, subject_account_id=principal.account_id, target=f"agent:{grant.id}",
                     detail={"agentAccountId": agent.id})
    return grant


GrantT = TypeVar("GrantT", EnterpriseAgent, FamilyAuthorisation)


async def _revoke_grant(model: type[GrantT], principal: Principal, actor: Actor, grant_id: int, *, giver: str,
                        receiver: str, action: str, prefix: str) -> GrantT:
    """Either party ends a delegation; anyone else finds nothing (no hint that it exists). The streams the
    receiver follows through it end, on every server (``identity.revocations``)."""
    grant = await model.filter(Q(**{giver: principal.account_id}) | Q(**{receiver: principal.account_id}),
                               id=grant_id).first()
    if grant is None:
        raise Missing(Code.NOT_FOUND, "未找到该授权")
    if grant.revoked_at is None:
        async with in_transaction():
            grant.revoked_at = _now()
            await grant.save(update_fields=["revoked_at"])
            await record(action, actor, subject_account_id=getattr(grant, giver), target=f"{prefix}:{grant.id}")
        await revocations.announce(getattr(grant, receiver))
    return grant


async def revoke_enterprise_agent(principal: Principal, actor: Actor, grant_id: int) -> EnterpriseAgent:
    """The enterprise or the agent ends an agent authorisation."""
    require_full_session(principal)
    return await _revoke_grant(EnterpriseAgent, principal, actor, grant_id, giver="enterprise_id",
                               receiver="agent_id", action="agent.revoked", prefix="agent")


async def authorise_family_member(principal: Principal, actor: Actor, *, id_number: object, bundle_code: str,
                                  relationship: str, bundle_exists: Callable[[str], Awaitable[bool]]
                                  ) -> FamilyAuthorisation:
    """代办: a citizen authorises a family member's account to apply for one named bundle on their behalf.
    ``bundle_exists`` asks the catalog (``catalog.rules.bundle_exists``), which sits above accounts."""
    require_full_session(principal)
    if not may_authorise_family(principal):
        raise Forbidden(IdentityCode.CITIZENS_ONLY, "只有个人账号可以授权家属代办")
    problems: list[InvalidField] = []
    relationship = relationship.strip()
    if relationship not in FAMILY_RELATIONSHIPS:
        problems.append(InvalidField("relationship", IdentityCode.UNKNOWN_RELATIONSHIP,
                                     "亲属关系须为：" + "、".join(FAMILY_RELATIONSHIPS)))
    if not await bundle_exists(bundle_code):
        problems.append(InvalidField("bundleCode", Code.UNKNOWN_BUNDLE, "没有这个“一件事”"))
    try:
        grantee = await _citizen_by_id_number(principal, id_number, "idNumber")
        if grantee.id == principal.account_id:
            problems.append(InvalidField("idNumber", IdentityCode.SELF, "不能授权自己"))
    except (InvalidField, FormProblems) as problem:
        problems += problem.problems if isinstance(problem, FormProblems) else [problem]
    if problems:
        raise FormProblems(problems)
    async with in_transaction():
        existing = await FamilyAuthorisation.filter(grantor_id=principal.account_id, grantee_id=grantee.id,
                                                    bundle_code=bundle_code, revoked_at__isnull=True).first()
        if existing:
            return existing
        grant = await FamilyAuthorisation.create(grantor_id=principal.account_id, grantee_id=grantee.id,
                                                 bundle_code=bundle_code, relationship=relationship)
        await record("family.authorised", actor, subject_account_id=principal.account_id,
                     target=f"family:{grant.id}", detail={"granteeAccountId": grantee.id, "bundle": bundle_code})
    return grant


async def revoke_family_authorisation(principal: Principal, actor: Actor, grant_id: int) -> FamilyAuthorisation:
    """The citizen or the family member ends a 代办 authorisation."""
    require_full_session(principal)
    return await _revoke_grant(FamilyAuthorisation, principal, actor, grant_id, giver="grantor_id",
                               receiver="grantee_id", action="family.revoked", prefix="family")


FAMILY_RELATIONSHIPS = ("配偶", "父母", "子女", "祖父母", "外祖父母", "孙子女", "外孙子女", "兄弟姐妹")
