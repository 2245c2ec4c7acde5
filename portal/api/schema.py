"""The schema: each domain's root types merged into one, plus the protective extensions."""

from __future__ import annotations

from datetime import datetime

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.types.base_scalars import wrap_parser
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from portal.api.calendar import CalendarQuery
from portal.api.errors import ERROR_TYPES, MaskUnexpectedErrors
from portal.api.execution import PortalExecutionContext
from portal.api.limits import MAX_COST, ReportingParserCache, limit_extensions
from portal.appeals.api import AppealMutation, AppealQuery, AppealSubscription
from portal.applications.api import ApplicationMutation, ApplicationQuery, ApplicationSubscription
from portal.catalog.api import CatalogQuery
from portal.evaluations.api import EvaluationMutation, EvaluationQuery
from portal.surveys.api import SurveyMutation, SurveyQuery
from portal.workdays import SHANGHAI
from portal.api.viewer import ViewerQuery
from portal.identity.api import IdentityMutation, IdentityQuery
from portal.identity.device_api import DeviceSignInMutation, DeviceSignInQuery, DeviceSignInSubscription
from portal.halls.api import HallMutation, HallQuery, HallSubscription
from portal.knowledge.api import KnowledgeMutation, KnowledgeQuery
from portal.lutong.api import LuTongMutation, LuTongQuery
from portal.packs.api import PackMutation, PackQuery, PackSubscription
from portal.oversight.api import OversightMutation, OversightQuery

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 4000

Query = merge_types("Query", (CatalogQuery, CalendarQuery, ViewerQuery, ApplicationQuery, EvaluationQuery,
                              AppealQuery, OversightQuery, KnowledgeQuery, LuTongQuery, HallQuery, DeviceSignInQuery,
                              IdentityQuery, SurveyQuery, PackQuery))
Mutation = merge_types("Mutation", (IdentityMutation, ApplicationMutation, EvaluationMutation, AppealMutation,
                                    OversightMutation, KnowledgeMutation, LuTongMutation, HallMutation,
                                    DeviceSignInMutation, SurveyMutation, PackMutation))
Subscription = merge_types("Subscription", (ApplicationSubscription, AppealSubscription, HallSubscription,
                                            DeviceSignInSubscription, PackSubscription))


def shanghai_time(value: datetime) -> str:
    """Every instant leaves the API with the portal's civil offset, +08:00 (API.md: times with offset)."""
    return value.astimezone(SHANGHAI).isoformat()


DateTime = strawberry.scalar(name="DateTime", description="Date with time (ISO 8601, Asia/Shanghai offset)",
                             serialize=shanghai_time, parse_value=wrap_parser(datetime.fromisoformat, "DateTime"))


class PortalSchema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        """Expected errors are answers, not incidents; unexpected ones were logged once, with their
        reference id, by ``MaskUnexpectedErrors``."""


def create_schema(*, max_depth: int = MAX_DEPTH, max_aliases: int = MAX_ALIASES,
                  max_tokens: int = MAX_TOKENS, max_cost: int = MAX_COST,
                  production: bool = False) -> strawberry.Schema:
    """The schema; ``production`` refuses introspection and gives no "Did you mean" suggestions."""
    return PortalSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=ERROR_TYPES,
        extensions=[
            MaskUnexpectedErrors,
            lambda: ReportingParserCache(maxsize=512),
            *limit_extensions(max_depth=max_depth, max_aliases=max_aliases, max_tokens=max_tokens,
                              max_cost=max_cost, production=production),
        ],
        config=StrawberryConfig(disable_field_suggestions=production, scalar_map={datetime: DateTime}),
        execution_context_class=PortalExecutionContext,
    )


schema = create_schema()


def export_sdl() -> str:
    return schema.as_str() + "\n"
