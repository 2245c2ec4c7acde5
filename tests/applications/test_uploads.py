"""Uploaded materials: content-addressed storage, type sniffing, limits, and who may read a file."""

from __future__ import annotations

import hashlib
import io
import itertools
import uuid
import zipfile
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette

from portal.app import create_app
from portal.applications.models import Application, ApplicationMaterial, MaterialSource, Task, TaskStatus, UploadedFile
from portal.applications.uploads import MAX_UPLOAD_BYTES, FileStore
from portal.audit.models import AuditEntry
from portal.audit.rules import access_log
from portal.catalog.models import Bundle, ServiceItem
from portal.config import Settings
from portal.identity import ratelimit
from portal.identity.models import RateCounter, Role
from portal.identity.passwords import Passwords
from portal.identity.rules import create_staff
from tests.conftest import GraphQLClient, next_address
from tests.helpers import new_id_number, new_phone, reference_number

PASSWORD = "Shandong-2115!"
STAFF_PASSWORD = "Handler-Staff-2115"
REGISTER_CITIZEN = """
mutation($input: RegisterCitizenInput!) {
  registerCitizen(input: $input) { __typename ... on AuthPayload { token account { id } } }
}"""
LOGIN = """
mutation($username: String!, $password: String!) {
  login(input: {username: $username, password: $password}) { __typename ... on AuthPayload { token account { id } } }
}"""

PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
JPEG = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xdb\x00C\x00"
        + bytes(64) + b"\xff\xd9")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\x0bIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")
NOT_FOUND = {"error": {"code": "NOT_FOUND", "message": "未找到该文件"}}
UNSUPPORTED = {"error": {"code": "UNSUPPORTED_TYPE", "message": "仅支持上传 PDF、JPEG、PNG 或 OFD 格式的文件"}}
_staff = itertools.count(1)


def zip_of(*names: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name in names:
            package.writestr(name, "<ofd:OFD xmlns:ofd=\"http://www.ofdspec.org/2016\"/>")
    return buffer.getvalue()


@pytest.fixture
def upload_settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(database_url=database_url, password_profile="test", upload_dir=str(tmp_path / "uploads"),
                    public_version_check_seconds=0)


@pytest.fixture
def upload_app(upload_settings: Settings) -> Starlette:
    return create_app(upload_settings, manage_database=False)


@pytest_asyncio.fixture
async def http(upload_app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=upload_app, client=(next_address(), 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        yield c


@pytest.fixture
def store(upload_settings: Settings) -> FileStore:
    return FileStore(upload_settings.upload_dir)


async def citizen(http: httpx.AsyncClient) -> dict[str, Any]:
    data = {"name": "张三", "idNumber": new_id_number(), "phone": new_phone(), "password": PASSWORD}
    result = (await GraphQLClient(http)(REGISTER_CITIZEN, {"input": data}))["data"]["registerCitizen"]
    assert result["__typename"] == "AuthPayload", result
    return {"id": int(result["account"]["id"]), "token": result["token"]}


async def staff(http: httpx.AsyncClient, role: Role, department_code: str | None) -> dict[str, Any]:
    username = f"upl-{next(_staff)}-{uuid.uuid4().hex[:6]}"  # login looks it up as an ID number too: <= 18
    account = await create_staff(Passwords("test"), username=username, password=STAFF_PASSWORD, role=role,
                                 department_code=department_code, region_code="370100", name="王经办")
    result = (await GraphQLClient(http)(LOGIN, {"username": username, "password": STAFF_PASSWORD}))["data"]["login"]
    assert result["__typename"] == "AuthPayload", result
    return {"id": account.id, "token": result["token"]}


def auth(who: dict[str, Any], **headers: str) -> dict[str, str]:
    return {"authorization": f"Bearer {who['token']}", **headers}


async def post(http: httpx.AsyncClient, who: dict[str, Any] | None, content: Any, *, name: str | None = "证明.pdf",
               content_type: str = "application/pdf", **headers: str) -> httpx.Response:
    sent = {"content-type": content_type, **headers}
    if name is not None:
        sent["x-file-name"] = quote(name)
    if who is not None:
        sent.update(auth(who))
    return await http.post("/uploads", content=content, headers=sent)


async def application_using(file_id: str, *, applicant: int, submitted_by: int) -> str:
    """An application for the newborn bundle with the 出生医学证明 task and ``file_id`` as one material;
    returns the department of the task."""
    bundle = await Bundle.get(code="newborn")
    item = await ServiceItem.get(code="370100-WJW-001").select_related("department")
    application = await Application.create(number=reference_number(), bundle=bundle, applicant_id=applicant, submitted_by_id=submitted_by,
                                           channel="MOBILE", idempotency_key=uuid.uuid4().hex, request_hash="0" * 64)
    await Task.create(application=application, item=item, department_code=item.department.code,
                      status=TaskStatus.SUBMITTED, sort=1)
    await ApplicationMaterial.create(application=application, material_code="birth-proof", source=MaterialSource.UPLOAD,
                                     file_id=uuid.UUID(file_id))
    return item.department.code


def files_on_disk(root: str) -> list[Path]:
    return sorted(p for p in (Path(root) / "sha256").rglob("*") if p.is_file())


# --- uploading -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "declared", "media_type"), [
    (PDF, "application/pdf", "application/pdf"),
    (JPEG, "image/jpeg", "image/jpeg"),
    (PNG, "application/octet-stream", "image/png"),
])
async def test_accepted_types_are_stored_by_content(http: httpx.AsyncClient, upload_settings: Settings,
                                                    content: bytes, declared: str, media_type: str) -> None:
    owner = await citizen(http)
    response = await post(http, owner, content, name="出生医学证明.pdf", content_type=declared)
    assert response.status_code == 201, response.text
    body = response.json()
    sha256 = hashlib.sha256(content).hexdigest()
    assert body == {"id": body["id"], "sha256": sha256, "size": len(content), "mediaType": media_type,
                    "name": "出生医学证明.pdf"}
    stored = Path(upload_settings.upload_dir) / "sha256" / sha256[:2] / sha256[2:]
    assert stored.read_bytes() == content
    assert files_on_disk(upload_settings.upload_dir) == [stored]
    assert list((Path(upload_settings.upload_dir) / "tmp").iterdir()) == []  # no temporary file left behind
    row = await UploadedFile.get(id=body["id"])
    assert (row.owner_id, row.sha256, row.size, row.media_type, row.name) == (
        owner["id"], sha256, len(content), media_type, "出生医学证明.pdf")


async def test_ofd_is_a_zip_package_with_ofd_xml(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    response = await post(http, owner, zip_of("OFD.xml", "Doc_0/Document.xml"), name="营业执照.ofd")
    assert response.status_code == 201, response.text
    assert response.json()["mediaType"] == "application/ofd"
    # A ZIP without OFD.xml (a .docx, say) and a broken one are not OFD documents.
    for content in (zip_of("[Content_Types].xml", "word/document.xml"), b"PK\x03\x04" + bytes(100)):
        refused = await post(http, owner, content)
        assert (refused.status_code, refused.json()) == (415, UNSUPPORTED)


async def test_same_content_twice_is_stored_once(http: httpx.AsyncClient, upload_settings: Settings) -> None:
    owner = await citizen(http)
    first = (await post(http, owner, PDF, name="a.pdf")).json()
    second = (await post(http, owner, PDF, name="b.pdf")).json()
    assert first["sha256"] == second["sha256"] and first["id"] != second["id"]
    assert len(files_on_disk(upload_settings.upload_dir)) == 1
    assert await UploadedFile.filter(sha256=first["sha256"], owner_id=owner["id"]).count() == 2


@pytest.mark.parametrize("content", [
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(48),  # a Windows .exe
    b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "这是一个纯文本文件，不是PDF。\n".encode(),
    b" %PDF-1.7 a PDF signature not at the start",
])
async def test_other_content_is_refused_whatever_its_declared_type(http: httpx.AsyncClient,
                                                                   upload_settings: Settings,
                                                                   content: bytes) -> None:
    owner = await citizen(http)
    response = await post(http, owner, content, content_type="application/pdf")
    assert (response.status_code, response.json()) == (415, UNSUPPORTED)
    assert files_on_disk(upload_settings.upload_dir) == []
    assert not await UploadedFile.filter(owner_id=owner["id"]).exists()


async def test_multipart_form_is_refused_with_an_explanation(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    response = await http.post("/uploads", files={"file": ("a.pdf", PDF, "application/pdf")}, headers=auth(owner))
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "UNSUPPORTED_TYPE"
    assert "X-File-Name" in response.json()["error"]["message"]


async def test_empty_body_is_refused(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    response = await post(http, owner, b"")
    assert (response.status_code, response.json()) == (400, {"error": {"code": "EMPTY_FILE",
                                                                       "message": "文件内容为空"}})


async def test_a_file_over_10_mib_is_refused_while_streaming(http: httpx.AsyncClient,
                                                             upload_settings: Settings) -> None:
    owner = await citizen(http)
    chunk = 1024 * 1024
    sent = 0

    async def twenty_mebibytes() -> AsyncIterator[bytes]:
        nonlocal sent
        for n in range(20):
            sent += 1
            yield (PDF + bytes(chunk - len(PDF))) if n == 0 else bytes(chunk)

    response = await post(http, owner, twenty_mebibytes())  # no Content-Length: chunked
    assert (response.status_code, response.json()) == (
        413, {"error": {"code": "FILE_TOO_LARGE", "message": "文件不能超过 10 MB"}})
    assert sent <= 12  # refused just past the limit, not after reading all 20 MiB
    assert files_on_disk(upload_settings.upload_dir) == []
    assert list((Path(upload_settings.upload_dir) / "tmp").iterdir()) == []


async def test_a_declared_length_over_10_mib_is_refused_before_reading(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        read += 1
        yield PDF

    response = await post(http, owner, body(), **{"content-length": str(MAX_UPLOAD_BYTES + 1)})
    assert response.status_code == 413 and response.json()["error"]["code"] == "FILE_TOO_LARGE"
    assert read == 0


async def test_exactly_10_mib_is_accepted(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    content = PDF + bytes(MAX_UPLOAD_BYTES - len(PDF))
    response = await post(http, owner, content)
    assert response.status_code == 201 and response.json()["size"] == MAX_UPLOAD_BYTES


@pytest.mark.parametrize(("sent", "stored"), [
    (None, "未命名"),
    ("   ", "未命名"),
    ("出生医学证明（扫描件）.pdf", "出生医学证明（扫描件）.pdf"),
    ("../../etc/passwd", "passwd"),
    ("C:\\fakepath\\户口簿.jpg", "户口簿.jpg"),
    ("证明\u202egpj.exe", "证明gpj.exe"),  # a right-to-left override would disguise the extension
    ("出生\u2028证明\u200b.pdf", "出生证明.pdf"),  # a line separator, a zero-width space
    ("长" * 250, "长" * 200),
])
async def test_file_names(http: httpx.AsyncClient, sent: str | None, stored: str) -> None:
    owner = await citizen(http)
    response = await post(http, owner, PDF, name=sent)
    assert response.status_code == 201, response.text
    assert response.json()["name"] == stored
    assert (await UploadedFile.get(id=response.json()["id"])).name == stored


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-live-token", "Basic abc"])
async def test_uploading_needs_a_live_session(http: httpx.AsyncClient, authorization: str | None) -> None:
    headers = {"content-type": "application/pdf"} | ({"authorization": authorization} if authorization else {})
    response = await http.post("/uploads", content=PDF, headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "UNAUTHENTICATED"
    expected = "登录已失效，请重新登录" if authorization == "Bearer not-a-live-token" else "请先登录"
    assert response.json()["error"]["message"] == expected
    assert response.headers["www-authenticate"] == "Bearer"


async def test_at_most_100_uploads_per_account_and_hour(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    # 98 attempts already this hour: the 99th and the 100th pass, the 101st waits for the hour to end.
    await RateCounter.create(key=f"{ratelimit.UPLOADS_PER_ACCOUNT.name}:{owner['id']}", failures=98,
                             window_started_at=datetime.now(timezone.utc))
    assert (await post(http, owner, PDF)).status_code == 201
    assert (await post(http, owner, b"not a pdf")).status_code == 415  # refused attempts count too
    refused = await post(http, owner, PDF)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "RATE_LIMITED"
    assert 3590 <= int(refused.headers["retry-after"]) <= 3600
    other = await citizen(http)
    assert (await post(http, other, PDF)).status_code == 201  # per account


# --- reading -----------------------------------------------------------------------------------------------------


async def test_owner_downloads_the_file(http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    uploaded = (await post(http, owner, PDF, name="出生 医学证明.pdf")).json()
    before = await AuditEntry.filter(action="data.read").count()
    response = await http.get(f"/uploads/{uploaded['id']}", headers=auth(owner))
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-length"] == str(len(PDF))
    assert response.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''%E5%87%BA%E7%94%9F%20%E5%8C%BB%E5%AD%A6%E8%AF%81%E6%98%8E.pdf")
    assert response.headers["cache-control"] == "private, no-store"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert await AuditEntry.filter(action="data.read").count() == before  # the owner's own reads are not logged


async def test_strangers_and_bad_ids_get_the_same_404(http: httpx.AsyncClient) -> None:
    owner, stranger = await citizen(http), await citizen(http)
    uploaded = (await post(http, owner, PDF)).json()
    for path in (f"/uploads/{uploaded['id']}", f"/uploads/{uuid.uuid4()}", "/uploads/not-a-uuid",
                 "/uploads/..%2F..%2Fetc%2Fpasswd"):
        response = await http.get(path, headers=auth(stranger))
        assert (response.status_code, response.json()) == (404, NOT_FOUND), path
    # Nor does a window clerk: staff read only through a task of their department.
    clerk = await staff(http, Role.WINDOW_CLERK, "370100-XZSPJ")
    response = await http.get(f"/uploads/{uploaded['id']}", headers=auth(clerk))
    assert (response.status_code, response.json()) == (404, NOT_FOUND)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-live-token"])
async def test_reading_needs_a_live_session(http: httpx.AsyncClient, authorization: str | None) -> None:
    owner = await citizen(http)
    uploaded = (await post(http, owner, PDF)).json()
    response = await http.get(f"/uploads/{uploaded['id']}",
                              headers={"authorization": authorization} if authorization else {})
    assert response.status_code == 401 and response.json()["error"]["code"] == "UNAUTHENTICATED"


async def test_handler_of_a_department_with_a_task_reads_it_and_the_owner_sees_the_read(
        http: httpx.AsyncClient) -> None:
    owner = await citizen(http)
    uploaded = (await post(http, owner, PNG, name="出生证明.png")).json()
    department = await application_using(uploaded["id"], applicant=owner["id"], submitted_by=owner["id"])
    handler = await staff(http, Role.DEPARTMENT_HANDLER, department)
    other_handler = await staff(http, Role.DEPARTMENT_HANDLER, "370100-GAJ")

    refused = await http.get(f"/uploads/{uploaded['id']}", headers=auth(other_handler))
    assert (refused.status_code, refused.json()) == (404, NOT_FOUND)

    response = await http.get(f"/uploads/{uploaded['id']}", headers=auth(handler, **{"x-portal-terminal": "DESKTOP"}))
    assert response.status_code == 200 and response.content == PNG
    assert response.headers["content-type"] == "image/png"
    entry = await access_log(owner["id"]).first()
    assert entry is not None
    assert (entry.action, entry.actor_account_id, entry.actor, entry.subject_account_id, entry.target, entry.detail,
            entry.terminal) == ("data.read", handler["id"], f"staff:{handler['id']}", owner["id"],
                                f"upload:{uploaded['id']}", {"name": "出生证明.png", "department": department},
                                "DESKTOP")
    assert entry.address.startswith("10.")
    assert not await AuditEntry.filter(action="data.read", actor_account_id=other_handler["id"]).exists()


async def test_applicant_reads_a_file_a_family_member_uploaded_for_them(http: httpx.AsyncClient) -> None:
    parent, family_member, stranger = await citizen(http), await citizen(http), await citizen(http)
    uploaded = (await post(http, family_member, JPEG, name="户口簿.jpg")).json()
    assert (await http.get(f"/uploads/{uploaded['id']}", headers=auth(parent))).status_code == 404
    await application_using(uploaded["id"], applicant=parent["id"], submitted_by=family_member["id"])

    response = await http.get(f"/uploads/{uploaded['id']}", headers=auth(parent))
    assert response.status_code == 200 and response.content == JPEG
    entry = await access_log(family_member["id"]).first()
    assert entry is not None and (entry.actor_account_id, entry.target) == (parent["id"], f"upload:{uploaded['id']}")
    # Only the applicant: someone else still finds nothing.
    assert (await http.get(f"/uploads/{uploaded['id']}", headers=auth(stranger))).status_code == 404


async def test_a_handlers_read_of_a_file_uploaded_for_the_applicant_is_in_both_access_logs(
        http: httpx.AsyncClient) -> None:
    parent, family_member = await citizen(http), await citizen(http)
    uploaded = (await post(http, family_member, JPEG, name="户口簿.jpg")).json()
    department = await application_using(uploaded["id"], applicant=parent["id"], submitted_by=family_member["id"])
    handler = await staff(http, Role.DEPARTMENT_HANDLER, department)
    assert (await http.get(f"/uploads/{uploaded['id']}", headers=auth(handler))).status_code == 200
    for holder in (parent, family_member):
        entry = await access_log(holder["id"]).first()
        assert entry is not None
        assert (entry.actor_account_id, entry.target, entry.detail) == (
            handler["id"], f"upload:{uploaded['id']}", {"name": "户口簿.jpg", "department": department})
    # The uploader reading their own file reads nobody else's data.
    before = await AuditEntry.filter(action="data.read").count()
    assert (await http.get(f"/uploads/{uploaded['id']}", headers=auth(family_member))).status_code == 200
    assert await AuditEntry.filter(action="data.read").count() == before


# --- the store ---------------------------------------------------------------------------------------------------


async def test_store_puts_bytes_and_streams_atomically(store: FileStore) -> None:
    sha256, size = await store.put(PDF)
    assert (sha256, size) == (hashlib.sha256(PDF).hexdigest(), len(PDF))
    assert store.path(sha256).read_bytes() == PDF
    assert store.path(sha256).relative_to(store.root).parts == ("sha256", sha256[:2], sha256[2:])

    async def chunks() -> AsyncIterator[bytes]:
        yield PDF[:10]
        yield PDF[10:]

    assert await store.put(chunks()) == (sha256, size)
    assert files_on_disk(str(store.root)) == [store.path(sha256)]
    assert list(store.tmp.iterdir()) == []


def test_store_path_refuses_anything_but_a_digest(store: FileStore) -> None:
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")
