"""Demo accounts, e-licences and older codes for trying the portal (`portal seed --demo`, development only).

Idempotent: an account that exists (by ID number, credit code or username) is left as it is, and a holder is
given a licence type only if it holds none of that type.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml
from tortoise.transactions import in_transaction

from portal.catalog.models import CertificateType
from portal.halls.rules import bind_clerk, create_staff_in_halls
from portal.identity.models import Account, AccountKind, EnterpriseAgent, Role
from portal.identity.numbers import check_credit_code, check_id_number, check_phone
from portal.identity.passwords import Passwords
from portal.lutong import rules as licences
from portal.lutong.models import Certificate, LegacyCode

DEMO_FILE = Path(__file__).with_name("accounts.yaml")


async def _holder(kind: AccountKind, passwords: Passwords, password: str, **fields: Any) -> Account:
    key = {"id_number": fields["id_number"]} if kind is AccountKind.CITIZEN else {"credit_code": fields["credit_code"]}
    account = await Account.get_or_none(**key)
    if account is None:
        account = await Account.create(kind=kind, password_hash=await passwords.hash(password),
                                       password_changed_at=datetime.now(timezone.utc), **fields)
    return account


async def _licences(holder: Account, entries: list[dict[str, Any]]) -> None:
    held = set(await Certificate.filter(holder_id=holder.id).values_list("type_code", flat=True))
    for entry in entries:
        if entry["type"] in held:
            continue
        kind = await CertificateType.get(code=entry["type"])
        certificate = await licences.issue(holder.id, kind.code, kind.issuer_code, entry.get("data", {}))
        if entry.get("number"):
            await Certificate.filter(id=certificate.id).update(number=entry["number"])


async def seed_demo_accounts(passwords: Passwords, path: Path = DEMO_FILE) -> dict[str, int]:
    """Create the demo holders with their licences and older codes, the enterprise with its agent, and staff."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    password = data["password"]
    counts = {"citizens": 0, "enterprises": 0, "staff": 0}
    async with in_transaction():
        for c in data["citizens"]:
            holder = await _holder(AccountKind.CITIZEN, passwords, password, name=c["name"],
                                   id_number=check_id_number(c["idNumber"]), phone=check_phone(c["phone"]))
            await _licences(holder, c.get("certificates", []))
            for code in c.get("legacyCodes", []):
                await LegacyCode.get_or_create(code_type=code["type"], value=code["value"],
                                               defaults={"holder_id": holder.id})
            counts["citizens"] += 1
        for e in data["enterprises"]:
            holder = await _holder(AccountKind.ENTERPRISE, passwords, password, name=e["name"],
                                   credit_code=check_credit_code(e["creditCode"]),
                                   legal_representative_id_number=check_id_number(e["legalRepresentativeIdNumber"]),
                                   phone=check_phone(e["phone"]))
            await _licences(holder, e.get("certificates", []))
            for agent_id_number in e.get("agents", []):
                agent = await Account.get(id_number=agent_id_number)
                if not await EnterpriseAgent.exists(enterprise_id=holder.id, agent_id=agent.id, revoked_at__isnull=True):
                    await EnterpriseAgent.create(enterprise_id=holder.id, agent_id=agent.id)
            counts["enterprises"] += 1
    for s in data["staff"]:
        staff = await Account.get_or_none(username=s["username"])
        if staff is None:
            await create_staff_in_halls(passwords, username=s["username"], password=password, role=Role(s["role"]),
                               department_code=s.get("department"), region_code=s.get("region"), name=s["name"],
                               scene=s.get("scene"), halls=s.get("halls", ()))
        else:  # seeded before clerks had halls
            await bind_clerk(staff, s.get("halls", ()))
        counts["staff"] += 1
    return counts

