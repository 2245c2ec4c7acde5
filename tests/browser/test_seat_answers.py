"""The 96178 seat answers a consultation on the spot from the knowledge base (issue 18), people side by side.

The seat, at its desk, records a call from the demo enterprise (a consultation), sees the grade on the appeal's page,
searches the knowledge base with the caller's own words, opens the answer it finds, takes it (editable), is told
at the checkbox that the caller must consent, ticks it and closes the consultation; the enterprise's phone, open on
the appeal, shows it closed live with the answer and the policy it rests on; the supervisor's figures count the use.
Then the seat keeps the knowledge base: the list, an answer's page with its versions, an edit on the version read
that another editor overtook (said plainly, the latest shown), an edit that lands, and a withdrawal. Every screen
passes axe and is saved.
"""

from __future__ import annotations

import re
import uuid

from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browsing, graphql, screenshot, sign_in, words
from tests.browser.test_lutong_and_appeals import log_in, signed_in_page
from tests.browser.test_window import check_screen, staff_page

ENTERPRISE = "91370102MA3C5QX1XY"
SEAT = "seat-96178"
FOOD = "食品经营许可的办理条件和时限"
ENTRY = "query($id: ID!) { knowledgeEntry(id: $id) { version current { title answer } } }"
SEARCH = """query($q: String!) { knowledgeSearch(query: $q) { ... on KnowledgeHits { hits { entry { id version
  current { title } } } } } }"""
EDIT = """mutation($id: ID!, $base: Int!, $input: KnowledgeEntryInput!, $note: String!) {
  editKnowledgeEntry(id: $id, baseVersion: $base, input: $input, note: $note) { __typename } }"""
FULL = """query($id: ID!) { knowledgeEntry(id: $id) { current { title phrasings answer basis { title departmentCode url }
  category regionCode validFrom validUntil } } }"""


async def test_the_seat_answers_a_call_on_the_spot_and_the_phone_shows_it_closed(browsing: Browsing) -> None:
    base = browsing.base_url
    company = log_in(base, ENTERPRISE)
    phone = await signed_in_page(browsing, PHONE, company)
    seat = await staff_page(browsing, SEAT)

    # The call: a consultation recorded at the desk.
    await seat.goto("/window/#/appeals/new")
    await expect(seat.get_by_role("heading", level=1)).to_have_text("登记来电来信")
    title = f"开办小餐馆许可咨询 {uuid.uuid4().hex[:6]}"
    await seat.get_by_label("统一社会信用代码").fill(ENTERPRISE)
    await seat.get_by_label("诉求标题").fill(title)
    await seat.get_by_label("诉求内容").fill("来电企业计划在历下区开一家小餐馆，咨询需要办理哪些许可、多长时间能办下来。")
    await seat.get_by_label("诉求类别").select_option(label="审批服务")
    await seat.get_by_label("咨询", exact=True).check()
    await seat.get_by_role("button", name="登记诉求").click()
    await seat.wait_for_url(re.compile(r"#/appeal/\d+\?recorded=1$"))
    appeal_id = seat.url.split("/appeal/", 1)[1].split("?")[0]
    facts = seat.locator("dl.summary-list").first
    await expect(facts).to_contain_text("分级分类一般·咨询")

    # The enterprise follows it on its phone.
    await phone.goto(f"/m/#/appeal/{appeal_id}")
    await expect(phone.get_by_role("heading", level=1)).to_have_text(title)
    await phone.get_by_text("实时更新中").wait_for()

    # The seat searches with the caller's words and takes the answer it finds.
    spot = seat.locator("section.decision-block").filter(has=seat.get_by_role("heading", name="当场答复"))
    assert await spot.get_by_label("企业的问题").input_value() == title
    await spot.get_by_label("企业的问题").fill("开一家小餐馆需要办理什么许可证")
    await spot.get_by_role("button", name="查找").click()
    first = spot.locator(".knowledge-hit").first
    await expect(first.get_by_role("heading")).to_have_text(FOOD)
    await expect(spot.locator(".knowledge-status")).to_have_text(re.compile(r"找到 \d 条答复"))
    await first.get_by_role("button", name="查看全文").click()
    await expect(first.locator(".knowledge-full")).to_contain_text("10个工作日内作出决定")
    await expect(first.locator(".knowledge-full")).to_contain_text("《食品经营许可和备案管理办法》")
    await check_screen(seat, "seat-knowledge-search")
    await first.get_by_role("button", name="选用这条答复").click()
    seat_token = sign_in(base, SEAT)
    hit = graphql(base, SEARCH, {"q": "开一家小餐馆需要办理什么许可证"}, seat_token)["knowledgeSearch"]["hits"][0]
    entry = graphql(base, ENTRY, {"id": hit["entry"]["id"]}, seat_token)["knowledgeEntry"]
    answer = spot.get_by_label("答复内容")
    assert await answer.input_value() == entry["current"]["answer"]
    await expect(spot.locator(".knowledge-cited")).to_contain_text(f"引用：{FOOD}（第{entry['version']}版）")

    # Without the caller's consent it is refused at the checkbox; with it, closed.
    await spot.get_by_role("button", name="当场答复并办结").click()
    await expect(seat.locator("#error-field-callerConsents")).to_have_text(
        "须经来电企业同意，方可当场答复并办结；不同意的请转交承办单位")
    await check_screen(seat, "seat-answer-consent")
    added = "您在历下区开办的，可通过“爱山东”在线申请。"
    await answer.fill(f"{entry['current']['answer']}{added}")
    await spot.get_by_label("来电企业同意当场办结").check()
    await spot.get_by_role("button", name="当场答复并办结").click()
    await expect(seat.locator(".desk-status")).to_have_text("已当场答复并办结（现在：已办结）")
    await expect(seat.locator(".appeal-steps")).to_contain_text("当场答复办结")
    await check_screen(seat, "seat-answered")

    # The phone shows it closed, live, with the answer and its policy basis.
    await expect(phone.locator(".tag").first).to_have_text("已办结")
    await expect(phone.get_by_text("96178 诉求专席已在来电时当场答复，经企业同意办结。")).to_be_visible()
    await expect(phone.get_by_text(re.compile(r"答复依据：《食品经营许可和备案管理办法》.*（政策问答第\d+版）"))).to_be_visible()
    await expect(phone.locator(".timeline")).to_contain_text(added)
    assert "等待诉求专席分办" not in words(await phone.locator(".timeline").inner_text())
    await expect(phone.get_by_role("heading", name="政务服务“好差评”")).to_be_visible()  # no confirmation to show
    await expect(phone.get_by_role("alert")).to_have_count(0)
    await screenshot(phone, "mobile-appeal-answered-on-the-spot")

    # The supervisor's figures count the use of the answer.
    supervisor = await staff_page(browsing, "supervisor-jinan")
    await supervisor.goto("/window/#/figures")
    used = supervisor.locator("#figures-knowledge tbody tr").filter(has_text=FOOD)
    await expect(used.locator("td[data-figure='uses']")).to_have_text(re.compile(r"[1-9]\d*"))
    await check_screen(supervisor, "figures-knowledge")
    assert not browsing.console_errors, browsing.console_errors


async def test_the_seat_keeps_the_knowledge_base_version_by_version(browsing: Browsing) -> None:
    base = browsing.base_url
    seat = await staff_page(browsing, SEAT)
    await seat.goto("/window/")
    await seat.get_by_role("link", name="政策问答知识库").click()
    await expect(seat.get_by_role("heading", level=1)).to_have_text("政策问答知识库")
    await expect(seat.locator("tbody tr").first).to_be_visible()
    await check_screen(seat, "knowledge-list")

    # A new answer: every bad field said at once, then saved as a draft (version 1) and published (version 2).
    await seat.get_by_role("link", name="新建答复").click()
    await expect(seat.get_by_role("heading", level=1)).to_have_text("新建政策答复")
    await seat.get_by_role("button", name="保存为草稿").click()
    assert [words(t) for t in await seat.get_by_role("alert").locator("li").all_inner_texts()] == [
        "请填写标题", "请填写答复内容", "请填写政策依据", "请选择类别", "请选择发文部门", "请填写有效期起始日期"]
    topic = f"叉车定期检验 {uuid.uuid4().hex[:6]}"
    await seat.get_by_label("标题").fill(topic)
    await seat.get_by_label("常见问法").fill("叉车多久检验一次\n叉车年检去哪里约")
    await seat.get_by_label("答复内容").fill("短")
    await seat.get_by_label("政策依据", exact=True).fill("《特种设备安全监察条例》")
    await seat.get_by_label("发文部门").select_option("370100-SCJGJ")
    await seat.get_by_label("政策文件链接（选填）").fill("ftp://example.com")
    await seat.get_by_label("类别").select_option(label="审批服务")
    await seat.get_by_label("适用地区").fill("370100")
    await seat.get_by_label("有效期起").fill("2024-01-01")
    await seat.get_by_role("button", name="保存为草稿").click()
    await expect(seat.locator("#error-field-answer")).to_have_text("答复内容至少10个字")
    await expect(seat.locator("#error-field-basisUrl")).to_have_text("政策文件链接应为 http:// 或 https:// 开头的网址")
    await check_screen(seat, "knowledge-form-errors")
    await seat.get_by_label("答复内容").fill("叉车每年定期检验一次，企业可通过“爱山东”特种设备检验预约。")
    await seat.get_by_label("政策文件链接（选填）").fill("")
    await seat.get_by_role("button", name="保存为草稿").click()
    await expect(seat.locator(".desk-status")).to_have_text("已保存为第1版")
    entry_id = seat.url.split("/knowledge/", 1)[1].split("?")[0]
    await seat.get_by_role("button", name="发布").click()
    await expect(seat.locator(".desk-status")).to_have_text("已发布（第2版），诉求专席现在可以查到这条答复")

    # An edit on version 2, overtaken by another editor: refused plainly; the next try is on the latest version.
    await seat.get_by_role("link", name="修改").click()
    await expect(seat.get_by_text("在第2版的基础上修改。")).to_be_visible()
    await seat.get_by_label("答复内容").fill("叉车每年定期检验一次，检验机构5个工作日内上门。")
    await seat.get_by_label("修改说明").fill("补充上门时限")
    other = sign_in(base, "admin")
    current = graphql(base, FULL, {"id": entry_id}, other)["knowledgeEntry"]["current"]
    basis = current.pop("basis")
    overtaking = {**current, "basisTitle": basis["title"], "basisDepartmentCode": basis["departmentCode"],
                  "basisUrl": basis["url"], "title": f"{topic}（管理员修改）"}
    edited = graphql(base, EDIT, {"id": entry_id, "base": 2, "input": overtaking, "note": "标题补充"}, other)
    assert edited["editKnowledgeEntry"]["__typename"] == "KnowledgeEntry"
    await seat.get_by_role("button", name="保存新版本").click()
    await expect(seat.get_by_role("alert")).to_contain_text("该条目已被他人修改为第3版，请查看最新版本后再修改")
    await check_screen(seat, "knowledge-stale")
    await seat.get_by_role("link", name="取消").click()
    await expect(seat.get_by_role("heading", level=1)).to_have_text(f"{topic}（管理员修改）")
    await seat.get_by_role("link", name="修改").click()
    await expect(seat.get_by_text("在第3版的基础上修改。")).to_be_visible()
    await seat.get_by_label("答复内容").fill("叉车每年定期检验一次，检验机构5个工作日内上门。")
    await seat.get_by_label("修改说明").fill("补充上门时限")
    await seat.get_by_role("button", name="保存新版本").click()
    await expect(seat.locator(".desk-status")).to_have_text("已保存为第4版")

    # The history keeps every version; the withdrawal is one more.
    history = seat.locator(".knowledge-history > li")
    await expect(history).to_have_count(4)
    await expect(history.first).to_contain_text("第4版 · 修改")
    await expect(history.first).to_contain_text("补充上门时限")
    await expect(history.nth(1)).to_contain_text("系统管理员")
    await check_screen(seat, "knowledge-entry")
    await seat.locator("summary", has_text="撤回").click()
    await seat.get_by_label("撤回理由").fill("检验改由市场化机构承担")
    await seat.get_by_role("button", name="撤回", exact=True).click()
    await expect(seat.locator(".desk-status")).to_have_text("已撤回（第5版）")
    await expect(history).to_have_count(5)
    await expect(history.first).to_contain_text("检验改由市场化机构承担")
    assert not browsing.console_errors, browsing.console_errors
