"""Ids and cursors from clients: anything that cannot name a row names nothing, and never becomes an
internal error (other scripts' digits pass ``str.isdigit``; a 20-digit number overflows the column)."""

from __future__ import annotations

import base64
from typing import Any

import httpx
import pytest

from portal.problems import MAX_ROW_ID, row_id

CANNOT_NAME_A_ROW = ["²", "١", "٣٤", "12a", "", "-1", " 7", "99999999999999999999", str(MAX_ROW_ID + 1)]


@pytest.mark.parametrize("value", CANNOT_NAME_A_ROW)
def test_a_value_that_cannot_be_a_row_id_is_none(value: str) -> None:
    assert row_id(value) is None


def test_ascii_digits_within_the_column_are_row_ids() -> None:
    assert (row_id("0"), row_id("42"), row_id(str(MAX_ROW_ID))) == (0, 42, MAX_ROW_ID)


@pytest.mark.parametrize("value", CANNOT_NAME_A_ROW)
async def test_queries_by_such_an_id_find_nothing(gql: Any, value: str) -> None:
    body = await gql("query($id: ID!) { application(id: $id) { id } appeal(id: $id) { id } }", {"id": value})
    assert body == {"data": {"application": None, "appeal": None}}


async def test_a_mutation_on_such_an_id_is_not_found(gql: Any) -> None:
    from tests.helpers import registered_citizen

    signed = await registered_citizen()
    body = await gql('mutation { supplementApplication(id: "²", formValues: {}, idempotencyKey: "k-1") '
                     '{ __typename ... on UserError { code } } }', token=signed.token)
    assert body["data"]["supplementApplication"] == {"__typename": "NotFound", "code": "NOT_FOUND"}


async def test_a_cursor_with_an_offset_beyond_any_row_is_refused(gql: Any) -> None:
    cursor = base64.urlsafe_b64encode(b"offset:99999999999999999999").decode().rstrip("=")
    body = await gql("query($after: String) { bundles(first: 1, after: $after) { totalCount } }", {"after": cursor})
    assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


async def test_open311_answers_404_for_a_request_id_that_cannot_exist(client: httpx.AsyncClient) -> None:
    for raw in ("²", "99999999999999999999"):
        assert (await client.get(f"/open311/v2/requests/{raw}.json")).status_code == 404
    listing = await client.get("/open311/v2/requests.json", params={"service_request_id": "1,²"})
    assert listing.status_code == 400
