"""The schema: each domain's root types merged into one, plus the protective extensions."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, ParserCache, QueryDepthLimiter, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from portal.api.calendar import CalendarQuery
from portal.api.errors import ERROR_TYPES, MaskUnexpectedErrors
from portal.catalog.api import CatalogQuery

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000

Query = merge_types("Query", (CatalogQuery, CalendarQuery))


class PortalSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Expected errors are answers, not incidents; unexpected ones were logged once, with their
        reference id, by ``MaskUnexpectedErrors``."""


def create_schema(*, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES,
                  max_tokens: int = MAX_TOKENS) -> strawberry.Schema:
    return PortalSchema(
        query=Query,
        types=ERROR_TYPES,
        extensions=[
            MaskUnexpectedErrors,
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            lambda: QueryDepthLimiter(max_depth=max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
            lambda: MaxTokensLimiter(max_token_count=max_tokens),
        ],
    )


schema = create_schema()


def export_sdl() -> str:
    return schema.as_str() + "\n"
