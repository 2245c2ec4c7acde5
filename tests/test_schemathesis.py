"""schemathesis against a real `portal serve`: documents generated from the exported schema (every query and
mutation, literal arguments of every shape), bounded in examples; no answer may be a server error.

schemathesis knows GraphQL's own scalars; the portal's Date, DateTime and JSON get generators here (the
issue's "generator hook"), each with the hostile values too.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import graphql
import pytest
import schemathesis
from hypothesis import HealthCheck, settings, strategies as st
from schemathesis.graphql import nodes

from portal.config import SCHEMA_PATH
from tests.helpers import portal_server

TEXT = st.one_of(st.text(max_size=30), st.sampled_from(["\x00", "\u202e", "\ud800", "9" * 6000, "370102"]))
schemathesis.graphql.scalar("Date", st.one_of(
    st.dates(date(1, 1, 1), date(9999, 12, 31)).map(str), st.sampled_from(["0001-01-01", "9999-12-31"]), TEXT
).map(nodes.String))
schemathesis.graphql.scalar("DateTime", st.one_of(
    st.datetimes().map(lambda moment: moment.isoformat()), st.sampled_from(["9999-12-31T23:59:59-12:00"]), TEXT
).map(nodes.String))


def _object(fields: dict[str, graphql.ValueNode]) -> graphql.ObjectValueNode:
    return nodes.Object([graphql.ObjectFieldNode(name=graphql.NameNode(value=key), value=value)
                         for key, value in fields.items()])


JSON_LEAF = st.one_of(st.integers(-(2**60), 2**60).map(nodes.Int), TEXT.map(nodes.String), st.just(nodes.Null))
schemathesis.graphql.scalar("JSON", st.recursive(
    JSON_LEAF,
    lambda inner: st.one_of(st.lists(inner, max_size=3).map(nodes.List),
                            st.dictionaries(st.from_regex(r"[a-z][a-zA-Z.]{0,12}", fullmatch=True), inner,
                                            max_size=4).map(_object)),
    max_leaves=12))

schema = schemathesis.graphql.from_path(SCHEMA_PATH)


@pytest.fixture(scope="module")
def portal_url(database_url: str) -> Iterator[str]:
    with portal_server(database_url) as base:
        yield base


@schema.parametrize()
@settings(max_examples=15, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_no_generated_request_is_a_server_error(case: schemathesis.Case, portal_url: str) -> None:
    response = case.call(base_url=f"{portal_url}/graphql")
    assert response.status_code < 500, response.text[:500]
    body = response.json()
    codes = [(error.get("extensions") or {}).get("code") for error in body.get("errors", ())]
    assert "INTERNAL_ERROR" not in codes, (case.body, response.text[:500])
