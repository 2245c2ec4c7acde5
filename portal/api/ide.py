"""GraphiQL for development, served whole by the portal: strawberry's page with its scripts and styles taken from
``portal/api/graphiql/`` (vendored byte for byte, licences in LICENSES.md) instead of unpkg, so that the IDE works on
a machine without internet (a government intranet). Production serves neither the page nor the files."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from strawberry.http.ides import get_graphql_ide_html

ASSETS = Path(__file__).parent / "graphiql"
ASSETS_PATH = "/graphiql"
CDN = "https://unpkg.com/"


@cache
def graphiql_page() -> str:
    """strawberry's GraphiQL page, loading everything from ``/graphiql/`` (the paths mirror unpkg's, and the
    integrity hashes stay: the files are the same bytes)."""
    page = get_graphql_ide_html("graphiql")
    if CDN not in page:
        raise RuntimeError("strawberry's GraphiQL page no longer loads from unpkg: check portal/api/graphiql/")
    return page.replace(CDN, ASSETS_PATH + "/")


def ide_routes(production: bool) -> list[BaseRoute]:
    return [] if production else [Mount(ASSETS_PATH, StaticFiles(directory=ASSETS), name="graphiql")]
