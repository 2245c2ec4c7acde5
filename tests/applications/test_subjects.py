"""Licences belong to their subject, the same child is not applied for twice, and a field an earlier item of the
bundle issues is not asked."""

from __future__ import annotations

from typing import Any

import httpx

from portal.applications.models import Application
from portal.identity.numbers import check_id_number, issued_credit_code, issued_id_number, check_credit_code
from portal.lutong import rules as licences
from tests.applications.support import SUBMIT, newborn_materials, newborn_values
from tests.identity.test_accounts import register

FORM = 'query($c: String!) { bundle(code: $c) { form { fields { key } } } }'


def test_issued_numbers_are_valid_and_say_what_they_should() -> None:
    from datetime import date
    boy, girl = issued_id_number("370102", date(2026, 11, 9), 1, male=True), \
        issued_id_number("370102", date(2026, 11, 9), 1, male=False)
    assert check_id_number(boy) == boy and check_id_number(girl) == girl
    assert boy[:17] == "37010220261109001" and girl[:17] == "37010220261109002"
    code = issued_credit_code("370100", 12)
    assert check_credit_code(code) == code and code.startswith("91370100")


async def test_the_bundle_does_not_ask_what_it_issues_itself(gql: Any) -> None:
    newborn = {f["key"] for f in (await gql(FORM, {"c": "newborn"}))["data"]["bundle"]["form"]["fields"]}
    assert "child.idNumber" not in newborn and "child.name" in newborn  # 出生登记 issues it on the way
    insurance = next(m for m in (await gql(
        '{ bundle(code: "newborn") { items { item { code fields { key } } } } }'))["data"]["bundle"]["items"]
        if "child.idNumber" in {f["key"] for f in m["item"]["fields"]})["item"]["code"]
    alone = (await gql(FORM, {"c": f"item-{insurance.lower()}"}))["data"]["bundle"]["form"]["fields"]
    assert "child.idNumber" in {f["key"] for f in alone}  # on its own, the item asks for it


async def submit(gql: Any, client: httpx.AsyncClient, token: str, values: dict[str, Any]) -> dict[str, Any]:
    import uuid
    body = await gql(SUBMIT, {"input": {"bundleCode": "newborn", "formValues": values, "channel": "MOBILE",
                                        "idempotencyKey": str(uuid.uuid4()),
                                        "materials": await newborn_materials(client, token)}}, token=token)
    return body["data"]["submitBundleApplication"]


async def test_the_same_child_twice_is_flagged_before_anything_is_written(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    values = newborn_values()
    first = await submit(gql, client, citizen["token"], values)
    assert first["__typename"] == "Application"
    again = await submit(gql, client, citizen["token"], {**values, "delivery.method": "PICKUP"})
    assert again["__typename"] == "FormInvalid"
    [problem] = again["errors"]
    assert (problem["field"], problem["code"]) == ("child.name", "LIKELY_DUPLICATE")
    number = (await Application.get(id=int(first["id"]))).number
    assert number in problem["message"]
    assert await Application.filter(applicant_id=int(citizen["account"]["id"])).count() == 1
    # A twin (another name, same birth date and mother) is another child.
    twin = await submit(gql, client, citizen["token"], {**values, "child.name": "张安然"})
    assert twin["__typename"] == "Application", twin


async def test_a_childs_licence_stands_in_only_for_that_child(gql: Any, client: httpx.AsyncClient) -> None:
    citizen = await register(gql)
    holder = int(citizen["account"]["id"])
    first = newborn_values()
    await licences.issue(holder, "BIRTH_MEDICAL_CERTIFICATE", "370100-WJW",
                         {"child.name": first["child.name"], "child.birthDate": first["child.birthDate"]})
    sources = {}
    for values in (first, newborn_values(**{"child.name": "张沐晨"})):
        application = await submit(gql, client, citizen["token"], values)
        assert application["__typename"] == "Application", application
        sources[values["child.name"]] = {m["code"]: m["source"] for m in application["materials"]}
    assert sources[first["child.name"]].get("birth-medical-certificate") == "LICENCE"
    assert sources["张沐晨"].get("birth-medical-certificate") != "LICENCE"
