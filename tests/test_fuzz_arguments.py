"""Property test of the whole API surface: hostile values at every argument of every query and mutation of the
schema, signed in as each role. No answer may be an internal error, none may take a second.

The documents are built from the schema itself, so a field added tomorrow is fuzzed too. The values are what
an attacker tries: over-long text, control and direction characters, other scripts' digits, lone surrogates,
numbers at and past the 32-bit and 53-bit edges, dates at year 1 and 9999, JSON nested deep.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from datetime import date, datetime
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from hypothesis import HealthCheck, given, settings, strategies as st

from portal.api.schema import schema
from portal.audit.rules import Actor
from portal.identity.models import Role
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff, login, register_enterprise
from tests.helpers import new_credit_code, new_id_number, new_phone, registered_citizen

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from([
        "", " ", "9" * 5001, "x" * 31, "x" * 61, "x" * 101, "x" * 199, "码" * 300, "37010000", "３７０１００", "٣٧٠١٠٠", "370102\u202e", "\x00", "\ufeffnewborn",
        "new\u200bborn", "\ud800", "\udfff", "a\r\nb", "'; DROP TABLE account; --", "../../etc/passwd", "%00",
        "newborn", "370000", "370102", "JNSMZX", "QYKB", "JNSMZX-01", "LODGING", "1", "0", "-1", "2147483648",
        "91370102MA3C5QX1XY", "91370102MA3C5QX1XY9", "+86 138-0531-0001", "１３８０５３１０００１",
    ]),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cf", "Nd", "Zs", "Lo"]), max_size=60),
)
# Most values look right, so that requests get past the edge's checks into the rules; one in four is hostile.
PLAUSIBLE_TEXT = st.sampled_from([
    "newborn", "370000", "370100", "370102", "370100-SCJGJ", "370000-GAJ-001", "JNSMZX", "QYKB", "JNSMZX-01",
    "LODGING", "HOSPITAL", "1", "2", "999999", "91370102MA3C5QX1XY", "13805310001", "李梅", "Demo-Portal-2115",
    "k-1", "k-2", "MDAx", "b2Zmc2V0OjE", "出生", "上户口", "401", "母亲", "HEALTH", "已联系企业"])
TEXT = st.one_of(PLAUSIBLE_TEXT, PLAUSIBLE_TEXT, PLAUSIBLE_TEXT, HOSTILE_TEXT)
EXTREME_INT = st.one_of(st.sampled_from([0, -1, 1, 100, 101, 2**31 - 1, -(2**31), 2**31, 2**53 + 1, 10**30]),
                        st.integers(-(2**40), 2**40))
DAY = st.one_of(st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(str),
                st.dates(date(2020, 1, 1), date(2030, 12, 31)).map(str), st.sampled_from(["0001-01-01", "9999-12-31", "1899-12-31", "2200-01-01", "2026-02-29",
                                 "2026-13-01", "", "yesterday"]), st.dates().map(str))
INSTANT = st.one_of(st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31)).map(lambda t: f"{t.isoformat()}+08:00"),
                    st.sampled_from(["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00",
                                     "2026-10-01T09:00:00+08:00", "2026-10-01T09:00:00", "not a time"]),
                    st.datetimes().map(lambda moment: moment.isoformat()))
JSON_VALUE = st.recursive(
    st.one_of(st.none(), st.booleans(), EXTREME_INT, st.floats(allow_nan=False, allow_infinity=False), HOSTILE_TEXT),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(HOSTILE_TEXT, inner, max_size=4)),
    max_leaves=20)
DEEP_JSON = st.integers(1, 900).map(lambda depth: _nest(depth))
SCALARS: dict[str, st.SearchStrategy[Any]] = {
    "String": TEXT, "ID": TEXT, "Int": st.one_of(st.integers(0, 30), st.integers(0, 30), EXTREME_INT), "Float": st.floats(allow_nan=False),
    "Boolean": st.booleans(), "Date": DAY, "DateTime": INSTANT,
    "JSON": st.one_of(st.dictionaries(HOSTILE_TEXT, JSON_VALUE, max_size=6), DEEP_JSON),
}


def _nest(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def value_for(type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    """Values for an input type, null included where the type allows it."""
    if isinstance(type_, GraphQLNonNull):
        return _non_null(type_.of_type)
    return st.one_of(st.none(), _non_null(type_))


def _non_null(type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLList):
        return st.lists(value_for(type_.of_type), max_size=3)
    if isinstance(type_, GraphQLEnumType):
        return st.one_of(st.sampled_from(list(type_.values)), st.sampled_from(list(type_.values)), HOSTILE_TEXT)
    if isinstance(type_, GraphQLInputObjectType):
        return st.fixed_dictionaries({name: value_for(field.type) for name, field in type_.fields.items()})
    assert isinstance(type_, GraphQLScalarType), type_
    return SCALARS[type_.name]


def operation(kind: str, name: str, field: GraphQLField) -> str:
    """``kind($a: T ...) { name(a: $a ...) { __typename } }``, every argument a variable."""
    variables = ", ".join(f"${argument}: {field.args[argument].type}" for argument in field.args)
    arguments = ", ".join(f"{argument}: ${argument}" for argument in field.args)
    selection = "" if is_leaf_type(get_named_type(field.type)) else " { __typename }"
    return f"{kind}({variables}) {{ {name}({arguments}){selection} }}"


# Every query and mutation that takes an argument (what takes none has nothing to fuzz).
ROOT_FIELDS = [(kind, name, field)
               for kind, root in (("query", schema._schema.query_type), ("mutation", schema._schema.mutation_type))
               for name, field in root.fields.items() if field.args]
REQUESTS = st.sampled_from(ROOT_FIELDS).flatmap(
    lambda chosen: st.fixed_dictionaries({name: value_for(argument.type) for name, argument in chosen[2].args.items()})
    .map(lambda variables: (operation(*chosen), variables)))

ROLES = ["anonymous", "citizen", "enterprise", *(role.value for role in Role)]
_staff = itertools.count(1)


async def token_of(role: str) -> str | None:
    passwords, actor = Passwords("test"), Actor(None, "test", "10.253.0.1")
    if role == "anonymous":
        return None
    if role == "citizen":
        return (await registered_citizen()).token
    if role == "enterprise":
        return (await register_enterprise(passwords, actor, name="模糊测试有限公司", credit_code=new_credit_code(),
                                          legal_representative_id_number=new_id_number(), phone=new_phone(),
                                          password="Enterprise-2115!x")).token
    username = f"fuzz-{role.lower()}-{next(_staff)}"
    await create_staff(passwords, username=username, password="Fuzz-Staff-2115", role=Role(role),
                       department_code="370100-SCJGJ" if role == "DEPARTMENT_HANDLER" else None,
                       region_code="370100", name="模糊测试", scene="LODGING" if role == "SCENE_OPERATOR" else None)
    return (await login(passwords, actor, username=username, password="Fuzz-Staff-2115")).token


@pytest.mark.parametrize("role", ROLES)
async def test_no_argument_value_makes_an_internal_error_or_a_slow_answer(client: httpx.AsyncClient,
                                                                         role: str) -> None:
    token = await token_of(role)
    headers = {"content-type": "application/json", **({"authorization": f"Bearer {token}"} if token else {})}

    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.function_scoped_fixture])
    @given(request=REQUESTS)
    def probe(request: tuple[str, dict[str, Any]]) -> None:
        document, variables = request
        # ensure_ascii: a lone surrogate travels as the \ud800 escape a hostile client would send.
        body = json.dumps({"query": document, "variables": variables}, ensure_ascii=True)
        started = time.perf_counter()
        response = asyncio.run_coroutine_threadsafe(
            client.post("/graphql", content=body, headers=headers), loop).result(timeout=30)
        elapsed = time.perf_counter() - started
        assert response.status_code in (200, 400), (document, response.status_code, response.text[:300])
        codes = [(error.get("extensions") or {}).get("code") for error in response.json().get("errors", ())]
        assert "INTERNAL_ERROR" not in codes, (document, variables, response.text[:500])
        assert None not in codes, (document, response.text[:500])  # every error names itself
        # A pathological input (a regular expression or a walk gone exponential) takes minutes; a normal answer
        # takes milliseconds, and a loaded CI machine can stretch that past a second, never past five.
        assert elapsed < 5.0, (document, elapsed)

    # Hypothesis drives a plain function: it runs in a thread and sends each request to the test's loop.
    loop = asyncio.get_running_loop()
    await asyncio.to_thread(probe)
