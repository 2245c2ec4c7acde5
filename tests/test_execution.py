"""The execution context's short ways (plain attributes in line, argument-free resolvers called directly) give
exactly graphql-core's answers: the same data, the same errors at the same paths, null propagated alike."""

from __future__ import annotations

import asyncio
from enum import Enum

import pytest
import strawberry
from strawberry.types import Info

from portal.api.execution import PortalExecutionContext


@strawberry.enum
class Colour(Enum):
    RED = "red"


@strawberry.type
class Leaf:
    name: str
    count: int
    ratio: float
    flag: bool
    colour: Colour
    maybe: str | None
    tags: list[str]


@strawberry.type
class Node:
    leaf: Leaf
    optional_leaf: Leaf | None
    leaves: list[Leaf]
    label: str

    @strawberry.field
    def computed(self, info: Info) -> str:
        return f"{self.label}:{info.field_name}"

    @strawberry.field
    def failing(self) -> str:
        raise ValueError("resolver failed")

    @strawberry.field
    def failing_optional(self) -> str | None:
        raise ValueError("optional resolver failed")

    @strawberry.field
    async def later(self) -> Leaf:
        await asyncio.sleep(0)
        return self.leaf

    @strawberry.field
    def sibling(self) -> Leaf:
        return self.leaf

    @strawberry.field
    def echo(self, text: str) -> str:
        return text


def leaf(**changes: object) -> Leaf:
    values = {"name": "a", "count": 1, "ratio": 0.5, "flag": True, "colour": Colour.RED, "maybe": None,
              "tags": ["x"]}
    return Leaf(**{**values, **changes})  # type: ignore[arg-type]


GOOD = Node(leaf=leaf(), optional_leaf=None, leaves=[leaf(name="b"), leaf(name="c", maybe="m")], label="n")
BAD = [
    Node(leaf=leaf(name=None), optional_leaf=leaf(count=None), leaves=[leaf(), leaf(name=None)], label="n"),
    Node(leaf=leaf(count=2**40), optional_leaf=leaf(colour="green"), leaves=[leaf(count=7)], label=None),
    Node(leaf=leaf(name=5, count=3.0, flag=1), optional_leaf=leaf(ratio="x"), leaves=[], label="n"),
]


@strawberry.type
class Query:
    @strawberry.field
    def nodes(self) -> list[Node]:
        return [GOOD, *BAD]

    @strawberry.field
    def optional_nodes(self) -> list[Node | None]:
        return [GOOD, *BAD]


DOCUMENTS = [
    "{ nodes { label computed leaf { name count ratio flag colour maybe tags } } }",
    "{ optionalNodes { label leaf { name count } optionalLeaf { name count ratio colour } } }",
    "{ optionalNodes { leaves { name maybe count } sibling { name } later { name flag } } }",
    "{ optionalNodes { failingOptional label } }",
    "{ optionalNodes { failing } }",
    '{ optionalNodes { e: echo(text: "hi") label ...F } } fragment F on Node { leaf { __typename name } }',
    "{ nodes { label } }",
]


def run(document: str, execution_context_class: type | None) -> dict[str, object]:
    schema = strawberry.Schema(query=Query, execution_context_class=execution_context_class)
    result = asyncio.run(schema.execute(document))
    return {"data": result.data,
            "errors": sorted((e.message, tuple(e.path or ())) for e in result.errors or ())}


@pytest.mark.parametrize("document", DOCUMENTS)
def test_same_answer_as_graphql_core(document: str) -> None:
    assert run(document, PortalExecutionContext) == run(document, None)


def test_the_documents_meet_the_errors_they_are_about() -> None:
    answer = run(DOCUMENTS[1], PortalExecutionContext)
    messages = " ".join(message for message, _ in answer["errors"])  # type: ignore[union-attr]
    assert "Cannot return null for non-nullable field Leaf.name." in messages
    assert "Float cannot represent non numeric value: 'x'" in messages
    assert ("optionalNodes", 3, "optionalLeaf", "ratio") in [path for _, path in answer["errors"]]  # type: ignore
