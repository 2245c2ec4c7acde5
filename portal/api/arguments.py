"""Every argument of a request measured at the edge, before any resolver runs: no string longer than
``MAX_ARGUMENT_LENGTH``, wherever it sits.

The rules of each domain check meaning and form (a credit code's check character, a column's length, control
characters, a day the calendar knows) and answer in their own terms; this module keeps out only what none of
them expects. It walks the operation with the schema's types, so an argument is named by its path wherever it
appears (literal or variable, top level, inside an input object or a JSON value), e.g. ``input.formValues.x``
(API.md: errors carry ``field``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    value_from_ast_untyped,
)


MAX_PROBLEMS = 20  # a request with more gets the first ones and a count: never an answer larger than the request
# The longest string any argument may carry, wherever it sits (a variable, a literal, deep in a JSON value).
# Far above every column and text limit of the rules, which answer in their own terms (a mutation's FormInvalid
# naming the field, NOT_FOUND, INVALID_CREDENTIALS); this only keeps out what no rule expects: a 100 KB value
# that would be hashed, compared, searched for and, on the way, written to a log.
MAX_ARGUMENT_LENGTH = 200_000


class Problems:
    """The problems found, at most ``MAX_PROBLEMS`` kept; ``errors()`` adds one saying how many more."""

    def __init__(self) -> None:
        self.kept: list[GraphQLError] = []
        self.count = 0

    def add(self, path: str, code: str, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(GraphQLError(message, extensions={"code": code, "field": path}))

    def errors(self) -> list[GraphQLError]:
        if self.count <= len(self.kept):
            return self.kept
        more = self.count - len(self.kept)
        return [*self.kept, GraphQLError(f"另有 {more} 处问题未列出", extensions={"code": "TOO_MANY_PROBLEMS",
                                                                           "count": self.count})]


def argument_errors(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None,
                    variables: dict[str, Any] | None) -> list[GraphQLError]:
    """The problems of the arguments of the operation that will run, with the request's variables. The walk
    visits each fragment once, so its cost is linear in the document and the variables."""
    operation = _operation(document, operation_name)
    if operation is None:
        return []  # graphql-core reports a missing or ambiguous operation
    root = schema.get_root_type(operation.operation)
    if root is None:
        return []
    walk = _Walk(schema, document, variables or {})
    walk.selection_set(operation.selection_set, root)
    return walk.problems.errors()


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name is None:
        return operations[0] if len(operations) == 1 else None
    return next((o for o in operations if o.name is not None and o.name.value == name), None)


class _Walk:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables: dict[str, Any]) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.visited: set[str] = set()
        self.problems = Problems()

    def selection_set(self, node: SelectionSetNode, parent: GraphQLNamedType | None) -> None:
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                self.field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                self.selection_set(selection.selection_set,
                                   self.schema.get_type(condition.name.value) if condition else parent)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                definition = self.fragments.get(name)
                if definition is not None and name not in self.visited:
                    self.visited.add(name)  # its arguments are the same wherever it is spread
                    self.selection_set(definition.selection_set,
                                       self.schema.get_type(definition.type_condition.name.value))

    def field(self, node: FieldNode, parent: GraphQLNamedType | None) -> None:
        if not isinstance(parent, (GraphQLObjectType, GraphQLInterfaceType)):
            return
        definition = parent.fields.get(node.name.value)
        if definition is None:
            return
        for argument in node.arguments or ():
            name = argument.name.value
            if (declared := definition.args.get(name)) is not None:
                value = value_from_ast_untyped(argument.value, self.variables)
                self.value(value, declared.type, name)
        if node.selection_set is not None:
            self.selection_set(node.selection_set, get_named_type(definition.type))

    def value(self, value: Any, type_: GraphQLInputType, path: str) -> None:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                self.value(item, type_.of_type, f"{path}[{index}]")
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(value, dict):
                for key, item in value.items():
                    if (field := type_.fields.get(key)) is not None:
                        self.value(item, field.type, f"{path}.{key}")
        elif isinstance(type_, GraphQLScalarType):
            self.scalar(value, type_.name, path)

    def scalar(self, value: Any, type_name: str, path: str) -> None:
        if type_name == "JSON":
            for where in too_long_in_json(value, path):
                self.problems.add(where, "TOO_LONG", f"内容过长：不能超过 {MAX_ARGUMENT_LENGTH} 个字符")
        elif isinstance(value, str) and len(value) > MAX_ARGUMENT_LENGTH:
            self.problems.add(path, "TOO_LONG", f"内容过长：不能超过 {MAX_ARGUMENT_LENGTH} 个字符")


def too_long_in_json(value: Any, path: str) -> Iterator[str]:
    """Where a JSON argument holds an over-long string or key. Iterative, so no nesting exhausts the stack."""
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if len(item) > MAX_ARGUMENT_LENGTH:
                yield where
        elif isinstance(item, dict):
            for key, inner in item.items():
                if len(str(key)) > MAX_ARGUMENT_LENGTH:
                    yield where
                else:
                    stack.append((inner, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{index}]") for index, inner in enumerate(item))
