"""graphql-core's execution with a shorter way through plain attributes.

graphql-core completes every field the same way: a path, a resolve info, strawberry's resolver wrapper, then the
recursive ``complete_value`` down to the object's fields. For a plain attribute (strawberry's basic field: a
bundle's ``name``, an edge's ``node``, an item's ``code``: most fields of a catalog page) the resolver is only
``getattr``, so here it is read in line: a scalar or enum value of the right Python type is taken as it is, an
object goes straight to its fields. Resolvers, arguments, deferred fragments and every value that is not simply
valid (null, an error, one the scalar must convert or refuses) go through graphql-core's own code: the same
answers, errors and error paths, with less work per field.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import gather_with_cancel, to_nodes
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

# Output values these scalars pass through unchanged (what their serializer returns for them).
_UNCHANGED: dict[GraphQLScalarType, type] = {GraphQLString: str, GraphQLID: str, GraphQLBoolean: bool}
_INT_RANGE = range(-(2**31), 2**31)

RESOLVE, LEAF, OBJECT, CALL = 0, 1, 2, 3


class Step:
    """How one field of a selection is completed (``plan``)."""

    __slots__ = ("name", "kind", "attribute", "field", "leaf", "non_null", "is_list", "details", "definition")

    def __init__(self, name: str, kind: int, attribute: str, field: GraphQLField | None, leaf: Any,
                 non_null: bool, is_list: bool, details: FieldDetailsList) -> None:
        self.name, self.kind, self.attribute, self.field = name, kind, attribute, field
        self.leaf, self.non_null, self.is_list, self.details = leaf, non_null, is_list, details
        self.definition: Any = None


class PortalExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """strawberry's execution context, completing plain attributes in line (see the module)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Plans by selection, for this execution: graphql-core collects a selection's fields once per
        # execution and hands the same grouped field set for every object of a list.
        self._plans: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}
        manager = self.middleware_manager
        self._plain = manager is None or not manager.middlewares
        strawberry_schema = getattr(self.schema, "_strawberry_schema", None)
        # Resolvers are called here only as strawberry would call them without exception handlers.
        self._info_class = strawberry_schema.config.info_class \
            if strawberry_schema is not None and not strawberry_schema.exception_handlers else None

    def execute_fields(self, parent_type: GraphQLObjectType, source_value: Any, path: Path | None,
                       grouped_field_set: GroupedFieldSet, position_context: Any) -> Any:
        if position_context is not None or not self._plain:
            return super().execute_fields(parent_type, source_value, path, grouped_field_set, position_context)
        planned = self._plans.get(id(grouped_field_set))
        if planned is None:
            planned = self._plans[id(grouped_field_set)] = (
                grouped_field_set, plan(parent_type, grouped_field_set, calls=self._info_class is not None))
        results: dict[str, Any] = {}
        awaitable_fields: list[str] = []
        is_awaitable = self.is_awaitable
        try:
            for step in planned[1]:
                name = step.name
                if step.kind == CALL:
                    result = self._call(parent_type, source_value, step, path)
                elif step.kind:
                    try:
                        value = getattr(source_value, step.attribute)
                    except Exception as raw_error:  # noqa: BLE001 - reported as the resolver's error would be
                        value = raw_error
                    if step.kind == LEAF:
                        leaf = step.leaf
                        if type(value) is _UNCHANGED.get(leaf) or (
                                leaf is GraphQLInt and type(value) is int and value in _INT_RANGE):
                            results[name] = value
                        else:
                            results[name] = self._complete_leaf(parent_type, step, path, value)
                        continue
                    if value is not None and not isinstance(value, Exception) and not is_awaitable(value):
                        result = self._complete_object(parent_type, step, path, value)
                    else:
                        result = self.execute_field(parent_type, source_value, step.details,
                                                    Path(path, name, parent_type.name), None)
                else:
                    result = self.execute_field(parent_type, source_value, step.details,
                                                Path(path, name, parent_type.name), None)
                if result is not Undefined:
                    results[name] = result
                    if is_awaitable(result):
                        awaitable_fields.append(name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[field] for field in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return self._gather(results, awaitable_fields)

    def complete_value(self, return_type: GraphQLOutputType, field_details_list: FieldDetailsList, info: Any,
                       path: Path, result: Any, position_context: Any) -> Any:
        """A non-null object (a list's item, an edge's node) goes straight to its fields."""
        if type(return_type) is GraphQLNonNull and position_context is None and result is not None:
            object_type = return_type.of_type
            if (type(object_type) is GraphQLObjectType and object_type.is_type_of is None
                    and not isinstance(result, Exception)):
                grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, field_details_list)
                if not new_defer_usages:
                    return self.execute_fields(object_type, result, path, grouped_field_set, None)
        return super().complete_value(return_type, field_details_list, info, path, result, position_context)

    def _complete_leaf(self, parent_type: GraphQLObjectType, step: Step, path: Path | None, value: Any) -> Any:
        """graphql-core's completion of a leaf value, and its error handling when that fails."""
        try:
            if value is None or value is Undefined:
                if step.non_null:
                    raise TypeError(f"Cannot return null for non-nullable field {parent_type}."
                                    f"{step.details[0].node.name.value}.")
                return None
            if isinstance(value, Exception):
                raise value
            return self.complete_leaf_value(step.leaf, value)
        except Exception as raw_error:
            self.handle_field_error(raw_error, step.field.type, step.details, Path(path, step.name, parent_type.name))
            return None

    def _call(self, parent_type: GraphQLObjectType, source: Any, step: Step, path: Path | None) -> Any:
        """``execute_field`` for a resolver without arguments or extensions: strawberry's wrapper would only
        pass ``self``, the parent and the info it asks for, so they are passed here."""
        field_path = Path(path, step.name, parent_type.name)
        field = step.field
        raw_info = self.build_resolve_info(field, to_nodes(step.details), parent_type, field_path)
        definition = step.definition
        resolver = definition.base_resolver
        try:
            kwargs: dict[str, Any] = {}
            if resolver.info_parameter is not None:
                kwargs[resolver.info_parameter.name] = self._info_class(_raw_info=raw_info, _field=definition)
            for parameter in (resolver.parent_parameter, resolver.root_parameter):
                if parameter is not None:
                    kwargs[parameter.name] = source
            result = resolver(source, **kwargs) if resolver.self_parameter is not None else resolver(**kwargs)
            if self.is_awaitable(result):
                return self.complete_awaitable_value(field.type, step.details, raw_info, field_path, result, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, field.type, step.details, field_path)
            return None
        return self._complete(field.type, step.details, raw_info, field_path, result)

    def _complete_object(self, parent_type: GraphQLObjectType, step: Step, path: Path | None, value: Any) -> Any:
        """What ``execute_field`` does once the resolver returned ``value`` (neither null nor awaitable)."""
        field_path = Path(path, step.name, parent_type.name)
        # The resolve info is read only by a list's completion (its error messages, @stream).
        info = self.build_resolve_info(step.field, to_nodes(step.details), parent_type, field_path) \
            if step.is_list else None
        return self._complete(step.field.type, step.details, info, field_path, value)

    def _complete(self, return_type: GraphQLOutputType, details: FieldDetailsList, info: Any, field_path: Path,
                  value: Any) -> Any:
        try:
            completed = self.complete_value(return_type, details, info, field_path, value, None)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, field_path)
            return None
        if self.is_awaitable(completed):
            return self._await_completed(completed, return_type, details, field_path)
        return completed

    async def _await_completed(self, completed: Any, return_type: GraphQLOutputType, details: FieldDetailsList,
                               path: Path) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None

    @staticmethod
    async def _gather(results: dict[str, Any], awaitable_fields: list[str]) -> dict[str, Any]:
        if len(awaitable_fields) == 1:
            field = awaitable_fields[0]
            results[field] = await results[field]
        else:
            awaited: list[Any] = await gather_with_cancel(*(results[field] for field in awaitable_fields))
            results.update(zip(awaitable_fields, awaited, strict=True))
        return results


def plan(parent_type: GraphQLObjectType, grouped_field_set: GroupedFieldSet, *, calls: bool) -> list[Step]:
    """How each field of a selection is completed: in line for a plain attribute (strawberry's basic field,
    read with ``getattr``) of a scalar, enum or object type (or a list of objects); with ``calls``, a synchronous
    resolver without arguments or field extensions is called directly; graphql-core does everything else."""
    steps: list[Step] = []
    for name, details in grouped_field_set.items():
        field = parent_type.fields.get(details[0].node.name.value)
        step = Step(name, RESOLVE, "", field, None, False, False, details)
        definition = (field.extensions or {}).get("strawberry-definition") if field is not None else None
        if (definition is not None and not details[0].node.arguments
                and getattr(field.resolve, "_is_default", False) and definition.default_resolver is getattr):
            step.attribute = definition.python_name
            field_type = field.type
            step.non_null = isinstance(field_type, GraphQLNonNull)
            named = field_type.of_type if step.non_null else field_type
            if isinstance(named, (GraphQLScalarType, GraphQLEnumType)):
                step.kind, step.leaf = LEAF, named
            else:
                step.is_list = isinstance(named, GraphQLList)
                while isinstance(named, (GraphQLList, GraphQLNonNull)):
                    named = named.of_type
                if isinstance(named, GraphQLObjectType) and named.is_type_of is None:
                    step.kind = OBJECT
        elif (calls and definition is not None and definition.base_resolver is not None and not definition.is_async
              and not definition.extensions and not field.args and not details[0].node.arguments):
            step.kind, step.definition = CALL, definition
        steps.append(step)
    return steps
