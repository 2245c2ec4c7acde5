"""The exported contract and the migrations stay in step with the code."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from graphql import build_schema
from tortoise.migrations.autodetector import MigrationAutodetector
from tortoise.migrations.recorder import MigrationRecorder

from portal import db
from portal.api.schema import export_sdl
from portal.config import PROJECT_ROOT, SCHEMA_PATH

CONTRACT_TOOL = PROJECT_ROOT.parent / "shared" / "tools" / "contract.py"


def test_schema_file_matches_the_code() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == export_sdl(), "run 'portal export-schema' and commit it"


@pytest.mark.skipif(not CONTRACT_TOOL.exists(), reason="the shared contract tool is beside the project only")
def test_catalog_area_of_the_api_contract_is_complete() -> None:
    spec = importlib.util.spec_from_file_location("contract", CONTRACT_TOOL)
    contract = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(contract)
    assert contract.missing(build_schema(export_sdl()))["catalog"] == []


async def test_migrations_cover_every_model(empty_database: str) -> None:
    from tortoise import Tortoise

    apps_config = db.tortoise_config(empty_database)["apps"]
    changes = await MigrationAutodetector(Tortoise.apps, apps_config).changes()
    assert [w.name for w in changes] == [], "models changed without a migration: run 'tortoise makemigrations'"


async def test_migrating_again_changes_nothing(empty_database: str) -> None:
    from tortoise import Tortoise

    await db.apply_migrations()
    recorder = MigrationRecorder(Tortoise.get_connection("default"))
    applied = await recorder.applied_migrations()
    names = sorted(p.stem for p in Path(db.__file__).with_name("migrations").glob("0*.py"))
    assert [key.name for key in applied] == names
