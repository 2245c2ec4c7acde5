"""The Open311 facade as clients no one here wrote use it: both formats (JSON and XML) on every address, the
location and the picture of a request, multipart POSTs, tokens, and the spec's error list for every wrong address
or method; then the georeport library (a maintained GeoReport v2 client) against a real server, in both modes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any
from xml.etree.ElementTree import Element, fromstring

import httpx
import pytest
from georeport import GeoReport

from portal.appeals.models import Appeal, AppealAttachment
from portal.applications.models import UploadedFile
from tests.appeals.test_open311 import BASE, REQUEST_FIELDS, company_with_key, content, coordinator_key, post
from tests.helpers import new_credit_code, portal_server

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def xml(response: httpx.Response, status: int = 200) -> Element:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    assert response.text.startswith("<?xml version='1.0' encoding='utf-8'?>")
    return fromstring(response.content)


def xml_errors(response: httpx.Response, status: int) -> list[str]:
    root = xml(response, status)
    assert root.tag == "errors" and [e.tag for e in root] == ["error"] * len(root) and len(root) > 0
    assert all(e.findtext("code") == str(status) for e in root)
    return [e.findtext("description") or "" for e in root]


def json_errors(response: httpx.Response, status: int) -> list[str]:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and body and all(set(e) == {"code", "description"} for e in body)
    assert all(e["code"] == status for e in body)
    return [e["description"] for e in body]


def since() -> dict[str, str]:
    return {"start_date": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat()}


# --- XML on every address ------------------------------------------------------------------------------------


async def test_every_address_answers_xml_as_the_spec_shows_it(gql: Any, client: httpx.AsyncClient) -> None:
    services = xml(await client.get(f"{BASE}/services.xml"))
    assert services.tag == "services" and len(services) == 10
    energy = next(s for s in services if s.findtext("service_code") == "ENERGY")
    assert (energy.findtext("service_name"), energy.findtext("metadata"), energy.findtext("type")) == (
        "水电气暖", "false", "realtime")

    definition = xml(await client.get(f"{BASE}/services/ENERGY.xml"))
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "ENERGY"
    assert definition.find("attributes") is not None and len(definition.find("attributes")) == 0
    assert "NOPE" in xml_errors(await client.get(f"{BASE}/services/NOPE.xml"), 404)[0]

    _, key = await company_with_key(gql)
    created = xml(await client.post(f"{BASE}/requests.xml", data={
        "api_key": key, "service_code": "ENERGY", "description": content("XML-1"), "address_string": "历下区经十路100号",
        "lat": "36.651234", "long": "117.120987"}), 201)
    assert created.tag == "service_requests" and [r.tag for r in created] == ["request"]
    [answer] = created
    request_id, token = answer.findtext("service_request_id"), answer.findtext("token")
    assert request_id and token and "2115" in (answer.findtext("service_notice") or "")
    assert answer.find("account_id") is not None and answer.find("account_id").text is None  # null: empty element

    shown = xml(await client.get(f"{BASE}/requests/{request_id}.xml"))
    [record] = shown
    assert {child.tag for child in record} == REQUEST_FIELDS
    assert (record.findtext("lat"), record.findtext("long"), record.findtext("address")) == (
        "36.651", "117.121", "历下区经十路100号")
    assert record.findtext("status") == "open" and record.find("media_url").text is None

    listed = xml(await client.get(f"{BASE}/requests.xml", params={**since(), "service_code": "ENERGY"}))
    assert request_id in [r.findtext("service_request_id") for r in listed]
    by_token = xml(await client.get(f"{BASE}/tokens/{token}.xml"))
    assert [(r.findtext("service_request_id"), r.findtext("token")) for r in by_token] == [(request_id, token)]

    assert "api_key" in xml_errors(await client.post(f"{BASE}/requests.xml", data={
        "service_code": "ENERGY", "description": content("XML-2")}), 403)[0]
    assert any(d.startswith("start_date") for d in xml_errors(
        await client.get(f"{BASE}/requests.xml", params={"start_date": "yesterday"}), 400))


async def test_wrong_addresses_and_methods_answer_the_error_list_in_the_format_asked(
        client: httpx.AsyncClient) -> None:
    for path in ("/nothing.json", "/requests", "/services/ENERGY/extra.json", ""):
        assert json_errors(await client.get(f"{BASE}{path}"), 404)
    assert xml_errors(await client.get(f"{BASE}/nothing.xml"), 404)
    assert json_errors(await client.get(f"{BASE}/services.csv"), 404)

    refused = await client.delete(f"{BASE}/requests.json")
    assert "DELETE" in json_errors(refused, 405)[0] and refused.headers["allow"] == "GET, HEAD, POST"
    wrong = await client.post(f"{BASE}/services.xml")
    assert xml_errors(wrong, 405) and wrong.headers["allow"] == "GET, HEAD"
    head = await client.head(f"{BASE}/services.json")
    assert head.status_code == 200 and head.content == b""


# --- location, picture, tokens --------------------------------------------------------------------------------


async def test_a_location_is_kept_and_published_without_identifying_the_enterprise(
        gql: Any, client: httpx.AsyncClient) -> None:
    company, key = await company_with_key(gql)
    response = await post(client, {"api_key": key, "service_code": "ENERGY", "description": content("PLACE-1"),
                                   "address_string": f"{company.name}东门外 电话13912345678",
                                   "lat": "36.6512345", "long": "117.1209876", "media_url": "https://img.example/1.jpg"})
    assert response.status_code == 201, response.text
    [created] = response.json()
    appeal = await Appeal.get(id=int(created["service_request_id"]))
    assert (appeal.address, appeal.latitude, appeal.longitude, appeal.media_url) == (
        f"{company.name}东门外 电话13912345678", 36.6512345, 117.1209876, "https://img.example/1.jpg")

    [record] = (await client.get(f"{BASE}/requests/{appeal.id}.json")).json()
    assert (record["lat"], record["long"], record["media_url"]) == (36.651, 117.121, "https://img.example/1.jpg")
    assert company.name not in record["address"] and "13912345678" not in record["address"]
    assert record["address"] == "某企业东门外 电话***"


@pytest.mark.parametrize("fields, named", [
    ({"lat": "abc", "long": "117.1"}, "lat"),
    ({"lat": "36.6", "long": "nan"}, "long"),
    ({"lat": "91", "long": "117.1"}, "lat"),
    ({"lat": "36.6", "long": "-181"}, "long"),
    ({"lat": "36.6"}, "long"),
    ({"long": "117.1"}, "lat"),
    ({"media_url": "javascript:alert(1)"}, "media_url"),
    ({"media_url": "https://x.example/" + "a" * 490}, "media_url"),
    ({"address_string": "路\u202e口"}, "address_string"),
    ({"address_string": "a" * 201}, "address_string"),
])
async def test_a_bad_location_or_link_is_refused_at_its_field_and_nothing_is_filed(
        gql: Any, client: httpx.AsyncClient, fields: dict[str, str], named: str) -> None:
    _, key = await company_with_key(gql)
    before = await Appeal.all().count()
    response = await post(client, {"api_key": key, "service_code": "ENERGY", "description": content("BAD"),
                                   **fields})
    assert any(d.startswith(named) for d in json_errors(response, 400)), response.text
    assert await Appeal.all().count() == before


async def test_a_multipart_post_keeps_its_picture_in_the_upload_store_once(
        gql: Any, client: httpx.AsyncClient) -> None:
    company, key = await company_with_key(gql)
    fields = {"api_key": key, "service_code": "ENERGY", "description": content("MEDIA-1"), "lat": "36.6",
              "long": "117.0"}
    first = await client.post(f"{BASE}/requests.json", data=fields, files={"media": ("停电.png", PNG, "image/png")})
    assert first.status_code == 201, first.text
    [created] = first.json()
    appeal = await Appeal.get(id=int(created["service_request_id"]))
    [attachment] = await AppealAttachment.filter(appeal_id=appeal.id)
    file = await UploadedFile.get(id=attachment.file_id)
    assert (file.owner_id, file.media_type, file.name) == (company.id, "image/png", "停电.png")
    assert appeal.media_url == f"{client.base_url}/uploads/{file.id}"
    [record] = (await client.get(f"{BASE}/requests/{appeal.id}.json")).json()
    assert record["media_url"] == appeal.media_url
    assert (await client.get(f"/uploads/{file.id}")).status_code == 401  # public clients see a link, not the file

    again = await client.post(f"{BASE}/requests.json", data=fields, files={"media": ("停电.png", PNG, "image/png")})
    assert again.status_code == 201 and again.json() == first.json()  # the retry is the same request
    assert await UploadedFile.filter(owner_id=company.id).count() == 1

    other = await client.post(f"{BASE}/requests.json", data=fields, files={"media": ("x.png", PNG + b"1", "image/png")})
    assert other.status_code == 201 and other.json()[0]["service_request_id"] != created["service_request_id"]


@pytest.mark.parametrize("files, extra, named", [
    ({"media": ("a.txt", b"plain text, not a picture", "text/plain")}, {}, "media"),
    ({"media": ("a.png", b"", "image/png")}, {}, "media"),
    ({"media": ("a.png", PNG, "image/png")}, {"media_url": "https://img.example/2.jpg"}, "media_url, media"),
    ({"picture": ("a.png", PNG, "image/png")}, {}, "'picture'"),
])
async def test_a_bad_multipart_post_is_refused_and_keeps_nothing(
        gql: Any, client: httpx.AsyncClient, files: dict[str, Any], extra: dict[str, str], named: str) -> None:
    company, key = await company_with_key(gql)
    before = await Appeal.all().count()
    response = await client.post(f"{BASE}/requests.json", data={
        "api_key": key, "service_code": "ENERGY", "description": content("MEDIA-BAD"), **extra}, files=files)
    assert any(d.startswith(named) for d in json_errors(response, 400)), response.text
    assert await Appeal.all().count() == before
    assert await UploadedFile.filter(owner_id=company.id).count() == 0


async def test_a_coordinator_key_files_with_a_location_and_tokens_find_it(client: httpx.AsyncClient) -> None:
    _, key = await coordinator_key()
    response = await client.post(f"{BASE}/requests.json", json={
        "api_key": key, "service_code": "LAND", "description": content("TOKEN-1"), "address_string": "高新区舜华路",
        "lat": 36.67, "long": 117.13, "attribute": {"credit_code": new_credit_code(), "enterprise_name": "济南某某公司"}})
    assert response.status_code == 201, response.text
    [created] = response.json()
    assert len(created["token"]) == 43
    found = await client.get(f"{BASE}/tokens/{created['token']}.json")
    assert found.json() == [{"service_request_id": created["service_request_id"], "token": created["token"]}]
    assert "not found" in json_errors(await client.get(f"{BASE}/tokens/{'x' * 43}.json"), 404)[0]
    assert json_errors(await client.get(f"{BASE}/tokens/{'x' * 500}.json"), 404)


# --- a client no one here wrote, against a real server ---------------------------------------------------------


@pytest.fixture(scope="module")
def served(database_url: str) -> Iterator[str]:
    with portal_server(database_url) as base:
        yield base


@pytest.mark.parametrize("output_format", ["json", "xml"])
async def test_the_georeport_client_reads_the_facade_in_both_formats(
        gql: Any, served: str, output_format: str) -> None:
    _, key = await company_with_key(gql)
    async with httpx.AsyncClient(base_url=served) as http:
        response = await http.post(f"{BASE}/requests.{output_format}", data={
            "api_key": key, "service_code": "TAX", "description": content(f"GEO-{output_format}"),
            "lat": "36.6", "long": "117.0"})
    assert response.status_code == 201, response.text
    request_id = (response.json()[0]["service_request_id"] if output_format == "json"
                  else fromstring(response.content)[0].findtext("service_request_id"))

    client = GeoReport(f"{served}{BASE}", api_key=key, output_format=output_format)
    services = await asyncio.to_thread(client.get_service_list)
    assert {s["service_code"] for s in services} >= {"TAX", "ENERGY"} and len(services) == 10
    definition = await asyncio.to_thread(client.get_service_definition, "TAX")
    assert definition["service_code"] == "TAX"
    one = await asyncio.to_thread(client.get_service_request, request_id)
    assert one["service_request_id"] == request_id and one["service_code"] == "TAX"
    assert float(one["lat"]) == 36.6 and float(one["long"]) == 117.0
    start = (datetime.now(timezone.utc) - timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M:%SZ")
    many = await asyncio.to_thread(client.get_service_requests, service_code="TAX", start_date=start, status="open")
    many = many if isinstance(many, list) else [many]  # xmltodict: a single <request> is not a list
    assert request_id in {r["service_request_id"] for r in many}
