"""营商环境满意度调查 across terminals, two people side by side, each signed in as themselves: the 历下区 supervisor
drafts a survey on the desktop (questions entered one by one, a bad one refused by its field) and publishes it, the
sampled demo enterprise answers it on its phone, the supervisor publishes the results and the public figures page
shows them, to anybody, without a name of an enterprise."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.async_api import expect

from tests.browser.conftest import PHONE, Browsing, assert_accessible, screenshot, words
from tests.browser.test_lutong_and_appeals import log_in, signed_in_page
from tests.browser.test_window import staff_page

ENTERPRISE = "91370102MA3C5QX1XY"  # 历下区: in the 历下区 supervisor's region, sampled at 100%
COMPANY = "济南泉城餐饮管理有限公司"
SUPERVISOR = "supervisor-lixia"
TITLE = "历下区企业营商环境满意度调查（浏览器测试）"


async def test_a_survey_is_drafted_published_answered_and_its_results_shown(browsing: Browsing) -> None:
    base = browsing.base_url
    desk = await staff_page(browsing, SUPERVISOR)
    await desk.goto("/window/#/surveys/new")
    await expect(desk.get_by_role("heading", level=1)).to_have_text("起草满意度调查")
    closes = (datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=20)).isoformat()
    await desk.get_by_label("调查标题").fill(TITLE)
    await desk.get_by_label("结束作答日期").fill(closes)
    await desk.get_by_label("抽样比例（%）").fill("100")
    first = desk.locator(".survey-question").nth(0)
    await first.get_by_label("题目标识（英文，如 approval）").fill("overall")
    await first.get_by_label("题目内容").fill("您对历下区政务服务总体是否满意？")
    await first.get_by_label("所涉部门（可不选）").select_option("370102-JTJ")
    await desk.get_by_role("button", name="添加一题").click()
    second = desk.locator(".survey-question").nth(1)
    await second.get_by_label("题目标识（英文，如 approval）").fill("channel")
    await second.get_by_label("题目内容").fill("您最常通过哪个渠道办事？")
    await second.get_by_label("题型").select_option("CHOICE")
    await second.get_by_label("选项（每行一个，仅单选题）").fill("爱山东APP")
    await desk.get_by_role("button", name="保存草稿").click()
    # One option is not a choice: the API's refusal lands on that question's options.
    await expect(desk.locator("#error-field-questions-1--options")).to_have_text("单选题须有2到10个选项")
    await second.get_by_label("选项（每行一个，仅单选题）").fill("爱山东APP\n政务服务大厅")
    await desk.get_by_role("button", name="保存草稿").click()
    await expect(desk.get_by_role("heading", level=1)).to_have_text("营商环境满意度调查")
    draft = desk.locator(".survey-admin", has_text=TITLE)
    await expect(draft).to_contain_text("草稿")
    await draft.get_by_role("button", name="发布并抽样").click()
    await expect(desk.get_by_role("status")).to_contain_text(f"已发布：{TITLE}")
    await expect(draft).to_contain_text("随机种子")
    await assert_accessible(desk)
    await screenshot(desk, "window-surveys")

    phone = await signed_in_page(browsing, PHONE, log_in(base, ENTERPRISE))
    await phone.goto("/m/#/surveys")
    card = phone.locator(".survey-card", has_text=TITLE)
    await expect(card).to_contain_text(COMPANY)
    await card.get_by_role("link", name="开始作答").click()
    await expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    await phone.get_by_role("button", name="提交答卷").click()  # nothing chosen: both questions are required
    await expect(phone.locator("#error-field-answers-overall")).to_have_text("此题为必答题")
    await phone.get_by_text("4 满意").click()
    await phone.get_by_text("政务服务大厅").click()
    await phone.get_by_role("button", name="提交答卷").click()
    await expect(phone.get_by_role("status")).to_contain_text("答卷已提交")
    await assert_accessible(phone)
    await screenshot(phone, "mobile-survey-answered")
    await phone.goto("/m/#/surveys")
    await expect(phone.locator(".survey-card", has_text=TITLE)).to_contain_text("已作答")

    await desk.reload()
    published = desk.locator(".survey-admin", has_text=TITLE)
    await published.get_by_role("button", name="公布结果").click()
    await expect(desk.get_by_role("status")).to_contain_text(f"已公布结果：{TITLE}")
    await desk.locator(".survey-admin", has_text=TITLE).get_by_role("button", name="查看结果").click()
    figures = desk.locator(".survey-results", has_text=TITLE)
    await expect(figures).to_contain_text("回收 1 份")
    await screenshot(desk, "window-survey-results")

    public = await browsing.page(PHONE)
    await public.goto("/m/#/survey-results")
    shown = public.locator(".survey-results", has_text=TITLE)
    await expect(shown).to_contain_text("回收 1 份")
    text = words(await shown.inner_text())
    assert "平均分 4.00 · 满意率 100.0%" in text and "政务服务大厅：1 家" in text
    assert "济南市历下区教育和体育局" in text and COMPANY not in text
    # The demo's own survey of Jinan is there too, with its figures.
    await expect(public.locator(".survey-results", has_text="济南市营商环境满意度调查")).to_contain_text("回收 5 份")
    await assert_accessible(public)
    await screenshot(public, "mobile-survey-results")
    assert browsing.console_errors == []
