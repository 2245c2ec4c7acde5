"""The terminals (TERMINALS.md), served by the portal itself: plain ES modules, no build step.

``/shared/`` is the client library, ``/m/`` the mobile and desktop PWA, ``/window/`` the window terminal and
staff workbench, ``/tv/`` the TV terminal with its hall screens at ``/tv/hall/<hallCode>`` (no service worker on
either: a desk and a TV are online, and their data is not kept for offline use), ``/kiosk/`` the self-service kiosk
of a hall (``/kiosk/<hallCode>``; its page is never stored, so that the browser's back button cannot bring back the
screen of the person before). Every file is
revalidated on each load (ETag), and the service worker is generated with the list of the shell's files and a
version that changes with their content, so a deployment reaches installed apps without anyone keeping a list by
hand.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
from pathlib import Path, PurePosixPath

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

from portal.config import CLIENTS_PATH

# Browsers refuse ES modules and manifests served with a wrong type (the portal sends nosniff).
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/manifest+json", ".webmanifest")

SHELL_SUFFIXES = (".html", ".js", ".css", ".svg", ".png", ".webmanifest")


class ClientFiles(StaticFiles):
    """A terminal's static files, revalidated on every load so that a deployment shows at once."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_revalidated(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", []).append((b"cache-control", b"no-cache"))
            await send(message)

        await super().__call__(scope, receive, send_revalidated)


class KioskFiles(ClientFiles):
    """The kiosk: ``/kiosk/`` and ``/kiosk/<hallCode>`` (a path without a file suffix) are its page, sent with
    ``no-store`` (no copy on disk, none in the back/forward cache); its modules and styles are files as usual."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not PurePosixPath(self.get_path(scope)).suffix:
            page = FileResponse(Path(str(self.directory)) / "index.html", media_type="text/html",
                                headers={"cache-control": "no-store"})
            await page(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def shell_files(root: Path = CLIENTS_PATH) -> list[tuple[str, Path]]:
    """(URL, file) of everything the mobile shell needs offline: its own files and the shared library."""
    files = []
    for prefix, folder in (("/m/", root / "mobile"), ("/shared/", root / "shared")):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.suffix in SHELL_SUFFIXES and path.name != "sw.js":
                files.append((prefix + path.relative_to(folder).as_posix(), path))
    return files


def render_service_worker(root: Path = CLIENTS_PATH) -> str:
    """``clients/mobile/sw.js`` with its precache list and a version derived from the files' bytes."""
    files = shell_files(root)
    template = (root / "mobile" / "sw.js").read_text(encoding="utf-8")
    digest = hashlib.sha256(template.encode())
    for url, path in files:
        digest.update(url.encode())
        digest.update(path.read_bytes())
    shell = ["/m/", *(url for url, _ in files if url != "/m/index.html")]
    return (template.replace("__SHELL_FILES__", json.dumps(shell, ensure_ascii=False))
            .replace("__SHELL_VERSION__", digest.hexdigest()[:16]))


async def service_worker(request: Request) -> Response:
    return Response(render_service_worker(), media_type="text/javascript",
                    headers={"cache-control": "no-cache", "service-worker-allowed": "/m/"})


async def hall_screen(request: Request) -> Response:
    """A hall's calling screen (``/tv/hall/JNSMZX``): the TV client, which reads the hall's code from the path."""
    return FileResponse(CLIENTS_PATH / "tv" / "index.html", media_type="text/html",
                        headers={"cache-control": "no-cache"})


def client_routes() -> list[BaseRoute]:
    return [
        Route("/m/sw.js", service_worker, methods=["GET"]),
        Mount("/shared", ClientFiles(directory=CLIENTS_PATH / "shared"), name="shared"),
        Mount("/m", ClientFiles(directory=CLIENTS_PATH / "mobile", html=True), name="mobile"),
        Mount("/window", ClientFiles(directory=CLIENTS_PATH / "window", html=True), name="window"),
        Route("/tv/hall/{hall_code}", hall_screen, methods=["GET", "HEAD"]),
        Mount("/tv", ClientFiles(directory=CLIENTS_PATH / "tv", html=True), name="tv"),
        Mount("/kiosk", KioskFiles(directory=CLIENTS_PATH / "kiosk"), name="kiosk"),
    ]
