"""The demo accounts (portal/demo/accounts.yaml) let the whole demo be played from browsers: a handler for every
department a catalog item names (every bundle's, and every single item's), a clerk in every demo hall, and an account
of every staff role."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from portal.catalog.seed import seed_catalog
from portal.catalog.source import DATA_DIR, read_catalog
from portal.halls.models import HallClerk
from portal.halls.seed import HALLS_FILE, seed_halls
from portal.identity.models import Account, Role
from portal.identity.passwords import Passwords
from portal.lutong.models import Certificate
from portal.lutong.scenes import Scene
from portal.demo import CHINA, DEMO_FILE, read_demo_accounts, seed_demo_accounts
from portal.sources import SourceError


def load(path: Any) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def bundle_departments() -> set[str]:
    items = {i["code"]: i["department"] for i in load(DATA_DIR / "items.yaml")}
    return {items[member["item"]] for bundle in load(DATA_DIR / "bundles.yaml") for member in bundle["items"]}


def item_departments() -> set[str]:
    return {i["department"] for i in load(DATA_DIR / "items.yaml")}


STAFF = load(DEMO_FILE)["staff"]


def test_every_department_of_a_demo_bundle_and_of_a_single_item_has_a_demo_handler() -> None:
    handlers = [s["department"] for s in STAFF if s["role"] == "DEPARTMENT_HANDLER"]
    assert len(bundle_departments()) == 60 and len(item_departments()) == 63
    assert bundle_departments() <= item_departments()
    assert sorted(handlers) == sorted(item_departments())


def test_every_demo_hall_has_a_demo_clerk() -> None:
    halls = {h["code"] for h in load(HALLS_FILE)["halls"]}
    served = {hall for s in STAFF if s["role"] == "WINDOW_CLERK" for hall in s["halls"]}
    assert halls == {"JNSMZX", "QDSMZX", "LXQZWFW"} and halls - served == set()


def test_every_role_scene_and_region_level_has_a_demo_account() -> None:
    assert {s["role"] for s in STAFF} == {r.value for r in Role}
    assert {s["scene"] for s in STAFF if s["role"] == "SCENE_OPERATOR"} == {s.value for s in Scene}
    assert {s["region"] for s in STAFF if s["role"] == "SUPERVISOR"} == {"370000", "370100", "370200", "370102"}
    usernames = [s["username"] for s in STAFF]
    assert len(usernames) == len(set(usernames))
    assert {"window-jinan", "handler-wjw", "handler-gaj", "handler-scjgj", "handler-sjwjw", "handler-ybj",
            "handler-rst", "seat-96178", "supervisor-jinan", "hotel-shungeng"} <= set(usernames)


async def test_seeding_creates_them_bound_to_their_departments_and_halls_once(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    await seed_halls()
    for _ in range(2):  # seeding twice changes nothing
        counts = await seed_demo_accounts(Passwords("test"))
        assert counts["staff"] == len(STAFF)
    handlers = await Account.filter(role=Role.DEPARTMENT_HANDLER).values_list("department_code", flat=True)
    assert sorted(handlers) == sorted(item_departments())
    bound = await HallClerk.all().values_list("account__username", "hall_id")
    assert sorted(bound) == [("window-jinan", "JNSMZX"), ("window-jinan-2", "JNSMZX"), ("window-lixia", "LXQZWFW"),
                             ("window-qingdao", "QDSMZX")]
    assert await Account.filter(role__isnull=False).count() == len(STAFF)


def test_the_demo_accounts_file_is_checked_against_the_catalog_halls_and_older_code_types(tmp_path: Path) -> None:
    accounts = read_demo_accounts()
    assert len(accounts.staff) == len(STAFF) and accounts.citizens[0].legacy_codes[0].type == "HEALTH_CODE"
    raw = copy.deepcopy(load(DEMO_FILE))
    citizen, other, enterprise, clerk = raw["citizens"][0], raw["citizens"][1], raw["enterprises"][0], raw["staff"][0]
    citizen["idNumber"] = citizen["idNumber"][:-1] + ("0" if citizen["idNumber"][-1] != "0" else "1")
    other["certificates"][0]["type"] = "FLYING_LICENCE"
    enterprise["agents"] = ["370102199001010000"]
    clerk["halls"] = ["NOHALL"]
    clerk["colour"] = "red"
    broken = tmp_path / "accounts.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        read_demo_accounts(broken)
    problems = refused.value.problems
    assert len(problems) == 5
    assert problems[0].startswith(f"accounts.yaml: {citizen['idNumber']}: idNumber: ")
    assert problems[1:] == [
        f"accounts.yaml: {other['idNumber']}: certificates[0].type: unknown certificate type FLYING_LICENCE",
        f"accounts.yaml: {enterprise['creditCode']}: agents[0]: unknown demo citizen 370102199001010000",
        f"accounts.yaml: {clerk['username']}: halls[0]: unknown hall NOHALL",
        f"accounts.yaml: {clerk['username']}: colour: unknown key",
    ]


def test_demo_licences_were_issued_over_the_years_after_their_holders_were_born(tmp_path: Path) -> None:
    accounts = read_demo_accounts()
    issued = [(c.id_number, certificate.issued_at) for c in accounts.citizens for certificate in c.certificates]
    assert len({day.year for _, day in issued}) >= 5
    assert all(day.isoformat().replace("-", "") > born[6:14] for born, day in issued)
    raw = copy.deepcopy(load(DEMO_FILE))
    citizen, other, enterprise = raw["citizens"][0], raw["citizens"][1], raw["enterprises"][0]
    citizen["certificates"][0]["issuedAt"] = "1980-01-01"
    other["certificates"][1].pop("issuedAt")
    enterprise["certificates"][0]["issuedAt"] = "2999-01-01"
    broken = tmp_path / "accounts.yaml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(SourceError) as refused:
        read_demo_accounts(broken)
    assert refused.value.problems == [
        f"accounts.yaml: {citizen['idNumber']}: certificates[0].issuedAt: 1980-01-01 is before the holder was born "
        "(1988-03-12)",
        f"accounts.yaml: {other['idNumber']}: certificates[1].issuedAt: required",
        f"accounts.yaml: {enterprise['creditCode']}: certificates[0].issuedAt: 2999-01-01 is in the future",
    ]


async def test_seeded_demo_licences_keep_their_issue_dates(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    await seed_halls()
    await seed_demo_accounts(Passwords("test"))
    holder = await Account.get(id_number="370102198803120523")
    dates = dict(await Certificate.filter(holder_id=holder.id).values_list("type_code", "issued_at"))
    assert dates["RESIDENT_ID_CARD"].astimezone(CHINA).date().isoformat() == "2018-06-20"
    assert dates["MARRIAGE_CERTIFICATE"].astimezone(CHINA).date().isoformat() == "2014-05-20"
    number = await Certificate.get(holder_id=holder.id, type_code="SOCIAL_SECURITY_CARD").values_list("number",
                                                                                                     flat=True)
    assert "20210914" in number
