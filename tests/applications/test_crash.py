"""A server killed with SIGKILL while a client submits 500 applications and retries on the same keys:
after the restart every key maps to exactly one application, and every event was published."""

from __future__ import annotations

import asyncio
import os
import signal
import uuid
from pathlib import Path

import httpx

from portal.applications.models import Application
from portal.catalog.seed import seed_catalog
from portal.catalog.source import read_catalog
from portal.events import Event
from tests.applications.support import NEWBORN_UPLOADS, PDF, SUBMIT, newborn_values
from tests.helpers import registered_citizen, start_portal, stop

SUBMISSIONS = 500
KILL_AFTER = 150


async def test_a_killed_server_loses_no_application_and_no_event(empty_database: str, tmp_path: Path) -> None:
    await seed_catalog(read_catalog())
    signed_in = await registered_citizen("韩梅梅")
    headers = {"authorization": f"Bearer {signed_in.token}"}
    env = {"PORTAL_UPLOAD_DIR": str(tmp_path / "uploads")}
    server, base = start_portal(empty_database, env=env)
    current = {"base": base}
    try:
        async with httpx.AsyncClient(timeout=10) as http:
            materials = []
            for code in NEWBORN_UPLOADS:
                response = await http.post(f"{base}/uploads", content=PDF + uuid.uuid4().bytes,
                                           headers={**headers, "x-file-name": "scan.pdf"})
                materials.append({"code": code, "fileId": response.json()["id"]})
            values = {key: newborn_values() for key in (f"kiosk-{n:03d}" for n in range(SUBMISSIONS))}  # one child each
            done: dict[str, str] = {}
            failures = {"count": 0}

            async def submit(key: str) -> None:
                request = {"query": SUBMIT, "variables": {"input": {
                    "bundleCode": "newborn", "formValues": values[key], "channel": "MOBILE",
                    "idempotencyKey": key, "materials": materials}}}
                while True:
                    try:
                        response = await http.post(f"{current['base']}/graphql", json=request, headers=headers)
                        result = response.json()["data"]["submitBundleApplication"]
                        assert result["__typename"] == "Application", result
                        done[key] = result["id"]
                        return
                    except (httpx.TransportError, ValueError):
                        failures["count"] += 1  # the server is down or died mid-answer: retry the same key
                        await asyncio.sleep(0.1)

            gate = asyncio.Semaphore(8)

            async def limited(key: str) -> None:
                async with gate:
                    await asyncio.wait_for(submit(key), 120)

            keys = [f"kiosk-{n:03d}" for n in range(SUBMISSIONS)]
            work = asyncio.gather(*(limited(k) for k in keys))
            while len(done) < KILL_AFTER and not work.done():
                await asyncio.sleep(0.01)
            os.kill(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
            server, current["base"] = await asyncio.to_thread(start_portal, empty_database, env=env)
            await work
    finally:
        stop(server)
    assert failures["count"] > 0, "the kill should have interrupted some requests"
    assert len(done) == SUBMISSIONS
    rows = await Application.filter(submitted_by_id=signed_in.account.id).values_list("idempotency_key", "id")
    assert len(rows) == SUBMISSIONS
    assert {k: str(i) for k, i in rows} == done
    events = await Event.filter(stream__startswith="application:").values_list("stream", "seq", "published_at")
    assert sorted(s for s, _, _ in events) == sorted(f"application:{i}" for i in done.values())
    assert all(seq == 1 for _, seq, _ in events)
    assert [s for s, _, published in events if published is None] == []

