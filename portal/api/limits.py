"""The protective limits of the schema: depth, aliases, tokens and estimated cost, with error codes.

The estimated cost of an operation: every selected field costs 1; the cost of a field's sub-selection is
multiplied by its ``first`` argument (a variable counts as the page cap, 100, since validation runs before
variables are known and its result is cached per document), by 20 for a connection without ``first``
(the default page), and by 10 for a list field (per list level). The ``edges`` of a connection are bounded
by the connection's ``first`` and are not multiplied again. Fragments are expanded; introspection fields
cost nothing. The cost depends on the document alone, so the validation cache may keep the rule's verdict.

The depth and alias rules and the token limit of strawberry report plain messages; ``LimitErrorCodes``
adds ``extensions.code`` (and ``limit``) to them, and in production removes "Did you mean" suggestions.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from graphql.language.visitor import SKIP
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document

from portal.api.pagination import DEFAULT_PAGE, MAX_PAGE

MAX_COST = 100_000  # the deepest catalog query of the terminals estimates at about 40,000
LIST_MULTIPLIER = 10
DEFAULT_CONNECTION_FIRST = DEFAULT_PAGE  # 20: what a connection returns without `first`
VARIABLE_FIRST = MAX_PAGE  # 100: the most a `first: $variable` can ask for
CONNECTION_SUFFIX = "Connection"


class _CostEstimator:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.fragment_costs: dict[str, int] = {}
        self.expanding: set[str] = set()

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> int:
        total = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent
                total += self.selection_set(selection.selection_set, target)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment(selection.name.value)
        return total

    def fragment(self, name: str) -> int:
        """A fragment costs the same wherever it is spread: computed once (a cycle, refused by another
        rule, counts as nothing)."""
        if name in self.fragment_costs:
            return self.fragment_costs[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.expanding:
            return 0
        self.expanding.add(name)
        cost = self.selection_set(definition.selection_set, self.schema.get_type(definition.type_condition.name.value))
        self.expanding.discard(name)
        self.fragment_costs[name] = cost
        return cost

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> int:
        name = node.name.value
        if name.startswith("__") or not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0  # an unknown field: another rule reports it
        if node.selection_set is None:
            return 1
        multiplier = _multiplier(node, definition.type, parent)
        return 1 + multiplier * self.selection_set(node.selection_set, get_named_type(definition.type))


def _first(node: FieldNode) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return max(int(argument.value.value), 0)
            if isinstance(argument.value, VariableNode):
                return VARIABLE_FIRST
    return None


def _multiplier(node: FieldNode, type_: GraphQLOutputType, parent: GraphQLNamedType) -> int:
    first = _first(node)
    if first is not None:
        return first
    if get_named_type(type_).name.endswith(CONNECTION_SUFFIX):
        return DEFAULT_CONNECTION_FIRST
    if parent.name.endswith(CONNECTION_SUFFIX):
        return 1  # edges: as many as the connection's `first`, already counted
    multiplier = 1
    unwrapped: Any = get_nullable_type(type_)
    while is_list_type(unwrapped):
        multiplier *= LIST_MULTIPLIER
        unwrapped = get_nullable_type(unwrapped.of_type)
    return multiplier


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def operation_cost(schema: GraphQLSchema, operation: OperationDefinitionNode,
                   fragments: dict[str, FragmentDefinitionNode]) -> int:
    """The estimated cost of one operation of a document."""
    root = schema.get_root_type(operation.operation)
    return _CostEstimator(schema, fragments).selection_set(operation.selection_set, root) if root else 0


def estimate_cost(schema: GraphQLSchema, document: DocumentNode) -> int:
    """The estimated cost of the costliest operation of a (valid) document."""
    fragments = _fragments(document)
    return max((operation_cost(schema, d, fragments) for d in document.definitions
                if isinstance(d, OperationDefinitionNode)), default=0)


def cost_error_message(cost: int, max_cost: int) -> str:
    return f"Query cost {cost} exceeds the maximum cost of {max_cost}"


def query_cost_rule(max_cost: int = MAX_COST) -> type[ASTValidationRule]:
    """A graphql-core validation rule refusing operations whose estimated cost exceeds ``max_cost``.

    Build it once per schema: ``TextKeyedValidationCache`` keys its entries by the rule classes too."""

    class QueryCostRule(ValidationRule):
        def enter_document(self, node: DocumentNode, *_: Any) -> None:
            self.fragments = _fragments(node)

        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> Any:
            cost = operation_cost(self.context.schema, node, self.fragments)
            if cost > max_cost:
                self.report_error(GraphQLError(cost_error_message(cost, max_cost), node, extensions={
                    "code": "QUERY_TOO_COSTLY", "limit": max_cost, "cost": cost}))
            return SKIP

        def enter_fragment_definition(self, *_: Any) -> Any:
            return SKIP

    return QueryCostRule


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)


class LimitErrorCodes(SchemaExtension):
    """Adds ``extensions.code`` and ``limit`` to the errors of the depth, alias and token limits and of
    disabled introspection (strawberry reports them as plain messages); with ``hide_suggestions`` drops
    "Did you mean ..." from every request error (strawberry's own option covers unknown fields only)."""

    def __init__(self, *, max_depth: int, max_aliases: int, max_tokens: int, hide_suggestions: bool) -> None:
        self.max_depth = max_depth
        self.aliases = re.compile(rf"\d+ aliases found\. Allowed: {max_aliases}")
        self.max_aliases = max_aliases
        self.tokens = f"Syntax Error: Document contains more than {max_tokens} tokens. Parsing aborted."
        self.max_tokens = max_tokens
        self.hide_suggestions = hide_suggestions

    def on_operation(self) -> Iterator[None]:
        yield
        self.code_errors(self.execution_context.result)

    def on_stream_result(self, result: Any) -> Iterator[None]:
        """Over WebSocket results are yielded inside the operation: code them before they are sent."""
        self.code_errors(result)
        yield

    def code_errors(self, result: Any) -> None:
        errors = getattr(result, "errors", None)
        if errors:
            result.errors = [self.coded(error) for error in errors]

    def coded(self, error: GraphQLError) -> GraphQLError:
        if error.path is not None or error.original_error is not None:
            return error  # raised while resolving: not a limit
        message = error.message
        extensions = dict(error.extensions or {})
        if "code" not in extensions:
            if message.endswith(f" exceeds maximum operation depth of {self.max_depth}"):
                extensions.update(code="QUERY_TOO_DEEP", limit=self.max_depth)
            elif self.aliases.fullmatch(message):
                extensions.update(code="TOO_MANY_ALIASES", limit=self.max_aliases)
            elif message == self.tokens:
                extensions.update(code="TOO_MANY_TOKENS", limit=self.max_tokens)
            elif message.startswith("GraphQL introspection has been disabled"):
                extensions.update(code="INTROSPECTION_DISABLED")
        if self.hide_suggestions:
            message = _SUGGESTION.sub("", message)
        if message == error.message and extensions == (error.extensions or {}):
            return error
        # A new error: the original may be shared by every request through TextKeyedValidationCache.
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None,
                            extensions or None)


class ReportingParserCache(ParserCache):
    """strawberry's ``ParserCache`` raises a syntax error (the token limit's too) from its hook, outside the
    operation, where no extension sees it. This one leaves a document it cannot parse to strawberry, which
    parses it again and reports the error within the operation (``LimitErrorCodes``, masking)."""

    def on_parse(self) -> Iterator[None]:
        execution_context = self.execution_context
        try:
            execution_context.graphql_document = self.cached_parse_document(
                execution_context.query, **execution_context.parse_options)
        except GraphQLError:
            pass
        yield


class TextKeyedValidationCache(SchemaExtension):
    """strawberry's ``ValidationCache`` keys its entries by the parsed document, and hashing a document walks
    every node of it, on every request. The same text always parses to the same document, so the text is as
    good a key, and a string's hash is computed once. One LRU per schema, shared by its requests."""

    def __init__(self, entries: OrderedDict[tuple[Any, ...], list[GraphQLError]], maxsize: int) -> None:
        super().__init__()
        self.entries, self.maxsize = entries, maxsize

    @classmethod
    def factory(cls, maxsize: int = 512) -> Callable[[], TextKeyedValidationCache]:
        entries: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()
        return lambda: cls(entries, maxsize)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is not None:
            key = (context.query, context.validation_rules)
            errors = self.entries.get(key)
            if errors is None:
                errors = validate_document(context.schema._schema, context.graphql_document,
                                           context.validation_rules)
                self.entries[key] = errors
                if len(self.entries) > self.maxsize:
                    self.entries.popitem(last=False)
            else:
                self.entries.move_to_end(key)
            context.pre_execution_errors = errors
        yield


def limit_extensions(*, max_depth: int, max_aliases: int, max_tokens: int, max_cost: int = MAX_COST,
                     production: bool = False) -> list[Callable[[], SchemaExtension]]:
    """The limit extensions of one schema, as factories. The validation rule classes are made here, once:
    ``TextKeyedValidationCache`` keys its entries by them, so rules made per request would never hit the cache."""
    rules = [
        *QueryDepthLimiter(max_depth=max_depth).validation_rules,
        *MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules,
        query_cost_rule(max_cost),
    ]
    extensions: list[Callable[[], SchemaExtension]] = [
        lambda: AddValidationRules(rules),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: LimitErrorCodes(max_depth=max_depth, max_aliases=max_aliases, max_tokens=max_tokens,
                                hide_suggestions=production),
    ]
    if production:
        extensions.append(DisableIntrospection)
    return extensions


__all__ = ["MAX_COST", "LimitErrorCodes", "ReportingParserCache", "TextKeyedValidationCache", "estimate_cost",
           "limit_extensions", "operation_cost", "query_cost_rule"]
