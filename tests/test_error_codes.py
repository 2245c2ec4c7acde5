"""Error codes are enum members, never bare strings, and expected failures reach clients one way.

An AST scan of ``portal/`` refuses a string literal where an error is given its code; the enums keep each code
string in exactly one place, named as it reads; the constructors refuse a plain string at run time; and every
resolver that answers with a `UserError` union is wrapped by ``expected_failures_as_values``.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest
import strawberry
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.union import StrawberryUnion

import portal
from portal.api.errors import (ApiCode, Conflict, FormInvalid, NotFound, PermissionDenied, PublicError, RateLimited,
                               UserError, ValidationError, error_value, expected_failures_as_values, invalid_argument)
from portal.api.schema import schema
from portal.catalog.rules import SearchError
from portal.identity.device_flow import DeviceAnswer
from portal.identity.errors import IdentityCode
from portal.identity.rules import DeviceSessionRefused
from portal.lutong.codes import Replayed
from portal.problems import (Code, Conflicting, ErrorCode, Forbidden, FormProblems, InvalidField, Missing,
                             RateLimitedError, Refused)
from portal.workdays import CalendarError

PORTAL = Path(portal.__file__).resolve().parent
UPPER_SNAKE = re.compile(r"[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")

# Where each error constructor takes its code: the position of the argument (it may also be given as `code=`).
REFUSALS = {"Refused", "Forbidden", "Missing", "Conflicting"}
CODE_POSITION = {"InvalidField": 1, "PublicError": 0, "invalid_argument": 2, "CalendarError": 1, "SearchError": 1,
                 "DeviceAnswer": 0, **dict.fromkeys(REFUSALS, 0)}
# The GraphQL error values, built with `code=` only.
VALUE_TYPES = {"UserError", "ValidationError", "FormInvalid", "PermissionDenied", "NotFound", "Conflict",
               "RateLimited", "DeviceSignInError"}


def _name(call: ast.Call) -> str | None:
    function = call.func
    return function.id if isinstance(function, ast.Name) else function.attr if isinstance(function, ast.Attribute) \
        else None


def _has_literal(node: ast.expr) -> bool:
    """A string written in place: a constant, an f-string, or either arm of a conditional holding one."""
    if isinstance(node, ast.IfExp):
        return _has_literal(node.body) or _has_literal(node.orelse)
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, str))


def _refusal_classes(tree: ast.Module) -> set[str]:
    """The classes of a module that derive from a Refused kind (``CodeForged(Conflicting)`` ...)."""
    found: set[str] = set()
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.name not in found and any(
                    isinstance(b, ast.Name) and (b.id in REFUSALS or b.id in found) for b in node.bases):
                found.add(node.name)
                changed = True
    return found


def literal_codes(source: str) -> list[tuple[int, str]]:
    """(line, constructor) of every error given a string literal as its code in ``source``."""
    tree = ast.parse(source)
    subclasses = _refusal_classes(tree)
    wrong = []
    for cls in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name in subclasses):
        for call in (n for n in ast.walk(cls) if isinstance(n, ast.Call) and _name(n) == "__init__"
                     and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Call)):
            if call.args and _has_literal(call.args[0]):
                wrong.append((call.lineno, f"{cls.name} super().__init__"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and (name := _name(node)) is not None:
            position = CODE_POSITION.get(name, 0 if name in subclasses else None)
            given = [k.value for k in node.keywords if k.arg == "code"] if position is not None or \
                name in VALUE_TYPES else []
            if position is not None and len(node.args) > position:
                given.append(node.args[position])
            wrong += [(node.lineno, name) for value in given if _has_literal(value)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            arguments = node.args.args + node.args.kwonlyargs
            defaults = [None] * (len(node.args.args) - len(node.args.defaults)) + node.args.defaults + \
                node.args.kw_defaults
            wrong += [(node.lineno, f"{node.name}(code=...)") for argument, default in zip(arguments, defaults)
                      if argument.arg == "code" and default is not None and _has_literal(default)]
    return sorted(wrong)


def test_the_scan_finds_every_way_of_writing_a_code_as_a_string() -> None:
    source = '''
class Gone(Missing):
    def __init__(self) -> None:
        super().__init__("GONE", "已删除")

def check(code: str = "SEARCH_TOO_LONG") -> None:
    raise InvalidField("name", "REQUIRED", "请填写姓名")

raise Forbidden(code="NOT_AUTHORISED", message="无权")
raise Conflicting(f"{kind}_REUSED", "已使用")
raise Gone("ALSO_GONE", "已删除")
raise PublicError("NOT_FOUND" if missing else Code.FORBIDDEN, "未找到")
raise invalid_argument("after", "游标无效", code="INVALID_CURSOR")
FormInvalid(code="FORM_INVALID", message="有1处内容需要修改", errors=[])
'''
    assert [line for line, _ in literal_codes(source)] == [4, 6, 7, 9, 10, 11, 12, 13, 14]
    assert literal_codes("raise InvalidField('name', Code.REQUIRED, '请填写姓名')\n"
                         "raise Missing(Code.NOT_FOUND, message)\n") == []


def test_no_error_in_portal_is_given_a_string_literal_as_its_code() -> None:
    wrong = [f"{path.relative_to(PORTAL.parent)}:{line}: {name}"
             for path in sorted(PORTAL.rglob("*.py")) if "migrations" not in path.parts
             for line, name in literal_codes(path.read_text(encoding="utf-8"))]
    assert wrong == [], "give the code as a member of an ErrorCode enum (portal.problems.Code, <domain>/errors.py)"


def code_enums() -> list[type[ErrorCode]]:
    """Every ``ErrorCode`` enum of the portal (every module imported first, so that none is missed)."""
    for module in pkgutil.walk_packages([str(PORTAL)], "portal."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    found, pending = [], [ErrorCode]
    while pending:
        for subclass in pending.pop().__subclasses__():
            found.append(subclass)
            pending.append(subclass)
    return found


def test_the_enums_are_the_shared_codes_the_calendar_the_api_and_each_domain() -> None:
    assert sorted(e.__name__ for e in code_enums()) == [
        "ApiCode", "AppealCode", "ApplicationCode", "CalendarCode", "CatalogCode", "Code", "EvaluationCode",
        "HallCode", "IdentityCode", "KnowledgeCode", "LuTongErrorCode", "OversightCode", "PackCode", "SurveyCode"]


def test_every_code_is_upper_snake_and_named_as_it_reads() -> None:
    for enum in code_enums():
        assert len(enum.__members__) == len(enum), f"{enum.__name__} has an alias (two names, one value)"
        for name, member in enum.__members__.items():
            assert UPPER_SNAKE.fullmatch(member.value), f"{enum.__name__}.{name} = {member.value!r}"
            assert name == member.value, f"{enum.__name__}.{name} = {member.value!r}"


def test_every_code_string_has_one_enum() -> None:
    homes: dict[str, list[str]] = {}
    for enum in code_enums():
        for member in enum:
            homes.setdefault(member.value, []).append(enum.__name__)
    shared = {value: names for value, names in homes.items() if len(names) > 1}
    assert shared == {}, "a code two packages use belongs in portal.problems.Code"


def test_a_code_is_the_same_string_clients_always_saw() -> None:
    assert Code.NOT_FOUND == "NOT_FOUND" and f"{IdentityCode.SLOW_DOWN}" == "SLOW_DOWN"
    error = PublicError(ApiCode.FORBIDDEN, "无权查看")
    assert error.extensions == {"code": "FORBIDDEN"} and str(error.code) == "FORBIDDEN"


@pytest.mark.parametrize("make", [
    lambda code: InvalidField("name", code, "请填写姓名"),
    lambda code: Forbidden(code, "无权"),
    lambda code: Missing(code, "未找到"),
    lambda code: Conflicting(code, "冲突"),
    lambda code: PublicError(code, "未找到"),
    lambda code: invalid_argument("after", "游标无效", code=code),
    lambda code: CalendarError("year", code, "年份无效"),
    lambda code: SearchError("搜索内容过长", code),
    lambda code: DeviceAnswer(code, "请稍候", 5),
], ids=["InvalidField", "Forbidden", "Missing", "Conflicting", "PublicError", "invalid_argument", "CalendarError",
        "SearchError", "DeviceAnswer"])
def test_the_constructors_refuse_a_plain_string_as_a_code(make) -> None:
    with pytest.raises(TypeError, match="ErrorCode"):
        make("REQUIRED")
    with pytest.raises(TypeError, match="ErrorCode"):
        make("REQIURED")
    assert make(Code.REQUIRED).code == "REQUIRED"


def test_refused_is_raised_as_one_of_its_kinds() -> None:
    with pytest.raises(TypeError, match="Forbidden, Missing and Conflicting"):
        Refused(Code.NOT_FOUND, "未找到")
    assert [Forbidden.kind, Missing.kind, Conflicting.kind] == ["PERMISSION", "NOT_FOUND", "CONFLICT"]
    assert str(Missing(Code.NOT_FOUND, "未找到该诉求")) == "未找到该诉求"


def test_each_expected_failure_has_its_value() -> None:
    forbidden = error_value(Forbidden(Code.NOT_AUTHORISED, "无权"))
    assert isinstance(forbidden, PermissionDenied) and (forbidden.code, forbidden.message) == ("NOT_AUTHORISED", "无权")
    assert type(error_value(DeviceSessionRefused())) is PermissionDenied
    assert type(error_value(Missing(Code.NOT_FOUND, "未找到"))) is NotFound
    assert type(error_value(Conflicting(Code.STALE_VERSION, "已更改"))) is Conflict
    assert type(error_value(Replayed())) is Conflict
    limited = error_value(RateLimitedError(30))
    assert isinstance(limited, RateLimited) and (limited.code, limited.retry_after_seconds) == ("RATE_LIMITED", 30)
    form = error_value(FormProblems([InvalidField("a", Code.REQUIRED, "请填写"), InvalidField("b", Code.TOO_LONG,
                                                                                               "过长")]))
    assert isinstance(form, FormInvalid) and (form.code, form.message) == ("FORM_INVALID", "有2处内容需要修改")
    assert [(e.field, e.code) for e in form.errors] == [("a", "REQUIRED"), ("b", "TOO_LONG")]
    single = error_value(InvalidField("channel", Code.REQUIRED, "请选择"))
    assert isinstance(single, FormInvalid) and single.errors == [ValidationError(code=Code.REQUIRED, message="请选择",
                                                                                 field="channel")]
    with pytest.raises(TypeError, match="not an expected failure"):
        error_value(ValueError("x"))


@strawberry.type
class Done:
    ok: bool


@strawberry.type
class Query:
    ping: bool = True


@strawberry.type
class Mutation:
    @strawberry.mutation(description="Fails as it is told.")
    @expected_failures_as_values
    async def attempt(self, failure: str | None = None) -> Done | PermissionDenied | NotFound:
        if failure == "forbidden":
            raise Forbidden(Code.NOT_AUTHORISED, "无权")
        if failure == "broken":
            raise RuntimeError("a bug")
        return Done(ok=True)


async def test_the_wrapper_keeps_the_signature_and_turns_only_expected_failures_into_values() -> None:
    small = strawberry.Schema(query=Query, mutation=Mutation)
    assert "attempt(failure: String = null): DonePermissionDeniedNotFound!" in small.as_str()
    document = "mutation($f: String) { attempt(failure: $f) { __typename ... on UserError { code message } } }"
    assert (await small.execute(document)).data == {"attempt": {"__typename": "Done"}}
    forbidden = await small.execute(document, variable_values={"f": "forbidden"})
    assert forbidden.data == {"attempt": {"__typename": "PermissionDenied", "code": "NOT_AUTHORISED",
                                          "message": "无权"}}
    broken = await small.execute(document, variable_values={"f": "broken"})
    assert broken.data is None and broken.errors[0].message == "a bug"


def _answers_with_user_errors(field_type: object) -> bool:
    return isinstance(field_type, StrawberryUnion) and any(
        isinstance(t, type) and issubclass(t, UserError) for t in field_type.types)


async def _resolver() -> None:
    """Any coroutine function: what ``expected_failures_as_values`` makes of it runs the wrapper's code."""


def test_every_resolver_answering_with_user_errors_is_wrapped() -> None:
    wrapper_code = expected_failures_as_values(_resolver).__code__
    answering, unwrapped = [], []
    for definition in schema.schema_converter.type_map.values():
        if not isinstance(definition.definition, StrawberryObjectDefinition):
            continue
        for field in definition.definition.fields:
            if field.base_resolver is None or field.is_subscription or not _answers_with_user_errors(field.type):
                continue
            answering.append(field.python_name)
            if field.base_resolver.wrapped_func.__code__ is not wrapper_code:
                unwrapped.append(f"{definition.definition.name}.{field.python_name}")
    assert len(answering) > 40 and "take_ticket" in answering and "device_sign_in_request" in answering
    assert unwrapped == [], "put @expected_failures_as_values under @strawberry.mutation"
