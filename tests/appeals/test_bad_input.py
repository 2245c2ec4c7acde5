"""What the appeals zone refuses, and how: region codes (six ASCII digits; a county's supervisor sees that
county), reporting days the calendar knows, and anonymous callers of the signed-in queries."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from portal.appeals import rules
from portal.appeals.api import alert_stream_of
from portal.appeals.models import AppealStatus
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.identity.models import AccountKind, Role
from portal.identity.principal import Principal
from portal.workdays import SHANGHAI
from tests.appeals.test_appeals import file
from tests.appeals.test_sweep_and_figures import NOW
from tests.appeals.test_sweep_and_figures import appeal as appeal_row
from tests.evaluations.test_evaluations import supervisor
from tests.identity.test_delegation import enterprise
from tests.test_regions import NOT_REGION_CODES

STATS = "query($r: String!, $f: Date!, $t: Date!) { appealStats(regionCode: $r, from: $f, to: $t) { received } }"
BY_DEPARTMENT = ("query($r: String!, $f: Date!, $t: Date!) { appealStatsByDepartment(regionCode: $r, from: $f, "
                 "to: $t) { departmentCode } }")
TOPICS = "query($r: String!) { meetingTopics(regionCode: $r, first: 100) { edges { node { id regionCode } } } }"
SIMILAR = "query($id: ID!) { similarAppeals(id: $id) { score } }"
SIGNED_IN_ONLY = [
    ("appealsToRoute", "{ appealsToRoute { totalCount } }", {}),
    ("departmentAppeals", "{ departmentAppeals { totalCount } }", {}),
    ("meetingTopics", TOPICS, {"r": "370100"}),
    ("similarAppeals", SIMILAR, {"id": "1"}),
]
A_MONTH = {"f": "2026-03-01", "t": "2026-03-31"}
BAD_REGION = {"code": "INVALID_ARGUMENT", "field": "regionCode"}


def ids(body: dict[str, Any]) -> set[str]:
    assert "errors" not in body, body
    return {e["node"]["id"] for e in body["data"]["meetingTopics"]["edges"]}


async def topic_in(region: str) -> str:
    row = await appeal_row(region=region, status=AppealStatus.OPINION_GIVEN,
                           meeting_topic_at=datetime.now(timezone.utc))
    return str(row.id)


# --- region codes ----------------------------------------------------------------------------------------------


async def test_a_region_code_other_than_six_ascii_digits_is_an_invalid_argument(gql: Any) -> None:
    administrator = await supervisor("370000", Role.ADMIN)
    for code in NOT_REGION_CODES:
        for document, variables in ((STATS, A_MONTH), (BY_DEPARTMENT, A_MONTH), (TOPICS, {})):
            body = await gql(document, {"r": code, **variables}, token=administrator)
            assert body["data"] is None and body["errors"][0]["extensions"] == BAD_REGION, (code, document)


async def test_an_eight_digit_code_reads_no_province_wide_meeting_topics(gql: Any) -> None:
    qingdao, jinan = await topic_in("370202"), await topic_in("370102")
    supervisor_of_jinan = await supervisor("370100")
    leak = await gql(TOPICS, {"r": "37010000"}, token=supervisor_of_jinan)
    assert leak["data"] is None and leak["errors"][0]["extensions"] == BAD_REGION
    own = ids(await gql(TOPICS, {"r": "370100"}, token=supervisor_of_jinan))
    assert jinan in own and qingdao not in own


async def test_a_county_supervisor_sees_its_county_and_a_city_supervisor_its_counties(gql: Any) -> None:
    lixia, shizhong, qingdao = await topic_in("370102"), await topic_in("370103"), await topic_in("370202")
    county, city = await supervisor("370102"), await supervisor("370100")
    seen = ids(await gql(TOPICS, {"r": "370102"}, token=county))
    assert lixia in seen and shizhong not in seen and qingdao not in seen
    for wider in ("370100", "370000", "370103"):
        denied = await gql(TOPICS, {"r": wider}, token=county)
        assert denied["errors"][0]["extensions"] == {"code": "FORBIDDEN"}, wider
    seen = ids(await gql(TOPICS, {"r": "370100"}, token=city))
    assert {lixia, shizhong} <= seen and qingdao not in seen
    seen = ids(await gql(TOPICS, {"r": "370103"}, token=city))
    assert shizhong in seen and lixia not in seen


async def test_the_figures_of_a_county_count_that_county_only(empty_database: str) -> None:
    await seed_catalog(read_catalog())
    for region in ("370102", "370102", "370103", "370202"):
        await appeal_row(region=region)
    today = NOW.astimezone(SHANGHAI).date()
    received = {code: (await rules.stats(code, today, today))["received"]
                for code in ("370102", "370103", "370100", "370000")}
    assert received == {"370102": 2, "370103": 1, "370100": 3, "370000": 4}


def staff(role: Role, region: str | None) -> Principal:
    return Principal(account_id=0, kind=AccountKind.STAFF, name="督办", role=role, department_code=None,
                     region_code=region, session_id=0, expires_at=datetime.now(timezone.utc))


def test_a_countys_supervisors_hear_its_alerts_and_not_the_neighbours() -> None:
    assert rules.alert_streams("370100-SCJGJ", "370103") == [
        "alerts:department:370100-SCJGJ", "alerts:region:370103", "alerts:region:370100", "alerts:region:370000"]
    assert rules.alert_streams(None, "370100") == ["alerts:region:370100", "alerts:region:370000"]
    assert alert_stream_of(staff(Role.SUPERVISOR, "370102")) == "alerts:region:370102"
    assert alert_stream_of(staff(Role.SUPERVISOR, "370100")) == "alerts:region:370100"
    assert alert_stream_of(staff(Role.ADMIN, None)) == "alerts:region:370000"


# --- dates -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "last", "field"), [
    ("0001-01-01", "0001-01-31", "from"), ("9999-12-01", "9999-12-31", "from"), ("2026-12-01", "9999-12-31", "to"),
    ("0001-01-01", "2026-01-01", "from"), ("1999-12-31", "2000-01-31", "from"), ("2100-12-01", "2101-01-01", "to")])
async def test_a_day_outside_the_calendars_years_is_an_invalid_argument(gql: Any, first: str, last: str,
                                                                        field: str) -> None:
    for document in (STATS, BY_DEPARTMENT):
        body = await gql(document, {"r": "370100", "f": first, "t": last})
        assert body["data"] is None, body
        assert body["errors"][0]["extensions"] == {"code": "INVALID_ARGUMENT", "field": field}


async def test_the_first_and_last_years_of_the_calendar_are_reported(gql: Any) -> None:
    for first, last in (("2000-01-01", "2000-12-31"), ("2100-01-01", "2100-12-31")):
        for document in (STATS, BY_DEPARTMENT):
            assert "errors" not in await gql(document, {"r": "370100", "f": first, "t": last})


# --- anonymous callers -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "document", "variables"), SIGNED_IN_ONLY, ids=[q[0] for q in SIGNED_IN_ONLY])
async def test_an_anonymous_caller_of_a_signed_in_query_is_unauthenticated(gql: Any, name: str, document: str,
                                                                            variables: dict[str, Any]) -> None:
    body = await gql(document, variables)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "UNAUTHENTICATED"}
    assert body["errors"][0]["message"] == "请先登录"


async def test_similar_appeals_of_someone_elses_appeal_are_not_found(gql: Any) -> None:
    company = await enterprise(gql)
    appeal = await file(gql, company["token"])
    body = await gql(SIMILAR, {"id": appeal["id"]}, token=company["token"])
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND"}
