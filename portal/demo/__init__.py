"""Demo accounts, e-licences and older codes, and the 96178 seat's knowledge base, for trying the portal (`portal seed
--demo`, development only).

Idempotent: an account that exists (by ID number, credit code or username) is left as it is, a holder is given a
licence type only if it holds none of that type, and a demo answer already loaded (by its code) is left as it is.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, model_validator

from tortoise.transactions import in_transaction

from portal.appeals.models import AppealCategory
from portal.audit.rules import Actor
from portal.catalog.models import CertificateType
from portal.catalog.source import DATA_DIR
from portal.halls.rules import bind_clerk, create_staff_in_halls
from portal.halls.seed import HALLS_FILE
from portal.identity.industries import Industry
from portal.identity.models import Account, AccountKind, EnterpriseAgent, Role
from portal.identity.numbers import check_credit_code, check_id_number, check_phone
from portal.identity.passwords import Passwords
from portal.identity.principal import Principal
from portal.knowledge import rules as knowledge
from portal.knowledge.models import KnowledgeEntry, KnowledgeStatus
from portal.lutong import rules as licences
from portal.lutong.legacy import TYPES_FILE
from portal.lutong.models import Certificate, LegacyCode
from portal.lutong.scenes import Scene
from portal.sources import Checked, DepartmentCode, Problems, Record, Ref, RegionCode, Text, UpperSnake
from portal.sources import codes, read_all, records, validate

DEMO_FILE = Path(__file__).with_name("accounts.yaml")
KNOWLEDGE_FILE = Path(__file__).with_name("knowledge.yaml")
KNOWLEDGE_EDITOR = "seat-96178"  # the demo answers are the 96178 seat's


IdNumber = Checked(check_id_number)
Phone = Checked(check_phone)
CreditCode = Checked(check_credit_code)

CHINA = timezone(timedelta(hours=8))
ISSUED_AT = time(9, 30)  # a licence issued on a day is dated at a counter's morning hour, China time


class DemoCertificate(Record):
    """A licence the holder already had, issued on ``issuedAt`` (a day in the past, after the holder's birth)."""

    type: Annotated[UpperSnake, Ref("certificateTypes", "certificate type")]
    number: Text | None = None
    issued_at: Annotated[date, Field(strict=False)]
    data: dict[str, Any] = {}

    @property
    def issued(self) -> datetime:
        return datetime.combine(self.issued_at, ISSUED_AT, CHINA)


def _issued_in_the_holders_lifetime(certificates: tuple[DemoCertificate, ...], born: date | None) -> None:
    found = Problems()
    for index, certificate in enumerate(certificates):
        if certificate.issued_at > date.today():
            found.add(("certificates", index, "issuedAt"), f"{certificate.issued_at} is in the future")
        elif born is not None and certificate.issued_at < born:
            found.add(("certificates", index, "issuedAt"), f"{certificate.issued_at} is before the holder was born "
                                                           f"({born})")
    found.check()


class DemoLegacyCode(Record):
    type: Annotated[UpperSnake, Ref("legacyCodeTypes", "older code type")]
    value: Text


class DemoCitizen(Record):
    name: Text
    id_number: IdNumber
    phone: Phone
    certificates: tuple[DemoCertificate, ...] = ()
    legacy_codes: tuple[DemoLegacyCode, ...] = ()

    @model_validator(mode="after")
    def _licences_after_birth(self) -> DemoCitizen:
        born = self.id_number[6:14]
        _issued_in_the_holders_lifetime(self.certificates, date(int(born[:4]), int(born[4:6]), int(born[6:])))
        return self


class DemoEnterprise(Record):
    name: Text
    credit_code: CreditCode
    legal_representative_id_number: IdNumber
    phone: Phone
    industry: Industry | None = None  # GB/T 4754-2017 门类: the policy packs it is pushed
    agents: tuple[Annotated[str, Ref("citizens", "demo citizen")], ...] = ()
    certificates: tuple[DemoCertificate, ...] = ()

    @model_validator(mode="after")
    def _licences_in_the_past(self) -> DemoEnterprise:
        _issued_in_the_holders_lifetime(self.certificates, None)
        return self


class DemoStaff(Record):
    username: Text
    role: Role
    name: Text
    department: Annotated[DepartmentCode | None, Ref("departments", "department")] = None
    region: Annotated[RegionCode | None, Ref("regions", "region")] = None
    scene: Scene | None = None
    halls: tuple[Annotated[str, Ref("halls", "hall")], ...] = ()


class DemoAccounts(Record):
    password: Text
    citizens: records(DemoCitizen, "id_number")
    enterprises: records(DemoEnterprise, "credit_code")
    staff: records(DemoStaff, "username")


def read_demo_accounts(path: Path = DEMO_FILE) -> DemoAccounts:
    """The demo accounts file, its references checked against the catalog, halls and older code types."""
    files = read_all({"accounts": path, "regions": DATA_DIR / "regions.yaml",
                      "departments": DATA_DIR / "departments.yaml",
                      "certificateTypes": DATA_DIR / "certificate_types.yaml", "halls": HALLS_FILE,
                      "legacyCodeTypes": TYPES_FILE})
    data = files.pop("accounts")
    context = {kind: codes(value.get("halls") if kind == "halls" and isinstance(value, dict) else value)
               for kind, value in files.items()}
    context["citizens"] = codes(data.get("citizens") if isinstance(data, dict) else None, "idNumber")
    return validate(Path(path).name, DemoAccounts, data, context)


async def _holder(kind: AccountKind, passwords: Passwords, password: str, **fields: Any) -> Account:
    key = {"id_number": fields["id_number"]} if kind is AccountKind.CITIZEN else {"credit_code": fields["credit_code"]}
    account = await Account.get_or_none(**key)
    if account is None:
        account = await Account.create(kind=kind, password_hash=await passwords.hash(password),
                                       password_changed_at=datetime.now(timezone.utc), **fields)
    return account


async def _licences(holder: Account, entries: tuple[DemoCertificate, ...]) -> None:
    held = set(await Certificate.filter(holder_id=holder.id).values_list("type_code", flat=True))
    for entry in entries:
        if entry.type in held:
            continue
        kind = await CertificateType.get(code=entry.type)
        certificate = await licences.issue(holder.id, kind.code, kind.issuer_code, dict(entry.data),
                                           issued_at=entry.issued)
        if entry.number:
            await Certificate.filter(id=certificate.id).update(number=entry.number)


async def seed_demo_accounts(passwords: Passwords, path: Path = DEMO_FILE) -> dict[str, int]:
    """Create the demo holders with their licences and older codes, the enterprise with its agent, and staff."""
    data = read_demo_accounts(path)
    password = data.password
    counts = {"citizens": 0, "enterprises": 0, "staff": 0}
    async with in_transaction():
        for c in data.citizens:
            holder = await _holder(AccountKind.CITIZEN, passwords, password, name=c.name, id_number=c.id_number,
                                   phone=c.phone)
            await _licences(holder, c.certificates)
            for code in c.legacy_codes:
                await LegacyCode.get_or_create(code_type=code.type, value=code.value,
                                               defaults={"holder_id": holder.id})
            counts["citizens"] += 1
        for e in data.enterprises:
            holder = await _holder(AccountKind.ENTERPRISE, passwords, password, name=e.name, credit_code=e.credit_code,
                                   legal_representative_id_number=e.legal_representative_id_number, phone=e.phone,
                                   industry=e.industry.value if e.industry else None)
            if e.industry and holder.industry is None:  # seeded before enterprises had industries
                await Account.filter(id=holder.id).update(industry=e.industry.value)
            await _licences(holder, e.certificates)
            for agent_id_number in e.agents:
                agent = await Account.get(id_number=agent_id_number)
                if not await EnterpriseAgent.exists(enterprise_id=holder.id, agent_id=agent.id, revoked_at__isnull=True):
                    await EnterpriseAgent.create(enterprise_id=holder.id, agent_id=agent.id)
            counts["enterprises"] += 1
    for s in data.staff:
        staff = await Account.get_or_none(username=s.username)
        if staff is None:
            await create_staff_in_halls(passwords, username=s.username, password=password, role=s.role,
                                        department_code=s.department, region_code=s.region, name=s.name,
                                        scene=s.scene.value if s.scene else None, halls=s.halls)
        else:  # seeded before clerks had halls
            await bind_clerk(staff, s.halls)
        counts["staff"] += 1
    return counts


class DemoBasis(Record):
    title: Text
    department: Annotated[DepartmentCode, Ref("departments", "department")]
    url: Text | None = None


class DemoAnswer(Record):
    """A policy answer of the seat's knowledge base (portal/demo/knowledge.yaml)."""

    code: Text
    title: Text
    phrasings: tuple[Text, ...] = ()
    answer: Text
    basis: DemoBasis
    category: AppealCategory
    region: Annotated[RegionCode, Ref("regions", "region")]
    valid_from: Annotated[date, Field(strict=False)]
    valid_until: Annotated[date | None, Field(strict=False)] = None
    status: KnowledgeStatus = KnowledgeStatus.PUBLISHED


def read_demo_knowledge(path: Path = KNOWLEDGE_FILE) -> tuple[DemoAnswer, ...]:
    """The demo answers, their departments and regions checked against the catalog."""
    files = read_all({"answers": path, "regions": DATA_DIR / "regions.yaml",
                      "departments": DATA_DIR / "departments.yaml"})
    data = files.pop("answers")
    return validate(Path(path).name, records(DemoAnswer), data, {kind: codes(v) for kind, v in files.items()})


async def seed_demo_knowledge(path: Path = KNOWLEDGE_FILE) -> dict[str, int]:
    """The demo answers, written by the 96178 seat through the knowledge base's rules (so each has its history:
    新建, then 发布, and 撤回 for a withdrawn one); call after ``seed_demo_accounts``."""
    seat = await Account.get(username=KNOWLEDGE_EDITOR)
    editor = Principal(account_id=seat.id, kind=AccountKind.STAFF, name=seat.name, role=seat.role,
                       department_code=seat.department_code, region_code=seat.region_code, session_id=0,
                       expires_at=datetime.now(timezone.utc) + timedelta(minutes=5))
    actor = Actor(seat.id, editor.label, terminal="seed")
    loaded = 0
    for answer in read_demo_knowledge(path):
        key = f"demo-{answer.code}"
        if await KnowledgeEntry.exists(created_by_id=seat.id, idempotency_key=key):
            continue
        draft = knowledge.Draft(title=answer.title, phrasings=answer.phrasings, answer=answer.answer,
                                basis_title=answer.basis.title, basis_department_code=answer.basis.department,
                                basis_url=answer.basis.url, category=answer.category, region_code=answer.region,
                                valid_from=answer.valid_from, valid_until=answer.valid_until)
        entry = await knowledge.create(editor, actor, draft, key)
        if answer.status is not KnowledgeStatus.DRAFT:
            entry = await knowledge.publish(editor, actor, entry.entry_id, entry.number)
        if answer.status is KnowledgeStatus.WITHDRAWN:
            await knowledge.withdraw(editor, actor, entry.entry_id, entry.number, "政策执行期满，停止答复")
        loaded += 1
    return {"answers": loaded}
