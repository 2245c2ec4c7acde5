"""Region codes (GB/T 2260): six ASCII digits, and one rule for which region covers which."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.problems import InvalidField
from portal.regions import check_region_code, covering, covers, is_region_code, within

# Not region codes: 8 digits (read as a prefix, "37010000" was the whole province), 5 digits, full-width and
# Arabic-Indic digits, letters, an over-long code, a space, nothing.
NOT_REGION_CODES = ["37010000", "37010", "３７０１００", "٣٧٠١٠٠", "37O1OO", "3701" + "0" * 30, "370100 ", ""]
CODES = st.from_regex(r"37[0-9]{2}(00|[0-9]{2})", fullmatch=True) | st.sampled_from(["370000", "370100", "370102"])


@pytest.mark.parametrize("value", NOT_REGION_CODES)
def test_a_region_code_is_exactly_six_ascii_digits(value: str) -> None:
    assert not is_region_code(value)
    with pytest.raises(InvalidField) as refused:
        check_region_code("regionCode", value)
    assert (refused.value.field, refused.value.code) == ("regionCode", "BAD_REGION")
    with pytest.raises(ValueError):
        within(value)
    assert not covers("370000", value) and not covers(value, "370102")


def test_a_province_covers_its_cities_and_counties_a_city_its_counties_a_county_itself() -> None:
    assert check_region_code("regionCode", "370102") == "370102"
    assert covers("370000", "370102") and covers("370000", "370200") and covers("370000", "370000")
    assert covers("370100", "370102") and covers("370100", "370100") and not covers("370100", "370202")
    assert covers("370102", "370102") and not covers("370102", "370103") and not covers("370102", "370100")
    assert not covers("370100", "370000") and not covers("370000", "410100")
    assert covering("370102") == ["370102", "370100", "370000"]
    assert covering("370100") == ["370100", "370000"] and covering("370000") == ["370000"]


def test_the_query_filter_is_the_same_rule_in_sql() -> None:
    assert within("370000").filters == {"region_code__startswith": "37", "region_code__gte": "37",
                                        "region_code__lt": "38"}
    assert within("370900", "region").filters == {"region__startswith": "3709", "region__gte": "3709",
                                                  "region__lt": "370:"}
    assert within("370102").filters == {"region_code": "370102"}


@given(scope=CODES, region=CODES)
def test_covers_and_covering_agree(scope: str, region: str) -> None:
    assert covers(scope, region) == (scope in covering(region))
