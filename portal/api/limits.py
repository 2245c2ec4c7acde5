"""The protective limits of the schema: depth, aliases, tokens and estimated cost, with error codes.

The estimated cost of an operation: every selected field costs 1; the cost of a field's sub-selection is
multiplied by its ``first`` argument (a variable counts as the page cap, 100, since validation runs before
variables are known and its result is cached per document), by 20 for a connection without ``first``
(the default page), and by 10 for a list field (per list level). The ``edges`` of a connection are bounded
by the connection's ``first`` and are not multiplied again. Fragments are expanded; introspection fields
cost nothing. The cost depends on the document alone, so the validation cache may keep the rule's verdict.

Every limit of a document (size, width, depth, aliases, cost) is computed by ``DocumentLimits`` in time
linear in the document's text, before graphql-core's own rules run, and refused with ``extensions.code``.
strawberry's token limit reports a plain message; ``LimitErrorCodes`` adds the code to it, and in production
removes "Did you mean" suggestions.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
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
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
)
from strawberry.extensions import (
    DisableIntrospection,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.schema.schema import validate_document

from portal.api.arguments import argument_errors
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
        return min(total, CAP)

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
        return min(1 + multiplier * self.selection_set(node.selection_set, get_named_type(definition.type)), CAP)


def _first(node: FieldNode) -> int | None:
    for argument in node.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return min(max(int(argument.value.value), 0), CAP)  # 10^30 is refused, not multiplied
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


def _cost_error(node: OperationDefinitionNode, cost: int, max_cost: int) -> GraphQLError:
    return GraphQLError(cost_error_message(cost, max_cost), node, extensions={
        "code": "QUERY_TOO_COSTLY", "limit": max_cost, "cost": cost})


# What no legitimate document of the terminals comes near (the largest expands to about 120 selections, the
# widest selection set to about 30), and what keeps graphql-core's validation of any document in milliseconds:
# OverlappingFieldsCanBeMerged compares the fields of one selection set pairwise, quadratic in its width.
MAX_SELECTIONS = 2000
MAX_WIDTH = 100


@dataclass(frozen=True, slots=True)
class _Shape:
    """A selection set with its fragments expanded, as far as the limits care. Every count stops just past
    ``CAP``, so a document that doubles at each fragment never builds huge numbers."""

    size: int = 0  # fields, inline fragments and spreads in the expansion
    width: int = 0  # the same, at this level only: what one merged selection set holds
    widest: int = 0  # the widest selection set below this level
    depth: int = 0  # levels of fields with sub-selections below this level
    aliases: int = 0


_EMPTY = _Shape()
CAP = 1 << 40


def _add(a: int, b: int) -> int:
    return min(a + b, CAP)


class DocumentLimits:
    """Depth, aliases, size, width and cost of a document, each computed once per fragment, so the whole check
    is linear in the document's text whatever its shape (strawberry's depth and alias rules re-walk a fragment at
    every spread: a chain of fragments each spreading the previous twice made them exponential). A document
    within these limits is small enough for graphql-core's own validation to stay fast; one beyond them is
    refused before that validation runs."""

    def __init__(self, *, max_depth: int, max_aliases: int, max_cost: int,
                 max_selections: int = MAX_SELECTIONS, max_width: int = MAX_WIDTH) -> None:
        self.max_depth, self.max_aliases, self.max_cost = max_depth, max_aliases, max_cost
        self.max_selections, self.max_width = max_selections, max_width

    def errors(self, schema: GraphQLSchema, document: DocumentNode) -> list[GraphQLError]:
        """The first limit the document exceeds, as one coded error; none when it is within all of them."""
        fragments = _fragments(document)
        shapes = _Shapes(fragments)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        measured = [shapes.selection_set(d.selection_set) for d in operations]
        measured += [shapes.fragment(name) for name in fragments]
        size = min(sum(shape.size for shape in measured), CAP)
        if size > self.max_selections:
            return [GraphQLError(f"The document selects {_count(size)} fields, more than {self.max_selections}",
                                 extensions={"code": "QUERY_TOO_LARGE", "limit": self.max_selections})]
        widest = max((max(s.width, s.widest) for s in measured), default=0)
        if widest > self.max_width:
            return [GraphQLError(f"A selection set holds {widest} fields, more than {self.max_width}",
                                 extensions={"code": "SELECTION_TOO_WIDE", "limit": self.max_width})]
        for node, shape in zip(operations, measured):
            if shape.depth > self.max_depth:
                name = node.name.value if node.name else "anonymous"
                return [GraphQLError(f"'{name}' exceeds maximum operation depth of {self.max_depth}",
                                     extensions={"code": "QUERY_TOO_DEEP", "limit": self.max_depth})]
        aliases = min(sum(shape.aliases for shape in measured[:len(operations)]), CAP)
        if aliases > self.max_aliases:
            return [GraphQLError(f"{_count(aliases)} aliases found. Allowed: {self.max_aliases}",
                                 extensions={"code": "TOO_MANY_ALIASES", "limit": self.max_aliases})]
        for node in operations:
            cost = operation_cost(schema, node, fragments)
            if cost > self.max_cost:
                return [_cost_error(node, cost, self.max_cost)]
        return []


def _count(number: int) -> str:
    return f"over {CAP}" if number >= CAP else str(number)


class _Shapes:
    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.known: dict[str, _Shape] = {}
        self.expanding: set[str] = set()

    def fragment(self, name: str) -> _Shape:
        """A fragment's shape, the same wherever it is spread: computed once. An unknown fragment or a cycle
        (refused by graphql-core's rules, which run next) counts as nothing."""
        shape = self.known.get(name)
        if shape is not None:
            return shape
        definition = self.fragments.get(name)
        if definition is None or name in self.expanding:
            return _EMPTY
        self.expanding.add(name)
        shape = self.known[name] = self.selection_set(definition.selection_set)
        self.expanding.discard(name)
        return shape

    def selection_set(self, node: SelectionSetNode) -> _Shape:
        size = width = widest = depth = aliases = 0
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                inner = _EMPTY
                if selection.selection_set is not None:
                    inner = self.selection_set(selection.selection_set)
                    widest = max(widest, inner.width, inner.widest)
                    if not selection.name.value.startswith("__"):  # introspection does not count as depth
                        depth = max(depth, inner.depth + 1)
                size, width = _add(size, 1 + inner.size), _add(width, 1)
                aliases = _add(aliases, (selection.alias is not None) + inner.aliases)
                continue
            if isinstance(selection, InlineFragmentNode):
                inner = self.selection_set(selection.selection_set)
            else:
                inner = self.fragment(selection.name.value)
            # Merged into this level: the fragment's fields are compared with this level's.
            size, width = _add(size, 1 + inner.size), _add(width, 1 + inner.width)
            widest, depth = max(widest, inner.widest), max(depth, inner.depth)
            aliases = _add(aliases, inner.aliases)
        return _Shape(size, width, widest, depth, aliases)


_SUGGESTION = re.compile(r"\s*Did you mean .*$", re.DOTALL)
# graphql-core's coercion of a variable's value (not the validation of its use, "Variable '$n' is never used.").
_VARIABLE_VALUE = re.compile(r"Variable '\$\w+' (got invalid value|has invalid value|of (required|non-null) type)")


class LimitErrorCodes(SchemaExtension):
    """Gives every error in the request itself an ``extensions.code``: the token limit (with its ``limit``),
    disabled introspection, syntax, variables and validation, which graphql-core and strawberry report as plain
    messages. With ``hide_suggestions`` drops "Did you mean ..." from all of them, variable errors included
    (strawberry's own option covers unknown fields only)."""

    def __init__(self, *, max_tokens: int, hide_suggestions: bool) -> None:
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
        if error.path is not None:
            return error  # raised while resolving: coded where it was raised, or masked
        message = error.message
        extensions = dict(error.extensions or {})
        if "code" not in extensions:
            extensions.update(self.request_error_code(message))
        if self.hide_suggestions:
            message = _SUGGESTION.sub("", message)
        if message == error.message and extensions == (error.extensions or {}):
            return error
        # A new error: the original may be shared by every request through TextKeyedValidationCache.
        return GraphQLError(message, error.nodes, error.source, error.positions, error.path, None,
                            extensions or None)

    def request_error_code(self, message: str) -> dict[str, Any]:
        """The code of an error in the request itself, by graphql-core's and strawberry's wording."""
        if message == self.tokens:
            return {"code": "TOO_MANY_TOKENS", "limit": self.max_tokens}
        if message.startswith("GraphQL introspection has been disabled"):
            return {"code": "INTROSPECTION_DISABLED"}
        if message.startswith("Syntax Error"):
            return {"code": "GRAPHQL_PARSE_FAILED"}
        if _VARIABLE_VALUE.match(message):
            return {"code": "BAD_USER_INPUT"}
        return {"code": "GRAPHQL_VALIDATION_FAILED"}


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
    """Validation within the limits, and its verdict kept. ``DocumentLimits`` runs first and alone decides a
    document beyond them; graphql-core's rules run only on a document within them. A valid document's
    arguments are then checked with the request's variables (``portal.api.arguments``), every time.

    strawberry's ``ValidationCache`` keys its entries by the parsed document, and hashing a document walks
    every node of it, on every request. The same text always parses to the same document, so the text is as
    good a key, and a string's hash is computed once. One LRU per schema, shared by its requests."""

    def __init__(self, entries: OrderedDict[tuple[Any, ...], list[GraphQLError]], maxsize: int,
                 limits: DocumentLimits) -> None:
        super().__init__()
        self.entries, self.maxsize, self.limits = entries, maxsize, limits

    @classmethod
    def factory(cls, limits: DocumentLimits, maxsize: int = 512) -> Callable[[], TextKeyedValidationCache]:
        entries: OrderedDict[tuple[Any, ...], list[GraphQLError]] = OrderedDict()
        return lambda: cls(entries, maxsize, limits)

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.query is not None and context.graphql_document is not None:
            key = (context.query, context.validation_rules)
            errors = self.entries.get(key)
            if errors is None:
                schema = context.schema._schema
                errors = (self.limits.errors(schema, context.graphql_document)
                          or validate_document(schema, context.graphql_document, context.validation_rules))
                self.entries[key] = errors
                if len(self.entries) > self.maxsize:
                    self.entries.popitem(last=False)
            else:
                self.entries.move_to_end(key)
            if not errors:  # the arguments depend on the variables: checked on every request
                errors = argument_errors(context.schema._schema, context.graphql_document, context.operation_name,
                                         context.variables)
            context.pre_execution_errors = errors
        yield


def limit_extensions(*, max_depth: int, max_aliases: int, max_tokens: int, max_cost: int = MAX_COST,
                     production: bool = False) -> list[Callable[[], SchemaExtension]]:
    """The limit extensions of one schema, as factories: validation within the limits (cached by text), the
    token limit of the parser, codes on the errors, and in production no introspection."""
    limits = DocumentLimits(max_depth=max_depth, max_aliases=max_aliases, max_cost=max_cost)
    extensions: list[Callable[[], SchemaExtension]] = [
        TextKeyedValidationCache.factory(limits),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
        lambda: LimitErrorCodes(max_tokens=max_tokens, hide_suggestions=production),
    ]
    if production:
        extensions.append(DisableIntrospection)
    return extensions


__all__ = ["MAX_COST", "DocumentLimits", "LimitErrorCodes", "ReportingParserCache", "TextKeyedValidationCache",
           "estimate_cost", "limit_extensions", "operation_cost"]
