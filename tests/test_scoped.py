"""App-owned state (``portal.scoped``): each app has its own event hub and principal cache, requests see their
app's, and code outside any app sees the process default."""

from __future__ import annotations

from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from portal import events
from portal.app import create_app
from portal.config import Settings
from portal.identity import sessions
from portal.scoped import AppScoped, AppState, BindAppState


def test_a_bound_value_holds_inside_its_block_only() -> None:
    scoped: AppScoped[list[str]] = AppScoped("test_scoped", list)
    default = scoped.get()
    assert scoped.get() is default  # made once
    with scoped.bound(["outer"]) as outer:
        assert scoped.get() is outer
        with scoped.bound(["inner"]) as inner:
            assert scoped.get() is inner
        assert scoped.get() is outer
    assert scoped.get() is default


async def test_each_request_sees_its_own_apps_state() -> None:
    async def which(request: Request) -> JSONResponse:
        return JSONResponse({"hub": id(events.hub()), "principals": id(sessions.principals())})

    def app_with(state: AppState) -> Starlette:
        return Starlette(routes=[Route("/", which)], middleware=[Middleware(BindAppState, state=state)])

    states = []
    for _ in range(2):
        state = AppState()
        state.own(events.HUB, events.Hub())
        state.own(sessions.PRINCIPALS, sessions.PrincipalCache())
        states.append(state)
    seen = []
    for state in states:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app_with(state)), base_url="http://t") as c:
            seen.append((await c.get("/")).json())
    assert [s["hub"] for s in seen] == [id(s.values[events.HUB]) for s in states]
    assert [s["principals"] for s in seen] == [id(s.values[sessions.PRINCIPALS]) for s in states]
    assert events.hub() not in [s.values[events.HUB] for s in states]  # the test itself is outside both apps


async def test_the_apps_lifespan_makes_its_own_hub_and_cache(settings: Settings, client: Any) -> None:
    outside = events.hub(), sessions.principals()
    seen = []
    for _ in range(2):
        app = create_app(settings, manage_database=False)
        async with app.router.lifespan_context(app):
            seen.append((events.hub(), sessions.principals()))
        assert (events.hub(), sessions.principals()) == outside
    (hub_a, cache_a), (hub_b, cache_b) = seen
    assert len({id(hub_a), id(hub_b), id(outside[0])}) == 3
    assert len({id(cache_a), id(cache_b), id(outside[1])}) == 3
