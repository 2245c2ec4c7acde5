"""Every argument of a request checked at the edge, before any resolver runs: lengths, characters, dates and
the shape of JSON values.

The rules of each domain check meaning (a credit code's check character, a bundle that exists); this module
makes sure nothing reaches them that no rule expects: a 100 KB "code", a NUL in a title, a date in year 1, a
JSON value nested 500 deep. It walks the operation with the schema's types, so an argument is checked by what
it is wherever it appears (literal or variable, top level or inside an input object), and reports each problem
as a coded error naming the argument's path, e.g. ``input.creditCode`` (API.md: errors carry ``field``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
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

from portal.text import MAX_FREE_TEXT, text_problem

MAX_PROBLEMS = 20  # a request with more gets the first ones and a count: never an answer larger than the request
MAX_JSON_DEPTH = 16
MAX_KEY_LENGTH = 80  # the canonical form keys' column
SAFE_INTEGER = 2**53  # beyond this a JSON number loses precision in every browser
FIRST_YEAR, LAST_YEAR = 1900, 2199  # no service of the portal concerns a day outside these years


@dataclass(frozen=True, slots=True)
class Format:
    """What a named argument may hold: at most ``max_length`` characters, no control or direction characters,
    on one line unless it is free text."""

    max_length: int
    single_line: bool = True

    def problem(self, value: str) -> tuple[str, str] | None:
        return text_problem(value, max_length=self.max_length, multiline=not self.single_line)


# By argument or input-field name, as the schema spells it: the length of the column the value is compared with
# or stored in. Formats (a region code's six digits, a credit code's check character) are the domains' rules,
# which answer with their own codes (BAD_REGION, INVALID_CREDIT_CODE); the edge only keeps out what no rule
# expects. Every other string is free text.
FORMATS: dict[str, Format] = {
    "code": Format(80),  # bundle, item or material code (materials' column is the longest)
    "bundleCode": Format(60),
    "departmentCode": Format(20),
    "hallCode": Format(30),
    "counterCode": Format(30),
    "category": Format(30),
    "codeType": Format(40),
    "regionCode": Format(6),
    "creditCode": Format(18),
    "idempotencyKey": Format(1000),  # the rules answer BAD_IDEMPOTENCY_KEY beyond the column's 100
    "after": Format(100),
    "fileId": Format(40),  # an upload's UUID
    "targetId": Format(1000),  # 好差评 answers BAD_TARGET
    "idNumber": Format(40),  # people type separators; the rules normalise and check the digits
    "legalRepresentativeIdNumber": Format(40),
    "username": Format(1000),  # sign-in answers INVALID_CREDENTIALS, revealing nothing
    "phone": Format(40),
    "password": Format(256),
    "currentPassword": Format(256),
    "newPassword": Format(256),
    "name": Format(100),
    "enterpriseName": Format(100),
    "title": Format(100),
    "relationship": Format(20),
    "roomNumber": Format(20),
    "search": Format(100),
    "payload": Format(2000),
    "value": Format(200),
}
ID_FORMAT = Format(40)
FREE_TEXT = Format(MAX_FREE_TEXT, single_line=False)


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
            declared = definition.args.get(name)
            if declared is not None:
                value = value_from_ast_untyped(argument.value, self.variables)
                self.value(value, declared.type, name, name)
        if node.selection_set is not None:
            self.selection_set(node.selection_set, get_named_type(definition.type))

    def value(self, value: Any, type_: GraphQLInputType, name: str, path: str) -> None:
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if value is None:
            return
        if isinstance(type_, GraphQLList):
            for index, item in enumerate(value if isinstance(value, list) else [value]):
                self.value(item, type_.of_type, name, f"{path}[{index}]")
        elif isinstance(type_, GraphQLInputObjectType):
            if isinstance(value, dict):
                for key, item in value.items():
                    if (field := type_.fields.get(key)) is not None:
                        self.value(item, field.type, key, f"{path}.{key}")
        elif isinstance(type_, GraphQLScalarType):
            self.scalar(value, type_.name, name, path)

    def scalar(self, value: Any, type_name: str, name: str, path: str) -> None:
        if type_name == "JSON":
            for where, code, message in json_problems(value, path):
                self.problems.add(where, code, message)
        elif type_name in ("String", "ID") and isinstance(value, str):
            rule = FORMATS.get(name) or (ID_FORMAT if type_name == "ID" else FREE_TEXT)
            if (problem := rule.problem(value)) is not None:
                self.problems.add(path, *problem)
        elif type_name in ("Date", "DateTime") and isinstance(value, str):
            if (year := _year(value, type_name)) is not None and not FIRST_YEAR <= year <= LAST_YEAR:
                self.problems.add(path, "OUT_OF_RANGE", f"日期须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间")


def _year(value: str, type_name: str) -> int | None:
    try:
        return (datetime.fromisoformat(value) if type_name == "DateTime" else date.fromisoformat(value)).year
    except ValueError:
        return None  # not a date at all: the scalar's own parser reports it


def json_problems(value: Any, path: str) -> Iterator[tuple[str, str, str]]:
    """What a JSON argument (a form's values) may not hold, wherever in it: over-long or invisible-character
    text and keys, numbers beyond what a browser represents exactly, nesting beyond ``MAX_JSON_DEPTH``.
    Iterative, so no nesting exhausts the stack."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, str):
            if (problem := FREE_TEXT.problem(item)) is not None:
                yield where, *problem
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, (int, float)):
            if not math.isfinite(item) or abs(item) > SAFE_INTEGER:
                yield where, "OUT_OF_RANGE", "数值超出范围"
        elif depth >= MAX_JSON_DEPTH:
            yield where, "TOO_DEEP", f"嵌套不能超过 {MAX_JSON_DEPTH} 层"
        elif isinstance(item, dict):
            for key, inner in item.items():
                if (problem := text_problem(str(key), max_length=MAX_KEY_LENGTH, multiline=False)) is not None:
                    yield where, *problem
                    continue
                stack.append((inner, f"{where}.{key}", depth + 1))
        elif isinstance(item, list):
            stack.extend((inner, f"{where}[{index}]", depth + 1) for index, inner in enumerate(item))
