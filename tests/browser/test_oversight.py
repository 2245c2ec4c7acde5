"""常务会议 across two terminals, each page signed in as its person: the Jinan supervisor at a desk invites the
enterprise whose appeal is on the meeting's agenda and records the meeting's decision; the enterprise's phone shows
the invitation, then the decision, in its invitations and on its appeal's page."""

from __future__ import annotations

import uuid

from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browsing, graphql, sign_in
from tests.browser.test_lutong_and_appeals import register_enterprise, signed_in_page
from tests.browser.test_window import check_screen, staff_page

SUPERVISOR = "supervisor-jinan"
COMPANY = "济南泉韵智能装备有限公司"
DECISION = "由济南市市场监督管理局牵头，会同市发展改革委十个工作日内完成审批并书面答复企业。"
SUBMIT = """mutation($input: SubmitAppealInput!) { submitAppeal(input: $input) { ... on Appeal { id } } }"""
ASSIGN = """mutation($id: ID!) { assignAppeal(id: $id, departmentCode: "370100-SCJGJ") { __typename } }"""
LIST = """mutation($id: ID!) { listAppealAsMeetingTopic(id: $id, reason: "多部门职责交叉，需会议研究") { __typename } }"""
TOPIC = "query($id: ID!) { appeal(id: $id) { meetingTopic { id } } }"
CREATE = """mutation($input: CreateExecutiveMeetingInput!) {
  createExecutiveMeeting(input: $input) { ... on ExecutiveMeeting { id } } }"""
SCHEDULE = """mutation($t: ID!, $m: ID!) { scheduleMeetingTopic(topicId: $t, meetingId: $m) { __typename } }"""


def meeting_with_the_appeal(base: str, enterprise_token: str) -> str:
    """The enterprise's appeal routed, listed as a topic and put on a new Jinan meeting's agenda; the appeal's id."""
    appeal = graphql(base, SUBMIT, {"input": {
        "title": "智能装备产线扩建用地审批迟迟未果", "category": "LAND", "idempotencyKey": str(uuid.uuid4()),
        "content": "我公司产线扩建项目用地审批已超过半年，涉及规划、自然资源等多个部门，至今没有结果。"}},
        enterprise_token)["submitAppeal"]
    seat, supervisor = sign_in(base, "seat-96178"), sign_in(base, SUPERVISOR)
    assert graphql(base, ASSIGN, {"id": appeal["id"]}, seat)["assignAppeal"]["__typename"] == "Appeal"
    assert graphql(base, LIST, {"id": appeal["id"]}, supervisor)["listAppealAsMeetingTopic"]["__typename"] == "Appeal"
    topic = graphql(base, TOPIC, {"id": appeal["id"]}, supervisor)["appeal"]["meetingTopic"]["id"]
    meeting = graphql(base, CREATE, {"input": {"title": "济南市政府常务会议", "sessionNumber": "第58次",
                                                "heldOn": "2026-12-10", "regionCode": "370100",
                                                "idempotencyKey": str(uuid.uuid4())}}, supervisor)
    scheduled = graphql(base, SCHEDULE, {"t": topic, "m": meeting["createExecutiveMeeting"]["id"]}, supervisor)
    assert scheduled["scheduleMeetingTopic"]["__typename"] == "MeetingTopic"
    return appeal["id"]


async def test_the_supervisor_decides_and_the_invited_enterprise_reads_the_outcome_on_its_phone(
        browsing: Browsing) -> None:
    company = register_enterprise(browsing.base_url, COMPANY)
    appeal_id = meeting_with_the_appeal(browsing.base_url, company["token"])
    desk = await staff_page(browsing, SUPERVISOR)
    phone = await signed_in_page(browsing, PHONE, company)

    await desk.goto("/window/#/meetings")
    meeting = desk.locator("section.meeting").filter(has_text="第58次 济南市政府常务会议")
    await expect(meeting.get_by_role("link", name="智能装备产线扩建用地审批迟迟未果")).to_be_visible()
    await meeting.get_by_role("button", name="邀请列席").click()  # the topic's enterprise, as the box is ticked
    meeting = desk.locator("section.meeting").filter(has_text="第58次 济南市政府常务会议")
    await expect(meeting.locator(".invitation-list")).to_contain_text(COMPANY)

    await phone.goto("/m/#/meetings")
    invitation = phone.locator(".meeting-list > li").filter(has_text="第58次 济南市政府常务会议")
    await expect(invitation).to_contain_text("智能装备产线扩建用地审批迟迟未果")
    await expect(invitation).to_contain_text("本企业诉求")
    await expect(invitation).to_contain_text("会议尚未作出决定")

    await meeting.get_by_label("会议决定").fill(DECISION)
    await meeting.get_by_label("负责落实的部门").select_option(label="济南市市场监督管理局")
    await meeting.get_by_label("落实时限（工作日）").fill("10")
    await meeting.get_by_role("button", name="记录会议决定").click()
    await expect(desk.get_by_role("status")).to_contain_text("会议决定已记录")
    meeting = desk.locator("section.meeting").filter(has_text="第58次 济南市政府常务会议")
    await expect(meeting.locator(".meeting-decision")).to_contain_text(DECISION)
    await check_screen(desk, "window-meetings")

    await phone.reload()
    invitation = phone.locator(".meeting-list > li").filter(has_text="第58次 济南市政府常务会议")
    await expect(invitation).to_contain_text(DECISION)
    await expect(invitation).to_contain_text("负责落实：济南市市场监督管理局")
    await phone.goto(f"/m/#/appeal/{appeal_id}")
    await expect(phone.locator(".meeting-outcome")).to_contain_text(DECISION)
    await expect(phone.locator(".meeting-outcome")).to_contain_text("第58次 济南市政府常务会议")
    assert browsing.console_errors == []


async def test_the_notice_screens_of_the_supervisor_and_of_a_unit(browsing: Browsing) -> None:
    supervisor = await staff_page(browsing, SUPERVISOR)
    await supervisor.goto("/window/#/notices")
    await expect(supervisor.get_by_role("heading", name="建议通报约谈的单位")).to_be_visible()
    await expect(supervisor.get_by_role("heading", name="通报约谈记录")).to_be_visible()
    await check_screen(supervisor, "window-notices")
    unit = await staff_page(browsing, "handler-scjgj")
    await unit.goto("/window/#/notices")
    await expect(unit.get_by_role("heading", name="本单位通报约谈", level=1)).to_be_visible()
    assert browsing.console_errors == []
