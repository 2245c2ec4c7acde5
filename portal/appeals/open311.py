"""An Open311 GeoReport v2 facade (JSON and XML) over the enterprise appeals, mounted at ``/open311/v2/``.

Field names, both formats (``.json`` / ``.xml``, the XML as in the spec's examples: ``<services><service>``,
``<service_requests><request>``, ``<errors><error>``, null an empty element), the error format (a list of
``{"code", "description"}``, also for unknown addresses and methods) and the status codes follow
http://wiki.open311.org/GeoReport_v2: 403 for a missing or invalid ``api_key``, 404 for what does not exist
(an unknown ``service_code`` included, as the spec lists for POST and the service definition), 405 for a wrong
method, 400 for anything else, several problems at once when there are several.

- ``GET services``: one service per ``AppealCategory`` (``metadata: false``, ``type: realtime``).
- ``GET services/{service_code}``: the spec only makes this call *unnecessary* when metadata is false and
  lists 404 for unknown codes only, so a known code answers its (empty) definition
  ``{"service_code": ..., "attributes": []}`` and an unknown one 404.
- ``POST requests``: ``application/x-www-form-urlencoded`` (parsed with ``urllib.parse``), ``multipart/form-data``
  (python-multipart through Starlette's parser; one file, ``media``, a picture of the problem) or a JSON object.
  ``api_key``, ``service_code`` and ``description`` are required; ``title`` is our extension (default: the first
  30 characters of the description, on one line). The key acts as its account: an enterprise files through
  ``rules.submit`` (channel ONLINE, its own credit code); an appeals coordinator records through
  ``rules.record_for_enterprise`` for ``attribute[credit_code]`` (or ``credit_code``), with
  ``attribute[enterprise_name]`` when that enterprise has no account, on channel ``attribute[channel]`` (default
  MAILBOX: an API submission is a written one, and ONLINE is the enterprises' own channel, which the rules refuse
  for staff). ``address_string``, ``lat`` and ``long`` (both or neither) and ``media_url`` (an http(s) link) are
  kept with the appeal (``rules.Place``); a ``media`` file goes to the upload store as the key holder's upload,
  is attached to the appeal, and its ``/uploads`` link is the ``media_url``. ``email``, ``first_name``,
  ``last_name``, ``phone``, ``device_id`` and ``account_id`` are accepted and ignored (the enterprise is known by
  its key). A retried POST creates one appeal: the ``X-Idempotency-Key`` header, else the SHA-256 of the parsed
  body and the picture, is the rules' idempotency key. The answer carries both the ``service_request_id`` and a
  ``token``; ``GET tokens/{token}`` gives the id again.
- Every parameter, used or not, in the query string, the body or the ``X-Idempotency-Key`` header, is checked
  for its length and for control and direction characters (``portal.text``); ``start_date`` and ``end_date``
  lie in the years the calendar knows. A bad one is a 400 naming it, never a server error.
- ``GET requests`` and ``GET requests/{id}`` are public, so they never identify an enterprise (README, "Open311"):
  ``description`` is the appeal's title (never its content) with the enterprise's names and credit code, and
  every phone, ID or credit-code number however it is spelled, blanked out (``portal.appeals.redaction``), and so
  is ``address``; ``lat``/``long`` are rounded to 0.001° (about 100 m); ``media_url`` of an upload opens only for
  who may read the appeal's attachments; no opinion, summary or reason text. At most 100 requests, newest first,
  in a window of at most 90 days (default: the last 90 days; ``start_date`` and ``end_date`` both included);
  ``service_request_id`` overrides every other filter, as the spec says.

Keys: ``portal apikey create`` / ``portal apikey revoke`` (``create_api_key`` / ``revoke_api_key`` below).
"""

from __future__ import annotations

import hashlib
import math
import re
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qs
from xml.etree.ElementTree import Element, SubElement, tostring

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.routing import Route
from tortoise.transactions import in_transaction

from portal.appeals import rules
from portal.appeals.errors import AppealCode
from portal.appeals.models import (
    Appeal,
    AppealCategory,
    AppealChannel,
    AppealStatus,
    AppealStep,
    AppealUrgency,
)
from portal.appeals.redaction import aliases, public_title
from portal.applications import uploads
from portal.applications.uploads import MAX_UPLOAD_BYTES
from portal.audit.rules import Actor, record
from portal.catalog.models import Department, Region
from portal.identity.models import Account, AccountKind, ApiKey, Role
from portal.identity.numbers import check_credit_code
from portal.identity.principal import Principal
from portal.idempotency import MAX_KEY_LENGTH
from portal.problems import (
    MAX_ROW_ID,
    Code,
    Conflicting,
    Forbidden,
    FormProblems,
    InvalidField,
    Missing,
    check_day,
    row_id,
)
from portal.text import MAX_FREE_TEXT, preview, text_problem
from portal.web import client_address, terminal_of
from portal.workdays import SHANGHAI

PREFIX = "/open311/v2"
GROUP = "企业诉求"
MAX_REQUESTS = 100
WINDOW = timedelta(days=90)
MAX_BODY_BYTES = 64 * 1024
DEFAULT_TITLE_LENGTH = 30
KEY_BYTES = 32
IDEMPOTENCY_HEADER = "X-Idempotency-Key"
JSON_TYPE = "application/json; charset=utf-8"
CLOSED = (AppealStatus.CLOSED, AppealStatus.MERGED)
KEY_HOLDERS = "Open311 密钥只能发给企业账号或诉求专席（APPEALS_COORDINATOR）账号"


@dataclass(frozen=True)
class Service:
    name: str
    description: str
    keywords: str  # the spec's "comma separated list"


SERVICES: dict[AppealCategory, Service] = {
    AppealCategory.POLICY: Service("政策兑现", "惠企政策未落实、奖补资金未兑现等问题", "惠企政策, 奖补资金, 补贴, 政策落实"),
    AppealCategory.APPROVAL: Service("审批服务", "行政审批、许可办理中的堵点难点", "行政审批, 行政许可, 证照, 办事效率"),
    AppealCategory.FINANCING: Service("融资信贷", "贷款、担保、融资难融资贵等问题", "贷款, 融资, 担保, 银行"),
    AppealCategory.TAX: Service("税费", "纳税、退税、涉企收费等问题", "纳税, 退税, 涉企收费, 社保费"),
    AppealCategory.LABOUR: Service("用工人才", "招工、人才引进、劳动关系等问题", "招工, 人才, 劳动关系, 社保"),
    AppealCategory.LAND: Service("用地规划", "土地供应、规划许可、不动产登记等问题", "土地, 规划, 用地指标, 不动产"),
    AppealCategory.ENERGY: Service("水电气暖", "供水、供电、燃气、供暖报装和保障问题", "供水, 供电, 燃气, 供暖, 报装"),
    AppealCategory.MARKET: Service("市场准入与公平竞争", "市场准入壁垒、招投标不公、不正当竞争等问题",
                                   "市场准入, 招投标, 公平竞争, 隐性壁垒"),
    AppealCategory.LEGAL: Service("法治环境与权益保护", "执法不规范、知识产权、合同履约等权益保护问题",
                                  "执法, 知识产权, 合同履约, 权益保护"),
    AppealCategory.OTHER: Service("其他", "其他涉企诉求", "其他"),
}
SERVICE_NOTICE = "按“2115”机制办理：交办后承办单位2小时内联系企业、1个工作日内出具办理意见、15个工作日内办结。"
STATUS_DETAILS = {
    AppealStatus.RECEIVED: "诉求已受理，等待诉求专席分办",
    AppealStatus.ASSIGNED: "已交办承办单位",
    AppealStatus.RETURNED: "承办单位申请退单，等待诉求专席审核",
    AppealStatus.CONTACTED: "承办单位已联系企业",
    AppealStatus.OPINION_GIVEN: "承办单位已出具办理意见",
    AppealStatus.RESOLVED: "已办结，等待企业确认",
    AppealStatus.CLOSED: "企业已确认办结",
    AppealStatus.MERGED: "已并入同类诉求一并办理",
}
# The rules' field names -> the names an Open311 client sent.
FIELD_NAMES = {
    "content": "description", "title": "title", "creditCode": "attribute[credit_code]",
    "enterpriseName": "attribute[enterprise_name]", "channel": "attribute[channel]",
    "idempotencyKey": "X-Idempotency-Key", "address": "address_string", "latitude": "lat", "longitude": "long",
    "mediaUrl": "media_url", "attachments": "media",
}
# Every parameter is checked, used or not (portal.text: no control or direction characters, a bounded
# length, one line except the description). At most this many parameters, of these lengths.
MAX_PARAMETERS = 40
MAX_NAME_LENGTH = 40
MAX_VALUE_LENGTH = 200
VALUE_LENGTHS = {"description": MAX_FREE_TEXT, "media_url": 500, "service_request_id": MAX_REQUESTS * (len(str(MAX_ROW_ID)) + 1),
                 IDEMPOTENCY_HEADER: MAX_KEY_LENGTH}
MULTILINE = frozenset({"description"})
PUBLIC_DECIMALS = 3
TOKEN_BYTES = 32
MEDIA_FIELD = "media"  # a multipart POST's picture of the problem


# --- keys ------------------------------------------------------------------------------------------------------


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def create_api_key(*, label: str, username: str | None = None, credit_code: str | None = None
                         ) -> tuple[ApiKey, str]:
    """A new key for a staff account (by username) or an enterprise (by credit code); returns the row and the key,
    which is stored only as its SHA-256 and cannot be shown again."""
    text = (label or "").strip()
    if not 1 <= len(text) <= 100:
        raise InvalidField("label", Code.BAD_LENGTH, "密钥说明应为1到100个字")
    if (username is None) == (credit_code is None):
        raise Conflicting(AppealCode.ONE_HOLDER, "请指定 --username 或 --credit-code 之一")
    if username is not None:
        account = await Account.get_or_none(username=username.strip(), kind=AccountKind.STAFF)
    else:
        account = await Account.get_or_none(credit_code=credit_code.strip().upper(), kind=AccountKind.ENTERPRISE)
    if account is None or account.disabled:
        raise Missing(AppealCode.NO_ACCOUNT, f"没有这个{'员工' if username is not None else '企业'}账号")
    if not (account.kind is AccountKind.ENTERPRISE or account.role is Role.APPEALS_COORDINATOR):
        raise Forbidden(AppealCode.NOT_A_KEY_HOLDER, KEY_HOLDERS)
    key = secrets.token_urlsafe(KEY_BYTES)
    async with in_transaction():
        row = await ApiKey.create(account_id=account.id, key_hash=key_digest(key), label=text)
        await record("apikey.created", Actor(None, "command-line"), subject_account_id=account.id,
                     target=f"apikey:{row.id}", detail={"label": text})
    return row, key


async def revoke_api_key(key_id: int) -> ApiKey:
    """Revoke a key (revoking it again changes nothing)."""
    row = await ApiKey.get_or_none(id=key_id)
    if row is None:
        raise Missing(AppealCode.NO_KEY, f"没有编号为 {key_id} 的密钥")
    if row.revoked_at is None:
        async with in_transaction():
            row.revoked_at = datetime.now(timezone.utc)
            await row.save(update_fields=["revoked_at"])
            await record("apikey.revoked", Actor(None, "command-line"), subject_account_id=row.account_id,
                         target=f"apikey:{row.id}", detail={"label": row.label})
    return row


async def key_principal(key: str) -> tuple[Principal, ApiKey] | None:
    """The account a live key acts as (not revoked, account not disabled); the principal lives for one request."""
    row = await ApiKey.filter(key_hash=key_digest(key), revoked_at__isnull=True,
                              account__disabled=False).select_related("account").first()
    if row is None:
        return None
    a = row.account
    return Principal(account_id=a.id, kind=a.kind, name=a.name, role=a.role, department_code=a.department_code,
                     region_code=a.region_code, session_id=0, expires_at=datetime.now(timezone.utc)), row


# --- responses -------------------------------------------------------------------------------------------------


FORMATS = ("json", "xml")
XML_TYPE = "application/xml; charset=utf-8"
# The XML element of each item of a list, by the list's element (the spec's examples).
XML_ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
             "values": "value"}


def _xml_fill(element: Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, inner in value.items():
            _xml_fill(SubElement(element, name), inner)
    elif isinstance(value, list):
        for inner in value:
            _xml_fill(SubElement(element, XML_ITEMS[element.tag]), inner)
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    elif value is not None:
        element.text = str(value)


def render(fmt: str, root: str, data: Any, status: int = 200) -> Response:
    """``data`` as JSON, or as the spec's XML under ``root`` (a list's items named by ``XML_ITEMS``; null is an
    empty element, booleans ``true``/``false``)."""
    if fmt == "xml":
        element = Element(root)
        _xml_fill(element, data)
        return Response(tostring(element, encoding="utf-8", xml_declaration=True), status_code=status,
                        media_type=XML_TYPE)
    return Response(orjson.dumps(data), status_code=status, media_type=JSON_TYPE)


def errors(status: int, *descriptions: str, fmt: str = "json", headers: dict[str, str] | None = None) -> Response:
    response = render(fmt, "errors", [{"code": status, "description": d} for d in descriptions], status)
    response.headers.update(headers or {})
    return response


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone(SHANGHAI).isoformat() if moment else None


def format_of(path: str) -> str:
    """The format an address asks for by its extension; JSON when it names none we serve."""
    extension = path.rpartition(".")[2].lower() if "." in path.rpartition("/")[2] else ""
    return extension if extension in FORMATS else "json"


def _service(code: str | None) -> AppealCategory | None:
    return AppealCategory.__members__.get(code) if code else None


def status_notes(appeal: Appeal) -> str:
    note = STATUS_DETAILS[appeal.status]
    if appeal.status is AppealStatus.MERGED and appeal.merged_into_id:
        note = f"已并入诉求 {appeal.merged_into_id} 一并办理"
    return f"{rules.STATUS_NAMES[appeal.status]}：{note}"


async def _secrets(appeals: list[Appeal]) -> dict[int, list[str]]:
    """What would identify the enterprise of each appeal: its credit code, the name it was filed under, the
    name of its account (the registered one), and the short names of both."""
    if not appeals:
        return {}
    region_names = await Region.all().values_list("name", flat=True)
    registered = dict(await Account.filter(kind=AccountKind.ENTERPRISE, credit_code__in=list(
        {a.credit_code for a in appeals})).values_list("credit_code", "name"))
    return {a.id: [a.credit_code, *aliases(a.enterprise_name, region_names),
                   *(aliases(registered[a.credit_code], region_names) if a.credit_code in registered else [])]
            for a in appeals}


def _coarse(degrees: float | None) -> float | None:
    """A published coordinate: to 0.001° (about 100 m), enough to map the problem, not to point at the door."""
    return round(degrees, PUBLIC_DECIMALS) if degrees is not None else None


async def _describe(appeals: list[Appeal]) -> list[dict[str, Any]]:
    """The public GeoReport fields of each appeal (four queries for the whole page)."""
    codes = {a.department_code for a in appeals if a.department_code}
    agencies = dict(await Department.filter(code__in=codes).values_list("code", "name")) if codes else {}
    secrets_of = await _secrets(appeals)
    last_step: dict[int, datetime] = {}
    if appeals:
        for appeal_id, at in await AppealStep.filter(appeal_id__in=[a.id for a in appeals]).values_list(
                "appeal_id", "at"):
            if appeal_id not in last_step or at > last_step[appeal_id]:
                last_step[appeal_id] = at
    out = []
    for a in appeals:
        # A state change is a conditional UPDATE, which leaves updated_at alone: the last step is the truth.
        updated = max(filter(None, (a.created_at, a.updated_at, last_step.get(a.id))))
        out.append({
            "service_request_id": str(a.id),
            "status": "closed" if a.status in CLOSED else "open",
            "status_notes": status_notes(a),
            "service_name": SERVICES[a.category].name,
            "service_code": a.category.value,
            "description": public_title(a.title, secrets_of[a.id]),
            "agency_responsible": agencies.get(a.department_code) if a.department_code else None,
            "service_notice": SERVICE_NOTICE,
            "requested_datetime": _when(a.created_at),
            "updated_datetime": _when(updated),
            "expected_datetime": _when(a.resolve_by),
            "address": public_title(a.address, secrets_of[a.id]) if a.address else None,
            "address_id": None,
            "zipcode": None,
            "lat": _coarse(a.latitude),
            "long": _coarse(a.longitude),
            "media_url": a.media_url,
        })
    return out


# --- GET services ----------------------------------------------------------------------------------------------


async def services(request: Request, fmt: str) -> Response:
    return render(fmt, "services", [
        {"service_code": c.value, "service_name": s.name, "description": s.description, "metadata": False,
         "type": "realtime", "keywords": s.keywords, "group": GROUP} for c, s in SERVICES.items()])


async def service_definition(request: Request, fmt: str) -> Response:
    code = request.path_params["service_code"]
    if _service(code) is None:
        return errors(404, f"service_code {preview(code)} not found: 没有这个诉求类别", fmt=fmt)
    return render(fmt, "service_definition", {"service_code": code, "attributes": []})


# --- POST requests ---------------------------------------------------------------------------------------------


class BadRequest(Exception):
    def __init__(self, *descriptions: str) -> None:
        super().__init__(*descriptions)
        self.descriptions = descriptions


@dataclass(frozen=True)
class Submitted:
    """What a POST carried: its fields, flat, and the picture of a multipart one (name, bytes)."""

    fields: dict[str, str]
    media: tuple[str | None, bytes] | None = None


async def _read_body(request: Request, limit: int) -> AsyncIterator[bytes]:
    """The body in chunks, refused past ``limit`` bytes whether or not a length was declared."""
    try:
        declared = int(request.headers.get("content-length", ""))
    except ValueError:
        declared = None
    too_large = BadRequest(f"请求体不能超过 {limit // 1024} KiB")
    if declared is not None and declared > limit:
        raise too_large
    read = 0
    async for chunk in request.stream():
        read += len(chunk)
        if read > limit:
            raise too_large
        yield chunk


async def _parse(request: Request) -> Submitted:
    """The submitted fields: ``attribute[code]`` keys as sent (form, multipart) or from an ``attribute`` object
    (JSON); a multipart POST may carry one file, ``media``."""
    content_type = request.headers.get("content-type", "")
    media_type = content_type.partition(";")[0].strip().lower()
    if media_type == "multipart/form-data":
        return await _parse_multipart(request)
    body = b"".join([chunk async for chunk in _read_body(request, MAX_BODY_BYTES)])
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("请求体必须是 UTF-8 编码") from None
    if media_type == "application/json":
        try:
            data = orjson.loads(text or "null")
        except orjson.JSONDecodeError:
            raise BadRequest("请求体不是合法的 JSON") from None
        if not isinstance(data, dict):
            raise BadRequest("JSON 请求体必须是一个对象")
        attributes = data.pop("attribute", None)
        if isinstance(attributes, dict):
            data.update({f"attribute[{k}]": v for k, v in attributes.items()})
        elif attributes is not None:
            raise BadRequest("attribute: 必须是一个对象")
        fields: dict[str, str] = {}
        for name, value in data.items():
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                raise BadRequest(f"{name}: 必须是字符串")
            fields[name] = str(value)
        return Submitted(fields)
    if media_type in ("application/x-www-form-urlencoded", ""):
        try:
            parsed = parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict")
        except (UnicodeDecodeError, ValueError):
            raise BadRequest("表单编码不正确") from None
        return Submitted({name: values[0] for name, values in parsed.items()})
    raise BadRequest("Content-Type 必须是 application/x-www-form-urlencoded、multipart/form-data 或 application/json")


async def _parse_multipart(request: Request) -> Submitted:
    """A multipart form (python-multipart, through Starlette's parser): text fields, and at most one file, which
    must be ``media``."""
    parser = MultiPartParser(request.headers, _read_body(request, MAX_UPLOAD_BYTES + MAX_BODY_BYTES), max_files=1,
                             max_fields=MAX_PARAMETERS, max_part_size=MAX_BODY_BYTES)
    try:
        form = await parser.parse()
    except MultiPartException as malformed:
        raise BadRequest(f"multipart 表单不正确：{malformed.message}") from None
    fields: dict[str, str] = {}
    media = None
    try:
        for name, value in form.multi_items():
            if isinstance(value, str):
                fields.setdefault(name, value)
            elif name != MEDIA_FIELD:
                raise BadRequest(f"{preview(name, MAX_NAME_LENGTH)}: 只有 {MEDIA_FIELD} 可以是文件")
            else:
                media = (value.filename, await value.read())
    finally:
        await form.close()
    return Submitted(fields, media)


def _check_parameters(parameters: Iterable[tuple[str, str]]) -> None:
    """Every parameter a client sent, used or not: at most MAX_PARAMETERS, each name and value of bounded length
    and without control or direction characters (``portal.text``), one line except the description. Nothing
    with a NUL or a U+202E gets as far as the rules, the database or the public list."""
    given = list(parameters)
    if len(given) > MAX_PARAMETERS:
        raise BadRequest(f"参数不能超过 {MAX_PARAMETERS} 个")
    problems = []
    for name, value in given:
        if text_problem(name, max_length=MAX_NAME_LENGTH, multiline=False) is not None:
            problems.append(f"{preview(name, MAX_NAME_LENGTH)}: 参数名无效")
        elif (problem := text_problem(value, max_length=VALUE_LENGTHS.get(name, MAX_VALUE_LENGTH),
                                      multiline=name in MULTILINE)) is not None:
            problems.append(f"{name}: {problem[1]}")
    if problems:
        raise BadRequest(*problems)


def _field(fields: dict[str, str], *names: str) -> str:
    for name in names:
        value = (fields.get(name) or "").strip()
        if value:
            return value
    return ""


def _degrees(fields: dict[str, str], name: str) -> float | None:
    """A coordinate as sent (decimal degrees), or None when absent; the range is the rules' to check."""
    text = _field(fields, name)
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise BadRequest(f"{name}: 须为十进制度数，例如 36.6512") from None
    if not math.isfinite(value):
        raise BadRequest(f"{name}: 须为十进制度数，例如 36.6512")
    return value


def _problems(problems: list[InvalidField], title_given: bool) -> list[str]:
    """The rules' field problems under the names the client used; a default title's problems are the
    description's and are not repeated."""
    described = []
    for p in problems:
        if p.field == "title" and not title_given:
            continue
        described.append(f"{FIELD_NAMES.get(p.field, p.field)}: {p.message}")
    return described or [f"{FIELD_NAMES.get(p.field, p.field)}: {p.message}" for p in problems]


async def _media_url(request: Request, principal: Principal, actor: Actor, media: tuple[str | None, bytes]
                     ) -> tuple[str, str]:
    """A picture sent with the request, kept in the upload store as the key holder's upload: (file id, its link).
    The link opens only for who may read the appeal's attachments (``/uploads``), never for the public."""
    name, data = media
    if not data:
        raise BadRequest(f"{MEDIA_FIELD}: 文件内容为空")
    try:
        file = await uploads.keep(uploads.store_of(request), data, owner_id=principal.account_id, name=name,
                                  actor=actor)
    except uploads.UnsupportedType:
        raise BadRequest(f"{MEDIA_FIELD}: {uploads.ACCEPTED_TYPES_MESSAGE}") from None
    except uploads.FileTooLarge:
        raise BadRequest(f"{MEDIA_FIELD}: 文件不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MiB") from None
    return str(file.id), f"{str(request.base_url).rstrip('/')}/uploads/{file.id}"


async def create_request(request: Request, fmt: str) -> Response:
    try:
        submitted = await _parse(request)
        fields = submitted.fields
        header = request.headers.get(IDEMPOTENCY_HEADER)
        _check_parameters([*fields.items(), *request.query_params.multi_items(),
                           *([(IDEMPOTENCY_HEADER, header)] if header is not None else [])])
        latitude, longitude = _degrees(fields, "lat"), _degrees(fields, "long")
    except BadRequest as bad:
        return errors(400, *bad.descriptions, fmt=fmt)

    key = _field(fields, "api_key") or (request.query_params.get("api_key") or "").strip()
    found = await key_principal(key) if key else None
    if found is None:
        return errors(403, "api_key 缺失或无效（Missing or invalid api_key）", fmt=fmt)
    principal, api_key = found

    code, description = _field(fields, "service_code"), _field(fields, "description")
    missing = [f"{name}: 必填" for name, value in (("service_code", code), ("description", description))
               if not value]
    if missing:
        return errors(400, *missing, fmt=fmt)
    category = _service(code)
    if category is None:
        return errors(404, f"service_code {code!r} not found: 没有这个诉求类别，请从 services.json 选择", fmt=fmt)

    terminal = terminal_of(request)
    actor = Actor(principal.account_id, f"{principal.label} apikey:{api_key.id}", client_address(request),
                  terminal.value if terminal else "")
    media_url, attachments = _field(fields, "media_url") or None, []
    if submitted.media is not None:
        if media_url:
            return errors(400, "media_url, media: 请只提供其一：图片链接或图片文件", fmt=fmt)
        try:
            file_id, media_url = await _media_url(request, principal, actor, submitted.media)
        except BadRequest as bad:
            return errors(400, *bad.descriptions, fmt=fmt)
        attachments = [file_id]
    place = rules.Place(address=_field(fields, "address_string") or None, latitude=latitude, longitude=longitude,
                        media_url=media_url)
    given_title = _field(fields, "title")
    title = given_title or " ".join(description.split())[:DEFAULT_TITLE_LENGTH]  # a title is one line
    # Without a key of the client's, the request itself is the key: its fields and the picture's content.
    idempotency_key = (header or "").strip() or "open311-body:" + hashlib.sha256(orjson.dumps(
        {**fields, "\0media": hashlib.sha256(submitted.media[1]).hexdigest() if submitted.media else None},
        option=orjson.OPT_SORT_KEYS)).hexdigest()
    credit_code = _field(fields, "attribute[credit_code]", "credit_code")
    common = {"title": title, "content": description, "category": category, "idempotency_key": idempotency_key,
              "attachments": attachments, "place": place, "open311_token": secrets.token_urlsafe(TOKEN_BYTES)}
    try:
        if principal.kind is AccountKind.STAFF and principal.role is Role.APPEALS_COORDINATOR:
            channel = _field(fields, "attribute[channel]", "channel").upper() or AppealChannel.MAILBOX.value
            if channel not in AppealChannel.__members__:
                return errors(400, "attribute[channel]: 渠道须为 MAILBOX、HOTLINE 或 VISIT", fmt=fmt)
            appeal = await rules.record_for_enterprise(
                principal, actor, credit_code=credit_code,
                enterprise_name=_field(fields, "attribute[enterprise_name]", "enterprise_name") or None,
                urgency=AppealUrgency.GENERAL, channel=AppealChannel(channel), **common)
        else:
            if principal.kind is AccountKind.ENTERPRISE and credit_code and not await Account.exists(
                    id=principal.account_id, credit_code=check_credit_code(credit_code, field="creditCode")):
                return errors(400, "attribute[credit_code]: 企业密钥只能为本企业提交诉求", fmt=fmt)
            appeal = await rules.submit(principal, actor, credit_code=credit_code or None, **common)
    except FormProblems as invalid:
        return errors(400, *_problems(invalid.problems, bool(given_title)), fmt=fmt)
    except InvalidField as invalid:
        return errors(400, *_problems([invalid], bool(given_title)), fmt=fmt)
    except Forbidden as refused:
        return errors(403, refused.message, fmt=fmt)
    except Missing as refused:
        return errors(404, refused.message, fmt=fmt)
    except Conflicting as refused:
        return errors(400, refused.message, fmt=fmt)
    return render(fmt, "service_requests", [{"service_request_id": str(appeal.id), "token": appeal.open311_token,
                                             "service_notice": SERVICE_NOTICE, "account_id": None}], 201)


# --- GET requests ----------------------------------------------------------------------------------------------


def _list(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _moment(name: str, value: str) -> datetime:
    """A W3C datetime; a '+' of the offset that arrived unencoded (as a space) is put back; a value without an
    offset is Beijing time."""
    text = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRequest(f"{name}: 须为 ISO 8601 时间，例如 2026-01-01T00:00:00+08:00") from None
    try:
        check_day(name, moment.date())  # 0001-01-01 in Beijing time is before the first instant in UTC
    except InvalidField as problem:
        raise BadRequest(f"{name}: {problem.message}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=SHANGHAI)


def _window(start_text: str | None, end_text: str | None) -> tuple[datetime, datetime | None]:
    """The requested_datetime window, both ends included (the spec's "earliest" and "latest" datetime)."""
    start = _moment("start_date", start_text) if start_text else None
    end = _moment("end_date", end_text) if end_text else None
    if start is None and end is None:
        return datetime.now(timezone.utc) - WINDOW, None
    if start is None:
        start = end - WINDOW
    if end is None:
        end = start + WINDOW
    if end < start:
        raise BadRequest("end_date: 不能早于 start_date")
    if end - start > WINDOW:
        raise BadRequest("start_date, end_date: 查询区间不能超过90天")
    return start, end


async def list_requests(request: Request, fmt: str) -> Response:
    params = request.query_params
    ids = _list(params.get("service_request_id"))
    try:
        _check_parameters(params.multi_items())
        if ids:  # "This overrides all other arguments."
            numbers = [row_id(i) for i in ids]
            if len(ids) > MAX_REQUESTS or None in numbers:
                raise BadRequest(f"service_request_id: 须为至多 {MAX_REQUESTS} 个以逗号分隔的编号")
            query = Appeal.filter(id__in=numbers)
        else:
            query = Appeal.all()
            codes = _list(params.get("service_code"))
            unknown = [c for c in codes if _service(c) is None]
            if unknown:
                raise BadRequest(f"service_code: 没有这些诉求类别：{', '.join(unknown)}")
            if codes:
                query = query.filter(category__in=codes)
            statuses = {s.lower() for s in _list(params.get("status"))}
            if statuses - {"open", "closed"}:
                raise BadRequest("status: 须为 open 或 closed（可用逗号分隔）")
            if statuses == {"closed"}:
                query = query.filter(status__in=list(CLOSED))
            elif statuses == {"open"}:
                query = query.exclude(status__in=list(CLOSED))
            start, end = _window(params.get("start_date"), params.get("end_date"))
            query = query.filter(created_at__gte=rules.utc(start))
            if end is not None:
                query = query.filter(created_at__lte=rules.utc(end))
    except BadRequest as bad:
        return errors(400, *bad.descriptions, fmt=fmt)
    appeals = await query.order_by("-created_at", "-id").limit(MAX_REQUESTS)
    return render(fmt, "service_requests", await _describe(appeals))


async def show_request(request: Request, fmt: str) -> Response:
    raw = request.path_params["id"]
    number = row_id(raw)
    appeal = await Appeal.get_or_none(id=number) if number is not None else None
    if appeal is None:
        return errors(404, f"service_request_id {preview(raw)} not found: 未找到该诉求", fmt=fmt)
    return render(fmt, "service_requests", await _describe([appeal]))


async def show_token(request: Request, fmt: str) -> Response:
    """GET tokens/{token}: the service_request_id of the request a POST answered with this token."""
    token = request.path_params["token"]
    appeal = await Appeal.get_or_none(open311_token=token) if len(token) <= 2 * TOKEN_BYTES else None
    if appeal is None:
        return errors(404, f"token {preview(token)} not found: 未找到该请求", fmt=fmt)
    return render(fmt, "service_requests", [{"service_request_id": str(appeal.id), "token": token}])


# --- routing ---------------------------------------------------------------------------------------------------


Handler = Callable[[Request, str], Awaitable[Response]]


def endpoint(**handlers: Handler) -> Callable[[Request], Awaitable[Response]]:
    """One address of the facade: its format from the extension (``.json`` or ``.xml``), its handler by method
    (``get`` answers HEAD too). A wrong extension or method is answered in the spec's error list, not in
    Starlette's plain text."""
    allowed = {method.upper(): handler for method, handler in handlers.items()}
    if "GET" in allowed:
        allowed["HEAD"] = allowed["GET"]
    allow = ", ".join(sorted(allowed))

    async def answer(request: Request) -> Response:
        fmt = request.path_params["format"].lower()
        if fmt not in FORMATS:
            return errors(404, "只提供 JSON 和 XML 格式：请使用 .json 或 .xml 结尾的地址")
        handler = allowed.get(request.method)
        if handler is None:
            return errors(405, f"{request.method} not allowed: 此地址只接受 {allow}", fmt=fmt,
                          headers={"Allow": allow})
        return await handler(request, fmt)

    return answer


async def unknown(request: Request) -> Response:
    return errors(404, f"{preview(request.url.path, 100)} not found: 没有这个接口（见 services.json、requests.json）",
                  fmt=format_of(request.url.path))


# Every method reaches the endpoint, which answers a wrong one itself (a function's Route would default to GET).
EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"]
routes = [
    Route(f"{PREFIX}/services.{{format}}", endpoint(get=services), methods=EVERY_METHOD),
    Route(f"{PREFIX}/services/{{service_code}}.{{format}}", endpoint(get=service_definition), methods=EVERY_METHOD),
    Route(f"{PREFIX}/requests.{{format}}", endpoint(get=list_requests, post=create_request), methods=EVERY_METHOD),
    Route(f"{PREFIX}/requests/{{id}}.{{format}}", endpoint(get=show_request), methods=EVERY_METHOD),
    Route(f"{PREFIX}/tokens/{{token}}.{{format}}", endpoint(get=show_token), methods=EVERY_METHOD),
    Route(f"{PREFIX}/{{rest:path}}", unknown, methods=EVERY_METHOD),
    Route(PREFIX, unknown, methods=EVERY_METHOD),
]
