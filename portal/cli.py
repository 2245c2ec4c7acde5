"""The ``portal`` command: serve, migrate, seed, export-schema, calendar import."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import yaml
from tortoise.exceptions import IntegrityError

from portal import db, events
from portal.config import SCHEMA_PATH, ConfigError, Settings
from portal.sources import SourceError

APP_FACTORY = "portal.app:app_from_environment"
# WebSocket messages over 64 KiB close the connection (1009). "websockets-sansio" is the implementation
# uvicorn's "auto" picks with websockets installed ("websockets" is the deprecated legacy one); it applies
# ws_max_size to whole messages. Per-message deflate is off: its compression contexts cost tens of KiB per
# connection, and a hall's screens are thousands of connections receiving short frames.
WS_MAX_SIZE = 64 * 1024
UVICORN_WEBSOCKET_OPTIONS = {"ws": "websockets-sansio", "ws_max_size": WS_MAX_SIZE,
                             "ws_per_message_deflate": False}
# Named rather than "auto", so that a missing package fails at start instead of quietly serving slower.
UVICORN_SPEED_OPTIONS = {"loop": "uvloop", "http": "httptools"}


def proxy_options(settings: Settings) -> dict[str, object]:
    """uvicorn reads X-Forwarded-For (and -Proto) only from the configured proxies; with none, the peer address
    is the client's. (uvicorn's own default trusts 127.0.0.1 or FORWARDED_ALLOW_IPS.)"""
    return {"proxy_headers": bool(settings.trusted_proxies), "forwarded_allow_ips": list(settings.trusted_proxies)}


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env()
    if getattr(args, "database", None):
        settings = settings.with_database(args.database)
    return settings


def _with_database(settings: Settings, work: Callable[[], Awaitable[None]]) -> None:
    async def run() -> None:
        async with db.database(settings.database_url):
            await work()
            # Events the work published are marked so a moment later (events.PublishedMarks): now, while the
            # database is still open.
            await events.hub().marks.flush()

    asyncio.run(run())


DEMO_IN_PRODUCTION = ("portal: --demo loads accounts with a published password and is refused when "
                      "PORTAL_ENV=production; load a real catalog with `portal seed --catalog DIR`.")


async def _seed_demo(settings: Settings, summary: dict[str, object]) -> None:
    """The demo catalog, halls, and demo accounts with e-licences (development only)."""
    from portal.catalog.seed import seed_catalog
    from portal.catalog.source import read_catalog
    from portal.demo import seed_demo_accounts, seed_demo_knowledge
    from portal.demo.appeals import seed_demo_appeals
    from portal.demo.surveys import seed_demo_survey
    from portal.halls.seed import seed_halls
    from portal.identity.passwords import Passwords

    await seed_catalog(read_catalog())
    await seed_halls()
    summary.update(await seed_demo_accounts(Passwords(settings.password_profile)))
    summary["surveys"] = await seed_demo_survey()
    summary.update(await seed_demo_knowledge())
    summary["appeals"] = await seed_demo_appeals()


def cmd_migrate(args: argparse.Namespace) -> int:
    settings = _settings(args)
    if args.create_database and asyncio.run(db.create_database(settings.database_url)):
        print(f"database created: {settings.database_url}")
    asyncio.run(db.migrate(settings.database_url))
    print(f"database migrated: {settings.database_url}")
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    from portal.catalog.seed import seed_catalog
    from portal.catalog.source import read_catalog

    if not args.demo and not args.catalog:
        print("portal seed: name what to load: --demo (the bundled demo catalog) or --catalog DIR", file=sys.stderr)
        return 2
    settings = _settings(args)
    if args.demo and settings.production:
        print(DEMO_IN_PRODUCTION, file=sys.stderr)
        return 2
    source = read_catalog(Path(args.catalog)) if args.catalog else read_catalog()
    summary: dict[str, object] = {}
    _with_database(settings, (lambda: _seed_demo(settings, summary)) if args.demo and not args.catalog
                   else lambda: seed_catalog(source))
    print(f"catalog seeded: {len(source.departments)} departments, {len(source.items)} service items, "
          f"{len(source.bundles)} bundles")
    if summary:
        print(f"demo accounts: {summary['citizens']} citizens, {summary['enterprises']} enterprises, "
              f"{summary['staff']} staff (password in portal/demo/accounts.yaml), "
              f"{summary['answers']} new policy answers (portal/demo/knowledge.yaml)")
    return 0


def startup_lines(settings: Settings, host: str, port: int, *, demo: bool) -> str:
    """What a person starting the portal needs first: where to point a browser, and how to sign in."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    lines = [f"爱山东 portal ({settings.env}, {settings.database_url}); Ctrl+C stops it",
             f"  phone and desktop  {base}/m/",
             f"  window and staff   {base}/window/",
             f"  TV                 {base}/tv/",
             f"  kiosk              {base}/kiosk/<hall code>, e.g. {base}/kiosk/JNSMZX"]
    if not settings.production:
        lines.append(f"  GraphiQL           {base}/graphql")
    if demo:
        from portal.demo import DEMO_FILE

        password = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))["password"]
        where = DEMO_FILE.relative_to(Path.cwd()) if DEMO_FILE.is_relative_to(Path.cwd()) else DEMO_FILE
        lines.append(f"  demo sign-ins      README.md, 'Demo sign-ins', and {where}; password {password}")
    return "\n".join(lines)


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    settings = _settings(args)
    if args.demo:
        if settings.production:
            print(DEMO_IN_PRODUCTION, file=sys.stderr)
            return 2
        print("preparing the demo: migrating the database and loading the demo data (a minute or two) ...",
              flush=True)
        asyncio.run(db.migrate(settings.database_url))
        _with_database(settings, lambda: _seed_demo(settings, {}))
    # Worker processes build their app from the environment; pass the chosen database on.
    os.environ["PORTAL_DATABASE_URL"] = settings.database_url
    print(startup_lines(settings, args.host, args.port, demo=args.demo), flush=True)
    uvicorn.run(APP_FACTORY, factory=True, host=args.host, port=args.port, workers=args.workers,
                log_level="info", server_header=False, **proxy_options(settings), **UVICORN_WEBSOCKET_OPTIONS,
                **UVICORN_SPEED_OPTIONS)
    return 0


def cmd_export_schema(args: argparse.Namespace) -> int:
    from portal.api.schema import export_sdl

    sdl = export_sdl()
    path = Path(args.output) if args.output else SCHEMA_PATH
    if args.check:
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != sdl:
            print(f"{path} differs from the schema in the code: run 'portal export-schema' and commit it.",
                  file=sys.stderr)
            return 1
        print(f"{path} matches the code.")
        return 0
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(sdl, encoding="utf-8")
    print(f"wrote {path}")
    return 0


def cmd_calendar_import(args: argparse.Namespace) -> int:
    from portal.calendar_store import import_schedule
    from portal.workdays import CalendarError, parse_schedule

    path = Path(args.file)
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        schedule = parse_schedule(data)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        detail = f"{exc.field}: {exc.message}" if isinstance(exc, CalendarError) else str(exc)
        print(f"portal calendar import: {path}: {detail}", file=sys.stderr)
        return 1
    _with_database(_settings(args), lambda: import_schedule(schedule))
    print(f"imported the {schedule.year} schedule: {len(schedule.holidays)} days off, "
          f"{len(schedule.workdays)} make-up working days")
    return 0


def cmd_user_create(args: argparse.Namespace) -> int:
    from portal.catalog.models import Department
    from portal.identity.models import Role
    from portal.identity.passwords import Passwords
    from portal.halls.rules import create_staff_in_halls
    from portal.problems import Code, InvalidField, Missing, Refused

    settings = _settings(args)
    outcome: dict[str, object] = {}
    halls = list(dict.fromkeys(code.strip() for given in args.hall or () for code in given.split(",")
                               if code.strip()))

    async def create() -> None:
        department = None
        if args.department:
            department = await Department.get_or_none(code=args.department)
            if department is None:
                raise Missing(Code.UNKNOWN_DEPARTMENT, f"no department {args.department} in the catalog")
        outcome["account"] = await create_staff_in_halls(
            Passwords(settings.password_profile), username=args.username, password=args.password,
            role=Role(args.role), department_code=args.department,
            region_code=args.region or (department.region_code if department else None),
            name=args.name or args.username, scene=args.scene, halls=halls)

    try:
        _with_database(settings, create)
    except (InvalidField, Refused) as problem:
        print(f"portal user create: {problem.message}", file=sys.stderr)
        return 1
    except IntegrityError:
        print(f"portal user create: the username {args.username} is taken", file=sys.stderr)
        return 1
    account = outcome["account"]
    print(f"created staff account {account.username} ({account.role.value}"
          f"{', ' + account.department_code if account.department_code else ''}"
          f"{', halls ' + ' '.join(halls) if halls else ''}), id {account.id}")
    return 0


def cmd_apikey_create(args: argparse.Namespace) -> int:
    from portal.appeals.open311 import create_api_key
    from portal.problems import InvalidField, Refused

    outcome: dict[str, object] = {}

    async def create() -> None:
        outcome["row"], outcome["key"] = await create_api_key(label=args.label, username=args.username,
                                                              credit_code=args.credit_code)

    try:
        _with_database(_settings(args), create)
    except (InvalidField, Refused) as problem:
        print(f"portal apikey create: {problem.message}", file=sys.stderr)
        return 1
    print(f"created Open311 API key {outcome['row'].id} ({outcome['row'].label}); it is shown only once:")
    print(outcome["key"])
    return 0


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    from portal.appeals.open311 import revoke_api_key
    from portal.problems import Refused

    try:
        _with_database(_settings(args), lambda: revoke_api_key(args.id))
    except Refused as problem:
        print(f"portal apikey revoke: {problem.message}", file=sys.stderr)
        return 1
    print(f"revoked Open311 API key {args.id}")
    return 0


def _archive_command(name: str, work: Callable[[], Awaitable[Any]], report: Callable[[Any], str]) -> int:
    from portal.backup import BackupError

    try:
        summary = asyncio.run(work())
    except BackupError as problem:
        print(f"portal {name}: {problem}", file=sys.stderr)
        return 1
    print(report(summary))
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    from portal.backup import backup

    settings = _settings(args)
    return _archive_command("backup", lambda: backup(settings.database_url, settings.upload_dir, args.output),
                            lambda s: f"backed up to {args.output}: {s.rows} rows in {len(s.tables)} tables, "
                                      f"{s.files} uploaded files, schema at {s.migration}")


def cmd_restore(args: argparse.Namespace) -> int:
    from portal.backup import restore

    settings = _settings(args)
    return _archive_command("restore", lambda: restore(args.archive, settings.database_url, settings.upload_dir,
                                                         force=args.force),
                            lambda s: f"restored {args.archive}: {s.rows} rows in {len(s.tables)} tables and "
                                      f"{s.files} uploaded files, as the backup's manifest lists; schema now at "
                                      f"{s.migration}")


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from portal.audit.rules import verify

    result: dict[str, object] = {}

    async def check() -> None:
        result["verification"] = await verify()

    _with_database(_settings(args), check)
    verification = result["verification"]
    if verification.ok:
        print(f"audit trail intact: {verification.checked} entries checked")
        return 0
    print(f"audit trail broken at entry {verification.broken_at}: {verification.reason} "
          f"({verification.checked} entries before it check out)", file=sys.stderr)
    return 1


def build_parser() -> argparse.ArgumentParser:
    from portal.identity.models import Role

    parser = argparse.ArgumentParser(prog="portal", description="爱山东 one-stop government service portal")
    commands = parser.add_subparsers(dest="command", required=True)

    def database_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--database", metavar="URL", help="database URL (default: PORTAL_DATABASE_URL)")

    serve = commands.add_parser("serve", help="serve the portal over HTTP and WebSocket")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--demo", action="store_true", help="migrate and load the demo catalog first")
    database_option(serve)
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser("migrate", help="apply the schema migrations")
    migrate.add_argument("--create-database", action="store_true",
                         help="first create the PostgreSQL database if it does not exist")
    database_option(migrate)
    migrate.set_defaults(func=cmd_migrate)

    seed = commands.add_parser("seed", help="load the catalog (idempotent)")
    seed.add_argument("--demo", action="store_true", help="the bundled demo catalog of Shandong")
    seed.add_argument("--catalog", metavar="DIR", help="a catalog directory with the same YAML files")
    database_option(seed)
    seed.set_defaults(func=cmd_seed)

    export = commands.add_parser("export-schema", help="write schema/portal.graphql from the code")
    export.add_argument("--check", action="store_true", help="exit 1 if the file differs from the code")
    export.add_argument("--output", metavar="FILE")
    export.set_defaults(func=cmd_export_schema)

    calendar = commands.add_parser("calendar", help="the working-day calendar")
    calendar_commands = calendar.add_subparsers(dest="calendar_command", required=True)
    imports = calendar_commands.add_parser("import", help="import a published holiday schedule (JSON or YAML)")
    imports.add_argument("file")
    database_option(imports)
    imports.set_defaults(func=cmd_calendar_import)

    user = commands.add_parser("user", help="staff accounts")
    user_commands = user.add_subparsers(dest="user_command", required=True)
    create = user_commands.add_parser("create", help="create a staff account")
    create.add_argument("--username", required=True)
    create.add_argument("--password", required=True)
    create.add_argument("--role", required=True,
                        choices=[role.value for role in Role])
    create.add_argument("--department", metavar="CODE", help="department code from the catalog")
    create.add_argument("--region", metavar="CODE", help="region code (default: the department's)")
    create.add_argument("--scene", choices=["GOVERNMENT_SERVICE", "MEDICAL_HEALTH", "TRANSPORT", "CULTURE_TOURISM",
                                            "LODGING", "SOCIAL_SECURITY"],
                        help="the 鲁通码 scene of a SCENE_OPERATOR (a hotel desk scans in LODGING)")
    create.add_argument("--hall", action="append", metavar="CODE",
                        help="a WINDOW_CLERK's service hall (repeat it or give a comma list); "
                             "a clerk calls tickets only in its halls")
    create.add_argument("--name", help="display name (default: the username)")
    database_option(create)
    create.set_defaults(func=cmd_user_create)

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True)
    verify = audit_commands.add_parser("verify", help="check the hash chain; report the first broken link")
    database_option(verify)
    verify.set_defaults(func=cmd_audit_verify)
    apikey = commands.add_parser("apikey", help="Open311 API keys (enterprises and appeals coordinators)")
    apikey_commands = apikey.add_subparsers(dest="apikey_command", required=True)
    key_create = apikey_commands.add_parser("create", help="create a key and print it once")
    holder = key_create.add_mutually_exclusive_group(required=True)
    holder.add_argument("--username", help="an appeals coordinator's username")
    holder.add_argument("--credit-code", dest="credit_code", help="an enterprise's credit code")
    key_create.add_argument("--label", required=True, help="what the key is for")
    database_option(key_create)
    key_create.set_defaults(func=cmd_apikey_create)
    key_revoke = apikey_commands.add_parser("revoke", help="revoke a key")
    key_revoke.add_argument("--id", type=int, required=True)
    database_option(key_revoke)
    key_revoke.set_defaults(func=cmd_apikey_revoke)

    backup = commands.add_parser("backup", help="write the database and the upload store to one archive")
    backup.add_argument("--output", required=True, help="the archive to write (.tar.gz)")
    database_option(backup)
    backup.set_defaults(func=cmd_backup)
    restore = commands.add_parser("restore", help="put a backup back (the portal stopped), then migrate forward")
    restore.add_argument("archive", help="an archive written by portal backup")
    restore.add_argument("--force", action="store_true", help="replace a database that holds data")
    database_option(restore)
    restore.set_defaults(func=cmd_restore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ConfigError as exc:
        print(f"portal: configuration error: {exc}", file=sys.stderr)
        return 2
    except SourceError as exc:
        print(f"portal: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
