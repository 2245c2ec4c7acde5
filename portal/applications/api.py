"""Application types, queries, mutations and the live stream. Thin: rules decide, this file shapes."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncGenerator, Sequence
from datetime import date, datetime, timezone
from typing import Annotated

import strawberry
from starlette.requests import Request
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON
from strawberry.types import Info

from portal import events, references
from portal.api.errors import (
    ApiCode,
    Conflict,
    FormInvalid,
    NotFound,
    PermissionDenied,
    PublicError,
    check_period,
    expected_failures_as_values,
    invalid_argument,
    signed_in,
    stream_cursor,
)
from portal.api.pagination import Connection, Edge, paginate
from portal.applications.loaders import ApplicationLoaders
from portal.applications import models, rules, uploads, visibility
from portal.applications.models import ApplicationStatus, DecidedBy, MaterialSource, OfferStatus, TaskStatus
from portal.applications.payloads import ApplicationChanged
from portal.applications.rules import TaskAction
from portal.applications.visibility import ApplicationView
from portal.catalog.api import Bundle, ServiceItem
from portal.catalog.models import Terminal
from portal.identity import revocations
from portal.identity.models import AccountKind
from portal.identity.policy import may_handle_department
from portal.identity.principal import Principal
from portal.problems import Code, Forbidden, Refused, known_id, row_id

strawberry.enum(TaskStatus, description="WAITING → SUBMITTED → ACCEPTED (受理) → APPROVED (办结) | REJECTED; "
                                        "SUPPLEMENT_REQUIRED (补正) → SUBMITTED.")
strawberry.enum(ApplicationStatus)
strawberry.enum(MaterialSource)
strawberry.enum(OfferStatus)
strawberry.enum(DecidedBy, description="PERSON: a handler of the department; RULE: the item's instant-approval rule.")


@strawberry.type
class SupplementRequest:
    fields: list[str]
    materials: list[str]
    message: str


@strawberry.type
class AttachedMaterial:
    code: str
    source: MaterialSource
    file_id: str | None
    certificate_type: str | None
    certificate_number: str | None

    @strawberry.field(description="A link that opens the uploaded file in a browser for 5 minutes, as the viewer "
                                  "(each read in the holder's access log); null without a file the viewer may read.")
    async def url(self, info: Info) -> str | None:
        return await file_link(info, self.file_id)


async def file_link(info: Info, file_id: str | None) -> str | None:
    """The viewer's signed link to an uploaded file (``uploads.link_for``)."""
    if file_id is None:
        return None
    return await uploads.link_for(await info.context.principal(), info.context.settings.secret_key, file_id)


@strawberry.type
class Task:
    row: strawberry.Private[models.Task]
    view: strawberry.Private[ApplicationView | None]  # its application's, when reached through the application
    id: strawberry.ID
    status: TaskStatus
    version: int
    department_code: str
    prerequisites: list[str]
    submitted_at: datetime | None
    deadline: datetime | None = strawberry.field(description="The promised limit in working days from submission.")
    deadline_provisional: bool
    decided_at: datetime | None
    decided_by: DecidedBy | None = strawberry.field(
        description="Who decided it: a handler (PERSON) or the item's instant-approval rule (RULE, 秒批).")
    rule: str | None = strawberry.field(description="The name of the rule that decided it (RULE only).")
    note: str

    @classmethod
    def of(cls, task: models.Task, view: ApplicationView | None = None) -> Task:
        return cls(row=task, view=view, id=strawberry.ID(str(task.id)), status=task.status, version=task.version,
                   department_code=task.department_code, prerequisites=list(task.prerequisites),
                   submitted_at=task.submitted_at, deadline=task.deadline,
                   deadline_provisional=task.deadline_provisional, decided_at=task.decided_at,
                   decided_by=task.decided_by, rule=task.rule, note=task.note)

    @strawberry.field
    def overdue(self) -> bool:
        return rules.is_overdue(self.row, datetime.now(timezone.utc))

    @strawberry.field
    def supplement(self) -> SupplementRequest | None:
        s = self.row.supplement
        if not s:
            return None
        return SupplementRequest(fields=s.get("fields", []), materials=s.get("materials", []),
                                 message=s.get("message", ""))

    @strawberry.field
    async def item(self, info: Info) -> ServiceItem:
        return ServiceItem.from_row(await info.context.loaders(ApplicationLoaders).item.load(self.row.item_id))

    @strawberry.field(description="The application this task belongs to (for a handler's worklist).")
    async def application(self, info: Info) -> Application:
        view = self.view or await application_view(info, self.row.application_id)
        if view is None:
            raise PublicError(Code.NOT_FOUND, "未找到该申请")
        return Application.of(view)


@strawberry.type
class ApplicantSummary:
    id: strawberry.ID
    kind: AccountKind
    display_name: str


@strawberry.type(description="办件: one submission of a bundle, one task per item.")
class Application:
    view: strawberry.Private[ApplicationView]
    id: strawberry.ID
    number: str = strawberry.field(description="受理编号: kind B, region, day, sequence, check character.")
    channel: Terminal
    created_at: datetime

    @classmethod
    def of(cls, view: ApplicationView) -> Application:
        application = view.application
        return cls(view=view, id=strawberry.ID(str(application.id)), number=application.number,
                   channel=Terminal(application.channel),
                   created_at=application.created_at)

    @property
    def row(self) -> models.Application:
        return self.view.application

    @strawberry.field(description="Values by canonical key; a scene operator that filed it (a hotel desk) sees "
                                  "only the fields its scene allows, masked.")
    def form_values(self) -> JSON:
        return visibility.form_values_seen(self.view)

    async def _tasks(self, info: Info) -> list[models.Task]:
        return await info.context.loaders(ApplicationLoaders).tasks.load(self.row.id)

    @strawberry.field(description="Derived from the tasks.")
    async def status(self, info: Info) -> ApplicationStatus:
        tasks = await self._tasks(info)
        items = await info.context.loaders(ApplicationLoaders).item.load_many([t.item_id for t in tasks])
        return rules.application_status({i.code: t.status for t, i in zip(tasks, items)},
                                        {i.code: t.prerequisites for t, i in zip(tasks, items)})

    @strawberry.field
    async def tasks(self, info: Info) -> list[Task]:
        return [Task.of(t, self.view) for t in await self._tasks(info)]

    @strawberry.field
    async def bundle(self, info: Info) -> Bundle:
        return Bundle.from_row(await info.context.loaders(ApplicationLoaders).bundle.load(self.row.bundle_id))

    @strawberry.field
    async def applicant(self, info: Info) -> ApplicantSummary:
        account = await info.context.loaders(ApplicationLoaders).account.load(self.row.applicant_id)
        return ApplicantSummary(id=strawberry.ID(str(account.id)), kind=account.kind, display_name=visibility.
                                applicant_name_seen(self.view, account, masked_terminal=info.context.masked_terminal))

    @strawberry.field(description="免申即享: what this application's approvals offered its applicant; only the "
                                  "applicant sees them.")
    async def offers(self, info: Info) -> list[Offer]:
        principal = await info.context.principal()
        if principal is None or principal.account_id != self.row.applicant_id:
            return []
        rows = await models.Offer.filter(source_application_id=self.row.id, account_id=principal.account_id
                                         ).select_related("bundle").order_by("id")  # formValues reads its form
        return [Offer.of(r) for r in rows]

    @strawberry.field(description="Materials attached: uploaded, held as e-licences (免证办), or issued on the way.")
    async def materials(self, info: Info) -> list[AttachedMaterial]:
        rows = await info.context.loaders(ApplicationLoaders).materials.load(self.row.id)
        certificates = await info.context.loaders(ApplicationLoaders).certificate.load_many(
            [m.certificate_id for m in rows if m.certificate_id])
        return [AttachedMaterial(code=m.code, source=m.source, file_id=m.file_id,
                                 certificate_type=m.certificate_type, certificate_number=m.certificate_number)
                for m in visibility.materials_seen(self.view, rows, {c.id: c for c in certificates})]


@strawberry.type(description="免申即享: a follow-up bundle offered because an item of the person's was approved "
                               "(出生登记 → 育儿补贴); accepted with one tap, or declined.")
class Offer:
    row: strawberry.Private[models.Offer]
    id: strawberry.ID
    reason: str
    status: OfferStatus
    created_at: datetime
    decided_at: datetime | None

    @classmethod
    def of(cls, row: models.Offer) -> Offer:
        return cls(row=row, id=strawberry.ID(str(row.id)), reason=row.reason, status=row.status,
                   created_at=row.created_at, decided_at=row.decided_at)

    @strawberry.field
    async def bundle(self, info: Info) -> Bundle:
        return Bundle.from_row(await info.context.loaders(ApplicationLoaders).bundle.load(self.row.bundle_id))

    @strawberry.field(description="The offered bundle's form values the application it came from already gives "
                                  "(the form opens prefilled with them, and with the profile and licences).")
    async def form_values(self) -> JSON:
        return await rules.offer_values(self.row)

    @strawberry.field(description="The application whose approval made the offer.")
    async def source_application(self, info: Info) -> Application | None:
        return await _seen(info, self.row.source_application_id)

    @strawberry.field(description="The application made by accepting it.")
    async def accepted_application(self, info: Info) -> Application | None:
        return await _seen(info, self.row.accepted_application_id)


@strawberry.type(description="A change of an application, with the cursor to resume after it.")
class ApplicationRef:
    id: strawberry.ID
    status: ApplicationStatus


@strawberry.type
class TaskRef:
    id: strawberry.ID
    status: TaskStatus
    version: int


@strawberry.type
class ApplicationEvent:
    cursor: str
    kind: str
    at: datetime
    application: ApplicationRef
    task: TaskRef | None

    @classmethod
    def of(cls, message: events.Message) -> ApplicationEvent:
        change, task = ApplicationChanged.from_json(message.payload), None
        if change.task is not None:
            task = TaskRef(id=strawberry.ID(str(change.task.id)), status=change.task.status,
                           version=change.task.version)
        return cls(cursor=str(message.seq), kind=message.kind, at=message.at,
                   application=ApplicationRef(id=strawberry.ID(str(change.application_id)), status=change.status),
                   task=task)


@strawberry.input
class MaterialInput:
    code: str
    file_id: str = strawberry.field(description="The id returned by POST /uploads.")


@strawberry.input(description="What every application sends, whatever it applies for.")
class ApplicationInput:
    form_values: JSON = strawberry.field(description="Values by canonical key; known profile values may be left out.")
    channel: Terminal
    idempotency_key: str
    materials: list[MaterialInput] = strawberry.field(default_factory=list)
    applicant_id: strawberry.ID | None = strawberry.field(
        default=None, description="Apply for someone you may act for (an enterprise you are an agent of, 代办).")


@strawberry.input
class SubmitBundleApplicationInput(ApplicationInput):
    bundle_code: str


@strawberry.input(description="单事项办理: one item on its own, with the same form, materials, tracking and rating "
                              "as a bundle of one.")
class SubmitItemApplicationInput(ApplicationInput):
    item_code: str


ApplicationResult = Annotated[Application | FormInvalid | PermissionDenied | NotFound | Conflict,
                              strawberry.union("ApplicationResult")]
OfferResult = Annotated[Offer | PermissionDenied | NotFound | Conflict, strawberry.union("OfferResult")]
TaskResult = Annotated[Task | FormInvalid | PermissionDenied | NotFound | Conflict, strawberry.union("TaskResult")]


async def _submitted(info: Info, input: ApplicationInput,
                     bundle_code: str) -> Application:
    applicant_id = _id(input.applicant_id, "该申请人") if input.applicant_id else None
    request = rules.BundleApplication(
        bundle_code=bundle_code, form_values=input.form_values,
        materials=tuple(rules.MaterialChoice(m.code, m.file_id) for m in input.materials),
        channel=input.channel, idempotency_key=input.idempotency_key, applicant_id=applicant_id)
    submission = await rules.submit(await signed_in(info), await info.context.actor(), info.context.calendar,
                                    request, offers=info.context.public.offers)
    info.context.loaders(ApplicationLoaders).remember(submission)
    return await shown(info, submission.application)


async def _seen(info: Info, application_id: int | None) -> Application | None:
    """An application the viewer may see, by id (None when there is none, or it is not theirs to see)."""
    view = await application_view(info, application_id) if application_id is not None else None
    return Application.of(view) if view else None


def _id(value: strawberry.ID, what: str = "该事项") -> int:
    return known_id(value, f"未找到{what}")


_VIEWS = "application-views"
_ROWS = "application-rows"


async def application_view(info: Info, application: models.Application | int) -> ApplicationView | None:
    """How the viewer sees an application (``visibility.see_all``, which logs a staff read), decided once per HTTP
    request: read twice in one request, by any paths, it is logged once, and the applications of a list are
    decided together (one batch: a worklist costs the same at any length). A WebSocket connection's context lasts
    as long as the connection, so there each read is decided afresh (a revoked authorisation is not remembered)."""
    number = application if isinstance(application, int) else application.id
    if not isinstance(info.context.request, Request):
        principal, actor = await info.context.principal(), await info.context.actor()
        row = application if isinstance(application, models.Application) else \
            await models.Application.get_or_none(id=number)
        return (await visibility.see_all(principal, actor, [row]))[number] if row is not None else None
    rows: dict[int, models.Application] = info.context.memo.setdefault(_ROWS, {})
    if isinstance(application, models.Application):
        rows.setdefault(number, application)
    loader = info.context.memo.get(_VIEWS)
    if loader is None:
        async def decide(ids: Sequence[int]) -> list[ApplicationView | None]:
            missing = [i for i in ids if i not in rows]
            if missing:
                rows.update({a.id: a for a in await models.Application.filter(id__in=missing)})
            principal, actor = await info.context.principal(), await info.context.actor()
            views = await visibility.see_all(principal, actor, [rows[i] for i in ids if i in rows])
            return [views.get(i) for i in ids]
        loader = info.context.memo[_VIEWS] = DataLoader(load_fn=decide)
    view = await loader.load(number)
    if view is None or isinstance(application, int):
        return view
    return dataclasses.replace(view, application=application)  # the row as the caller has it now


async def shown(info: Info, application: models.Application) -> Application:
    """The answer of a mutation that wrote ``application``, as the viewer may see it (a retried key can come from
    a delegate whose authorisation was revoked since: refused)."""
    view = await application_view(info, application)
    if view is None:
        raise Forbidden(Code.NOT_AUTHORISED, "您无权查看该申请")
    return Application.of(view)


async def _task_action(info: Info, id: strawberry.ID, version: int, action: TaskAction, **kwargs: object) -> Task:
    """受理 / 办结 / 不予办理 / 补正 by the signed-in handler, on the task's ``version``."""
    task = await rules.act_on_task(await signed_in(info), await info.context.actor(), info.context.calendar,
                                   _id(id), version, action, **kwargs)
    return Task.of(task)


@strawberry.type(description="Figures over the applications submitted in a period (Shanghai calendar days).")
class ApplicationFigures:
    applications: int
    materials: int
    attached_without_upload: int = strawberry.field(description="Materials attached from e-licences (免证办) or "
                                                                "issued by an earlier item of the same application.")
    certificate_free_share: float


@strawberry.type
class ApplicationQuery:
    @strawberry.field(description="How much was done without uploads: the 免证办 share, for a period.")
    async def application_figures(self, from_: Annotated[date, strawberry.argument(name="from")],
                                  to: date) -> ApplicationFigures:
        check_period(from_, to)
        figures = await rules.figures(from_, to)
        return ApplicationFigures(**figures)

    @strawberry.field(description="An application; null for anyone but its applicant, delegates and handlers, and "
                                  "the scene operator that filed it (which sees it masked).")
    async def application(self, info: Info, id: strawberry.ID | None = None,
                          number: Annotated[str | None, strawberry.argument(
                              description="The 受理编号, as people type it (spaces, hyphens, lower case allowed).")
                          ] = None) -> Application | None:
        if (id is None) == (number is None):
            raise invalid_argument("id", "请提供申请编号 id 或受理编号 number 其中之一")
        if number is not None:
            reference = references.normalise(number)
            row = await models.Application.get_or_none(number=reference) if reference else None
            view = await application_view(info, row) if row is not None else None
        else:
            key = row_id(id)
            view = await application_view(info, key) if key is not None else None
        return Application.of(view) if view else None

    @strawberry.field(description="A department handler's worklist, oldest deadline first; `overdue` flags late tasks.")
    async def department_tasks(self, info: Info, status: TaskStatus | None = None, overdue: bool | None = None,
                               first: int | None = None, after: str | None = None) -> Connection[Task]:
        principal = await info.context.require_principal()
        if principal.kind is not AccountKind.STAFF or not principal.department_code or not may_handle_department(
                principal, principal.department_code):
            raise PublicError(ApiCode.FORBIDDEN, "只有部门经办人可以查看本部门待办")
        return await paginate(rules.worklist(principal.department_code, status, overdue), first, after, Task.of)


async def my_applications(info: Info, principal: Principal, first: int | None,
                          after: str | None) -> Connection[Application]:
    """The viewer's applications, and those they submitted for others and may still see, newest first."""
    page = await paginate((await visibility.listed_for(principal)).order_by("-id"), first, after)
    views = [await application_view(info, edge.node) for edge in page.edges]
    return Connection(edges=[Edge(cursor=edge.cursor, node=Application.of(view))
                             for edge, view in zip(page.edges, views) if view is not None],
                      page_info=page.page_info, total_count=page.total_count)


@strawberry.type
class ApplicationMutation:
    @strawberry.mutation(description="一次提交: the merged form and materials; the same idempotencyKey returns the first.")
    @expected_failures_as_values
    async def submit_bundle_application(self, info: Info, input: SubmitBundleApplicationInput) -> ApplicationResult:
        return await _submitted(info, input, input.bundle_code)

    @strawberry.mutation(description="单事项办理: apply for one item on its own; an unknown itemCode is a field error.")
    @expected_failures_as_values
    async def submit_item_application(self, info: Info, input: SubmitItemApplicationInput) -> ApplicationResult:
        return await _submitted(info, input, await rules.single_item_bundle(input.item_code))

    @strawberry.mutation(description="免申即享, one tap: apply for the offered bundle, prefilled; a form that still "
                                     "lacks something is FormInvalid naming it (open the form with the offer's "
                                     "formValues, and accept again with the person's formValues, merged over "
                                     "the offer's, and materials). Accepting again answers with the same "
                                     "application.")
    @expected_failures_as_values
    async def accept_offer(self, info: Info, id: strawberry.ID, channel: Terminal = Terminal.MOBILE,
                           form_values: JSON | None = None, materials: list[MaterialInput] | None = None
                           ) -> ApplicationResult:
        submission = await rules.accept_offer(
            await signed_in(info), await info.context.actor(), info.context.calendar, _id(id, "该服务推荐"),
            channel, form_values=form_values,
            materials=tuple(rules.MaterialChoice(m.code, m.file_id) for m in materials or []),
            offers=info.context.public.offers)
        info.context.loaders(ApplicationLoaders).remember(submission)
        return await shown(info, submission.application)

    @strawberry.mutation(description="免申即享: no, thank you. The offer is not made again for this approval.")
    @expected_failures_as_values
    async def decline_offer(self, info: Info, id: strawberry.ID) -> OfferResult:
        return Offer.of(await rules.decline_offer(await signed_in(info), _id(id, "该服务推荐")))

    @strawberry.mutation(description="受理: SUBMITTED → ACCEPTED.")
    @expected_failures_as_values
    async def accept_task(self, info: Info, id: strawberry.ID, version: int) -> TaskResult:
        return await _task_action(info, id, version, TaskAction.ACCEPT)

    @strawberry.mutation(description="办结: ACCEPTED → APPROVED; issues the item's licences, starts dependants.")
    @expected_failures_as_values
    async def approve_task(self, info: Info, id: strawberry.ID, version: int, note: str | None = None) -> TaskResult:
        return await _task_action(info, id, version, TaskAction.APPROVE, note=note)

    @strawberry.mutation(description="不予受理 / 不予许可, with the reason.")
    @expected_failures_as_values
    async def reject_task(self, info: Info, id: strawberry.ID, version: int, reason: str) -> TaskResult:
        return await _task_action(info, id, version, TaskAction.REJECT, note=reason)

    @strawberry.mutation(description="补正: name the fields (canonical keys) and materials to fix.")
    @expected_failures_as_values
    async def request_supplement(self, info: Info, id: strawberry.ID, version: int, fields: list[str],
                                 materials: list[str] | None = None, message: str | None = None) -> TaskResult:
        return await _task_action(info, id, version, TaskAction.REQUEST_SUPPLEMENT, fields=fields,
                                  materials=materials or [], note=message)

    @strawberry.mutation(description="The applicant answers 补正; the tasks go back to SUBMITTED.")
    @expected_failures_as_values
    async def supplement_application(self, info: Info, id: strawberry.ID, form_values: JSON, idempotency_key: str,
                                     materials: list[MaterialInput] | None = None) -> ApplicationResult:
        row = await rules.supplement(await signed_in(info), await info.context.actor(), info.context.calendar,
                                     _id(id, "该申请"), form_values,
                                     [{"code": m.code, "fileId": m.file_id} for m in materials or []],
                                     idempotency_key)
        return await shown(info, row)


@strawberry.type
class ApplicationSubscription:
    @strawberry.subscription(description="Every change of an application; `after` replays what came after that "
                                         "cursor, then it goes on live. For whoever may see the application.")
    async def application_updated(self, info: Info, id: strawberry.ID,
                                  after: str | None = None) -> AsyncGenerator[ApplicationEvent, None]:
        start = stream_cursor(after)
        number = row_id(id)
        view = await application_view(info, number) if number is not None else None
        if view is None:
            raise PublicError(Code.NOT_FOUND, "未找到该申请")
        principal = await info.context.principal()

        async def still_visible() -> bool:
            """Who may see it now (``visibility.view_of``): a revoked 代办 or agent no longer may."""
            row = await models.Application.get_or_none(id=view.application.id)
            return row is not None and await visibility.view_of(principal, row) is not None

        # A family member's (代办) stream ends when the authorisation is revoked, on any server.
        followed = revocations.while_permitted(
            events.follow(rules.stream_of(view.application.id), start),
            principal.account_id if principal else 0, still_visible)
        try:
            async for message in followed:
                yield ApplicationEvent.of(message)
        except Refused as refused:
            raise PublicError(refused.code, refused.message) from refused

