"""Cursor connections (API.md: `edges { cursor node } pageInfo { hasNextPage endCursor } totalCount`)."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

import strawberry
from tortoise.queryset import QuerySet

from portal.api.errors import ApiCode, invalid_argument
from portal.problems import row_id

DEFAULT_PAGE = 20
MAX_PAGE = 100
_PREFIX = "offset:"

NodeT = TypeVar("NodeT")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[NodeT]):
    cursor: str
    node: NodeT


@strawberry.type
class Connection(Generic[NodeT]):
    edges: list[Edge[NodeT]]
    page_info: PageInfo
    total_count: int


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{offset}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The position a cursor stands for; a cursor this API did not give out is an argument error."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if text.startswith(_PREFIX) and (offset := row_id(text[len(_PREFIX):])) is not None:
            return offset
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise invalid_argument("after", "分页游标无效，请从第一页重新查询", code=ApiCode.INVALID_CURSOR)


def page_size(first: int | None) -> int:
    """`first` defaults to 20 and is capped at 100; a larger or negative one is refused, not silently cut."""
    if first is None:
        return DEFAULT_PAGE
    if first < 0 or first > MAX_PAGE:
        raise invalid_argument("first", f"每页数量须在0到{MAX_PAGE}之间", code=ApiCode.PAGE_SIZE_OUT_OF_RANGE)
    return first


async def paginate(query: QuerySet[Any], first: int | None, after: str | None,
                   to_node: Callable[[Any], NodeT] | Callable[[Any], Awaitable[NodeT]] | None = None
                   ) -> Connection[NodeT]:
    """One page of an ordered query plus its total: two queries whatever the page size."""
    size = page_size(first)
    start = decode_cursor(after) + 1 if after else 0
    total = await query.count()
    rows = await query.offset(start).limit(size) if size else []
    nodes = [to_node(r) if to_node else r for r in rows]
    edges = [Edge(cursor=encode_cursor(start + i), node=n) for i, n in enumerate(nodes)]
    return Connection(
        edges=edges,
        page_info=PageInfo(has_next_page=start + len(rows) < total,
                           end_cursor=edges[-1].cursor if edges else None),
        total_count=total,
    )
