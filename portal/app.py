"""``create_app(settings)``: the portal's Starlette application."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route, WebSocketRoute
from tortoise.contrib.starlette import RegisterTortoise

from portal import db, events
from portal.api.http import GraphQLEndpoint, PortalGraphQL
from portal.appeals.sweep import run_sweeper
from portal.api.public import PublicData
from portal.api.schema import create_schema
from portal.api.security import security_middleware
from portal.appeals import open311
from portal.applications import uploads
from portal.api.ide import ide_routes
from portal.clients import client_routes
from portal.config import Settings
from portal.identity.sessions import PRINCIPALS, SESSION_ENDS, PrincipalCache, SessionEnds, watch_revocations
from portal.scoped import AppState, BindAppState

log = logging.getLogger("portal")


async def healthz(request: Request) -> Response:
    """Liveness with a real database round trip: 503 when the database does not answer."""
    try:
        await db.ping()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        log.exception("health check: database unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok"})


def _settle() -> None:
    """Move what start-up built (schema, ORM metadata, catalog, some 130,000 objects) out of the garbage
    collector's sight. Otherwise every full collection walks them all: a 40-70 ms pause in the middle of
    a request, which was the slowest 1 % of submissions under load. Only for a server process: a frozen
    object is never freed, so an app created per test must not do it."""
    gc.collect()
    gc.freeze()


async def home(request: Request) -> Response:
    """The site root opens the mobile and desktop client."""
    return RedirectResponse("/m/", status_code=307)


def create_app(settings: Settings, *, manage_database: bool = True, server: bool = False) -> Starlette:
    """The portal's app. ``manage_database=False`` leaves the ORM to the caller (tests open their own).
    ``server=True`` is for the process that runs nothing but this app (``portal serve``): see ``_settle``."""
    public = PublicData(settings.public_version_check_seconds)
    view = PortalGraphQL(create_schema(production=settings.production), settings, public)
    endpoint = GraphQLEndpoint(view, public)

    owned = AppState()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            if manage_database:
                await stack.enter_async_context(RegisterTortoise(
                    app, config=db.tortoise_config(settings.database_url), _enable_global_fallback=True))
            hub = events.running_hub(settings.broker_url, settings.subscriber_queue)
            owned.own(events.HUB, await stack.enter_async_context(hub))
            principals = owned.own(PRINCIPALS, PrincipalCache())
            ends = owned.own(SESSION_ENDS, SessionEnds())
            stack.enter_context(owned.bound())
            await public.refresh(force=True)
            loops = [asyncio.create_task(events.run_publisher(), name="portal-event-publisher"),
                     asyncio.create_task(run_sweeper(settings.sweep_seconds), name="portal-deadline-sweep"),
                     asyncio.create_task(watch_revocations(principals, ends), name="portal-session-revocations")]
            if server:
                _settle()
            try:
                yield
            finally:
                for loop in loops:
                    loop.cancel()
                await asyncio.gather(*loops, return_exceptions=True)

    routes = [
        Route("/graphql", endpoint, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", endpoint),
        Route("/healthz", healthz, methods=["GET"]),
        *uploads.routes,
        *open311.routes,
        *ide_routes(settings.production),
        Route("/", home, methods=["GET"]),
        *client_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan,
                    middleware=[*security_middleware(settings), Middleware(BindAppState, state=owned),
                                Middleware(GZipMiddleware, minimum_size=500)])
    app.state.settings = settings
    app.state.public = public
    return app


def app_from_environment() -> Starlette:
    """The app for uvicorn's factory mode (``portal serve``, several workers included)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Tortoise announces start and stop at INFO with its objects' addresses (and stop once per connection).
    logging.getLogger("tortoise").setLevel(logging.WARNING)
    return create_app(Settings.from_env(), server=True)
