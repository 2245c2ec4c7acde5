"""GraphiQL works without internet: the browser has none here, and the IDE renders, runs a query and shows its
answer, every request to the portal itself."""

from __future__ import annotations

from urllib.parse import urlsplit

from tests.browser.conftest import DESKTOP, Browsing, screenshot


async def test_graphiql_runs_a_query_with_no_request_leaving_the_portal(browsing: Browsing) -> None:
    page = await browsing.page(DESKTOP)
    origins: set[str] = set()
    page.on("request", lambda request: origins.add(urlsplit(request.url).netloc or urlsplit(request.url).scheme))
    await page.goto("/graphql")
    editor = page.locator(".graphiql-query-editor .CodeMirror").first
    await editor.wait_for()
    await page.evaluate("""() => document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror
        .setValue('{ departments { code name } }')""")
    await page.locator(".graphiql-execute-button").click()
    await page.locator(".graphiql-response").get_by_text("370000").first.wait_for()
    await screenshot(page, "graphiql")
    assert origins <= {urlsplit(browsing.base_url).netloc, "data"}, origins
    assert browsing.console_errors == []
