"""Uploaded materials: content-addressed storage and the ``/uploads`` routes.

``POST /uploads`` takes the raw file bytes as the request body (the file name, percent-encoded UTF-8, in
``X-File-Name``); ``multipart/form-data`` is not accepted because python-multipart is not installed. The type
is decided by the content (magic bytes), never by the declared Content-Type: PDF, JPEG, PNG and OFD (a ZIP
whose central directory names ``OFD.xml``; only the directory is read, nothing is decompressed).

``GET /uploads/{id}`` serves a file to whoever ``may_read_upload`` allows; everyone else, and an unknown
or malformed id, gets the same 404. A browser cannot send a bearer header with a link, so the API gives each
viewer short-lived signed links (``signed_link``: ``?session=..&expires=..&signature=..``, HMAC-SHA256 with a key
derived from the portal secret, 5 minutes): a link names the viewer's session and is read as theirs, only while
that session lives and the viewer may still read the file; an expired, altered or another file's link is a 403. A read by anyone but the owner is written to the access log of the owner and
of the applicants whose applications use the file (a family member may have uploaded it for them), naming the
department when a handler read it.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import logging
import os
import re
import tempfile
import unicodedata
import uuid
import zipfile
from collections.abc import AsyncIterable, AsyncIterator, Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote, urlencode

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route
from tortoise.transactions import in_transaction

from portal.appeals.models import AppealAttachment
from portal.appeals.rules import may_see_appeal
from portal.applications.models import Application, ApplicationMaterial, Task, UploadedFile, is_file_id
from portal.audit.rules import Actor, record, record_read
from portal.identity import ratelimit
from portal.identity.models import Role
from portal.identity.policy import has_role, may_handle_department
from portal.identity.principal import Principal
from portal.config import derived_key
from portal.identity.rules import DEVICE_NAMES, authenticate, session_principal
from portal.problems import row_id
from portal.text import FORBIDDEN
from portal.web import bearer_token, client_address, terminal_of, usable_from

log = logging.getLogger("portal.uploads")

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_NAME_LENGTH = 200
UNNAMED = "未命名"
FILE_NAME_HEADER = "x-file-name"
OFD_MEDIA_TYPE = "application/ofd"
# Magic bytes -> media type; a ZIP is an OFD only when its directory has an OFD.xml entry (checked at the end).
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"PK\x03\x04", OFD_MEDIA_TYPE),
)
SNIFF_BYTES = max(len(magic) for magic, _ in SIGNATURES)
ACCEPTED_TYPES_MESSAGE = "仅支持上传 PDF、JPEG、PNG 或 OFD 格式的文件"
_SHA256 = re.compile(r"[0-9a-f]{64}")
LINK_LIFETIME = timedelta(minutes=5)
LINK_KEY_LABEL = b"upload-link-v1"


class FileTooLarge(Exception):
    """The content passed the size limit (raised while streaming, before the rest is read)."""


class UnsupportedType(Exception):
    """The content is none of the accepted types."""


class FileStore:
    """Files stored once per content under ``root/sha256/<first 2 hex>/<other 62 hex>``.

    A file is streamed into a temporary file under ``root/tmp`` (the same file system as its destination),
    flushed to disk, then moved into place with ``os.replace``: a reader sees the whole file or none, and
    the same content uploaded twice (even at once) ends up as one file.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.tmp = self.root / "tmp"

    def path(self, sha256: str) -> Path:
        if not _SHA256.fullmatch(sha256):
            raise ValueError("not a lowercase hex SHA-256 digest")
        return self.root / "sha256" / sha256[:2] / sha256[2:]

    async def put(self, data: bytes | AsyncIterable[bytes], *, max_size: int | None = None,
                  verify: Callable[[Path], None] | None = None) -> tuple[str, int]:
        """Store ``data`` (bytes or an async stream of chunks); returns (sha256, size).

        ``max_size`` raises ``FileTooLarge`` as soon as the stream passes it; ``verify(temporary_path)`` runs
        in a thread on the complete file before it is moved into place and may raise to refuse it.
        """
        chunks = _single(bytes(data)) if isinstance(data, (bytes, bytearray, memoryview)) else data
        await asyncio.to_thread(self.tmp.mkdir, parents=True, exist_ok=True)
        fd, name = await asyncio.to_thread(tempfile.mkstemp, dir=self.tmp, prefix="upload-")
        temporary = Path(name)
        digest, size = hashlib.sha256(), 0
        try:
            with os.fdopen(fd, "wb") as out:
                async for chunk in chunks:
                    if not chunk:
                        continue
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise FileTooLarge
                    await asyncio.to_thread(_write, out, digest, chunk)
                await asyncio.to_thread(_flush, out)
            if verify is not None:
                await asyncio.to_thread(verify, temporary)
            sha256 = digest.hexdigest()
            await asyncio.to_thread(self._move_into_place, temporary, self.path(sha256))
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return sha256, size

    @staticmethod
    def _move_into_place(temporary: Path, target: Path) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():  # already stored: the content is the same, keep the existing file
            temporary.unlink(missing_ok=True)
        else:
            os.replace(temporary, target)


async def may_read_upload(principal: Principal | None, file: UploadedFile) -> bool:
    """An uploaded file is read by its owner, by the applicant of an application that uses it (a family
    member may have uploaded it for them), by whoever may see an appeal it is attached to, and by a handler of
    a department with a task in such an application. Callers answer everyone else "not found"."""
    if principal is None:
        return False
    if principal.account_id == file.owner_id:
        return True
    if await ApplicationMaterial.exists(file_id=file.id, application__applicant_id=principal.account_id):
        return True
    for attachment in await AppealAttachment.filter(file_id=file.id).select_related("appeal"):
        if await may_see_appeal(principal, attachment.appeal):
            return True
    if not has_role(principal, Role.DEPARTMENT_HANDLER):
        return False
    departments = await Task.filter(application__materials__file_id=file.id).distinct().values_list(
        "department_code", flat=True)
    return any(may_handle_department(principal, code) for code in departments)


async def _single(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _write(out: BinaryIO, digest: Any, chunk: bytes) -> None:
    digest.update(chunk)
    out.write(chunk)


def _flush(out: BinaryIO) -> None:
    out.flush()
    os.fsync(out.fileno())


def sniff(head: bytes) -> str | None:
    """The media type the leading bytes announce, or None."""
    for magic, media_type in SIGNATURES:
        if head.startswith(magic):
            return media_type
    return None


def check_ofd(path: Path) -> None:
    """An OFD document is a ZIP package with ``OFD.xml`` at its root. Only the central directory is read
    (bounded by the 10 MiB upload limit); no entry is decompressed, so a ZIP bomb costs nothing."""
    try:
        with zipfile.ZipFile(path) as package:
            names = package.namelist()
    except Exception:  # noqa: BLE001 - any malformed archive is simply not an OFD document
        raise UnsupportedType from None
    if "OFD.xml" not in names:
        raise UnsupportedType


def clean_file_name(raw: str | None) -> str:
    """The display name of an upload: percent-decoded UTF-8, no directories, no control, format or direction
    characters (nor anything else ``portal.text`` refuses), at most 200 characters; "未命名" when nothing is
    left."""
    if not raw:
        return UNNAMED
    try:  # a client that sent raw UTF-8 instead of percent-encoding it (headers arrive as latin-1)
        raw = raw.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    name = unquote(raw, errors="replace")
    name = re.split(r"[/\\]", name)[-1]  # C:\fakepath\证明.pdf, ../../x.pdf -> the last component
    name = FORBIDDEN.sub("", "".join(c for c in name if unicodedata.category(c)[0] != "C")).strip()
    if name in ("", ".", ".."):
        return UNNAMED
    return name[:MAX_NAME_LENGTH]


def error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _not_found() -> JSONResponse:
    return error(404, "NOT_FOUND", "未找到该文件")


async def _principal(request: Request) -> tuple[Principal | None, JSONResponse | None]:
    token = bearer_token(request.headers.get("authorization"))
    principal = await authenticate(token) if token else None
    if principal is not None and not usable_from(principal, terminal_of(request)):
        return None, error(401, "WRONG_TERMINAL", f"此登录仅限在{DEVICE_NAMES[principal.terminal]}上使用",
                           {"WWW-Authenticate": "Bearer"})
    if principal is None:
        return None, error(401, "UNAUTHENTICATED", "请先登录" if not token else "登录已失效，请重新登录",
                           {"WWW-Authenticate": "Bearer"})
    return principal, None


def _link_signature(secret: str, file_id: str, session_id: int, expires: int) -> str:
    signed = f"{file_id}.{session_id}.{expires}".encode("utf-8")
    mac = hmac.new(derived_key(secret, LINK_KEY_LABEL), signed, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def signed_link(secret: str, file_id: str, principal: Principal, now: datetime) -> str:
    """A link that opens the file in a browser for 5 minutes, as this viewer's session (relative to the portal)."""
    expires = int(now.timestamp() + LINK_LIFETIME.total_seconds())
    signature = _link_signature(secret, file_id, principal.session_id, expires)
    return f"/uploads/{file_id}?" + urlencode({"session": principal.session_id, "expires": expires,
                                               "signature": signature})


async def link_for(principal: Principal | None, secret: str, file_id: str) -> str | None:
    """The viewer's signed link to a file they may read (``may_read_upload``), or None."""
    file = await UploadedFile.get_or_none(id=file_id) if principal is not None and is_file_id(file_id) else None
    if file is None or not await may_read_upload(principal, file):
        return None
    return signed_link(secret, str(file.id), principal, datetime.now(timezone.utc))


async def _link_principal(request: Request) -> tuple[Principal | None, JSONResponse | None]:
    """The viewer a signed link was made for: the signature must be this file's and unaltered, the link
    unexpired and the viewer's session alive."""
    query = request.query_params
    session_id, expires = row_id(query.get("session", "")), query.get("expires", "")
    given = query.get("signature", "").encode("utf-8")
    genuine = (session_id is not None and expires.isascii() and expires.isdigit() and len(expires) <= 12
               and hmac.compare_digest(given, _link_signature(request.app.state.settings.secret_key,
                                                              request.path_params["id"], session_id,
                                                              int(expires)).encode("ascii")))
    if not genuine:
        return None, error(403, "BAD_SIGNATURE", "链接无效，请从页面重新打开文件")
    if datetime.now(timezone.utc).timestamp() >= int(expires):
        return None, error(403, "LINK_EXPIRED", "链接已过期，请从页面重新打开文件")
    principal = await session_principal(session_id)
    if principal is None:
        return None, error(403, "SESSION_ENDED", "登录已失效，链接不再有效，请重新登录后打开")
    return principal, None


def _actor(request: Request, principal: Principal) -> Actor:
    terminal = terminal_of(request)
    return Actor(principal.account_id, principal.label, client_address(request), terminal.value if terminal else "")


def store_of(request: Request) -> FileStore:
    return FileStore(request.app.state.settings.upload_dir)


async def upload(request: Request) -> Response:
    principal, refusal = await _principal(request)
    if principal is None:
        return refusal
    key = str(principal.account_id)
    wait = await ratelimit.retry_after(ratelimit.UPLOADS_PER_ACCOUNT, key)
    if wait is not None:
        return error(429, "RATE_LIMITED", f"上传过于频繁，请{wait}秒后再试", {"Retry-After": str(wait)})
    await ratelimit.count_attempt(ratelimit.UPLOADS_PER_ACCOUNT, key)

    if request.headers.get("content-type", "").partition(";")[0].strip().lower() == "multipart/form-data":
        return error(415, "UNSUPPORTED_TYPE", "请直接以文件内容作为请求体上传（文件名放在 X-File-Name 请求头），"
                                              "暂不支持表单上传；" + ACCEPTED_TYPES_MESSAGE)
    try:
        declared = int(request.headers.get("content-length", ""))
    except ValueError:
        declared = None
    if declared is not None and declared > MAX_UPLOAD_BYTES:
        return _too_large()

    # Read just enough to sniff the type, so that a refused file is not read to the end.
    stream = request.stream().__aiter__()
    head = b""
    ended = False
    while len(head) < SNIFF_BYTES:
        try:
            head += await stream.__anext__()
        except StopAsyncIteration:
            ended = True
            break
    if not head:
        return error(400, "EMPTY_FILE", "文件内容为空")
    media_type = sniff(head)
    if media_type is None:
        return error(415, "UNSUPPORTED_TYPE", ACCEPTED_TYPES_MESSAGE)

    async def body() -> AsyncIterator[bytes]:
        yield head
        if not ended:
            async for chunk in stream:
                yield chunk

    store = store_of(request)
    try:
        sha256, size = await store.put(body(), max_size=MAX_UPLOAD_BYTES,
                                       verify=check_ofd if media_type == OFD_MEDIA_TYPE else None)
    except FileTooLarge:
        return _too_large()
    except UnsupportedType:
        return error(415, "UNSUPPORTED_TYPE", ACCEPTED_TYPES_MESSAGE)

    name = clean_file_name(request.headers.get(FILE_NAME_HEADER))
    row = await _remember(_actor(request, principal), principal.account_id, sha256, size, media_type, name)
    return JSONResponse({"id": str(row.id), "sha256": sha256, "size": size, "mediaType": media_type, "name": name},
                        status_code=201)


async def _remember(actor: Actor, owner_id: int, sha256: str, size: int, media_type: str, name: str
                    ) -> UploadedFile:
    async with in_transaction():
        row = await UploadedFile.create(id=uuid.uuid4(), owner_id=owner_id, sha256=sha256, size=size,
                                        media_type=media_type, name=name)
        await record("upload.created", actor, subject_account_id=owner_id, target=f"upload:{row.id}",
                     detail={"name": name, "size": size, "mediaType": media_type})
    return row


async def keep(store: FileStore, data: bytes, *, owner_id: int, name: str | None, actor: Actor) -> UploadedFile:
    """A file received whole by another route (the Open311 facade's ``media``), checked as an upload is: one of
    the accepted types, at most ``MAX_UPLOAD_BYTES``. The same content kept again for the same owner is the same
    row, so that a retried request names the same file. Raises ``UnsupportedType`` or ``FileTooLarge``."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise FileTooLarge
    media_type = sniff(data[:SNIFF_BYTES])
    if media_type is None:
        raise UnsupportedType
    sha256, size = await store.put(data, verify=check_ofd if media_type == OFD_MEDIA_TYPE else None)
    existing = await UploadedFile.filter(owner_id=owner_id, sha256=sha256).order_by("created_at").first()
    if existing is not None:
        return existing
    return await _remember(actor, owner_id, sha256, size, media_type, clean_file_name(name))


def _too_large() -> JSONResponse:
    return error(413, "FILE_TOO_LARGE", f"文件不能超过 {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")




async def download(request: Request) -> Response:
    signed = "signature" in request.query_params
    principal, refusal = await (_link_principal(request) if signed else _principal(request))
    if principal is None:
        return refusal
    file_id = request.path_params["id"]
    file = await UploadedFile.get_or_none(id=file_id) if is_file_id(file_id) else None
    if file is None or not await may_read_upload(principal, file):
        return _not_found()
    path = store_of(request).path(file.sha256)
    if not await asyncio.to_thread(path.is_file):
        log.error("upload %s: stored content %s is missing", file.id, path)
        return error(500, "FILE_UNAVAILABLE", "文件暂时无法读取，请稍后再试")
    if principal.account_id != file.owner_id:
        applicants = await Application.filter(materials__file_id=file.id).distinct().values_list("applicant_id",
                                                                                                 flat=True)
        handler = has_role(principal, Role.DEPARTMENT_HANDLER)
        for holder in sorted({file.owner_id, *applicants} - {principal.account_id}):
            await record_read(_actor(request, principal), subject_account_id=holder, target=f"upload:{file.id}",
                              department=principal.department_code if handler else None, detail={"name": file.name})
    return FileResponse(path, media_type=file.media_type, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(file.name, safe='')}",
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        # Never rendered as a page of the portal's origin, whatever a browser makes of it.
        "Content-Security-Policy": "default-src 'none'; sandbox",
    })


routes = [
    Route("/uploads", upload, methods=["POST"]),
    Route("/uploads/{id:path}", download, methods=["GET"]),
]
