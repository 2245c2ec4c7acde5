"""The demo's survey: `make run` shows Jinan's survey of the last half-year with its results published."""

from __future__ import annotations

from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.demo import seed_demo_accounts
from portal.demo.surveys import seed_demo_survey
from portal.halls.seed import seed_halls
from portal.identity.passwords import Passwords
from portal.surveys import rules
from portal.surveys.models import Survey, SurveyStatus


async def test_the_demo_survey_is_answered_and_its_results_public(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    await seed_halls()
    await seed_demo_accounts(Passwords("test"))
    assert await seed_demo_survey() == 1
    assert await seed_demo_survey() == 0
    survey = await Survey.get()
    assert survey.status is SurveyStatus.RESULTS_PUBLISHED and survey.region_code == "370100"
    figures = await rules.results(None, survey.id)
    assert figures.invited == 6 and figures.responses == 5
    assert [d.department_code for d in figures.by_department] == ["370100-SWJ", "370100-SWJT", "370100-XZSPJ"]
    assert {r.region_code for r in figures.by_region} == {"370102", "370103", "370112"}
