"""一件事一次办: one merged form, one submission, tasks along the bundle's graph, every change announced.

No GraphQL here. Expected failures are the exceptions of ``portal.problems``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from functools import lru_cache
from typing import Any

import orjson
from tortoise.exceptions import IntegrityError
from tortoise.queryset import QuerySet
from tortoise.transactions import in_transaction

from portal import db, events, references
from portal.applications.errors import ApplicationCode
from portal.applications.forms import FORM_FIELD, FieldRule, echoable, listed, validate_form, written
from portal.applications.models import (
    Application,
    ApplicationMaterial,
    ApplicationStatus,
    DecidedBy,
    MaterialSource,
    Offer,
    OfferStatus,
    Supplement,
    Task,
    TaskStatus,
    UploadedFile,
    is_file_id,
)
from portal.applications import decisions
from portal.applications.decisions import facts_of, instant_rule, make_offers, record_rule_outcome
from portal.applications.payloads import ApplicationChanged, TaskState
from portal.audit.rules import Actor, record, record_read
from portal.catalog.conditions import Facts, evaluate
from portal.catalog.models import Audience, Bundle, CertificateType, ServiceItem, Terminal
from portal.catalog.rules import BundleOnOffer, MergedForm, bundle_on_offer, merged_form, single_item_code
from portal.identity import numbers
from portal.identity.models import Account, AccountKind, WindowAuthorisation
from portal.identity.policy import may_act_for, may_handle_department, window_consent
from portal.idempotency import check_key, request_hash
from portal.identity.principal import Principal
from portal.lutong import rules as licences
from portal.lutong.models import Certificate
from portal.lutong.scenes import Scene
from portal.references import ReferenceKind
from portal.problems import Code, Conflicting, Forbidden, FormProblems, InvalidField, Missing
from portal.workdays import SHANGHAI, WorkCalendar, end_of_day, day_bounds_utc

MAX_REASON_LENGTH = 500
OPEN_STATES = (TaskStatus.SUBMITTED, TaskStatus.ACCEPTED)


class TaskAction(str, Enum):
    ACCEPT = "ACCEPT"
    APPROVE = "APPROVE"
    REJECT = "REJECT"
    REQUEST_SUPPLEMENT = "REQUEST_SUPPLEMENT"


# A handler's actions: from which states, to which state (受理, 办结, 不予受理/不予许可, 补正).
TRANSITIONS: dict[TaskAction, tuple[tuple[TaskStatus, ...], TaskStatus]] = {
    TaskAction.ACCEPT: ((TaskStatus.SUBMITTED,), TaskStatus.ACCEPTED),
    TaskAction.APPROVE: ((TaskStatus.ACCEPTED,), TaskStatus.APPROVED),
    TaskAction.REJECT: (OPEN_STATES, TaskStatus.REJECTED),
    TaskAction.REQUEST_SUPPLEMENT: (OPEN_STATES, TaskStatus.SUPPLEMENT_REQUIRED),
}
STATUS_NAMES = {TaskStatus.WAITING: "等待前置事项", TaskStatus.SUBMITTED: "已提交", TaskStatus.ACCEPTED: "已受理",
                TaskStatus.APPROVED: "已办结", TaskStatus.REJECTED: "不予办理", TaskStatus.SUPPLEMENT_REQUIRED: "待补正"}
ACTION_NAMES = {TaskAction.ACCEPT: "受理", TaskAction.APPROVE: "办结", TaskAction.REJECT: "不予办理",
                TaskAction.REQUEST_SUPPLEMENT: "要求补正"}
# What the applicant's account says about them, by canonical form key (prefill).
PROFILE_KEYS = {
    AccountKind.CITIZEN: {"applicant.name": "name", "applicant.idNumber": "id_number", "applicant.phone": "phone"},
    AccountKind.ENTERPRISE: {"enterprise.name": "name", "enterprise.creditCode": "credit_code",
                             "enterprise.legalRepresentativeIdNumber": "legal_representative_id_number",
                             "applicant.phone": "phone"},
}


SUBMITTED_EVENT = "application.submitted"


def stream_of(application_id: int) -> str:
    return f"application:{application_id}"


def blocked_items(statuses: Mapping[str, TaskStatus], prerequisites: Mapping[str, Sequence[str]]) -> set[str]:
    """Items that can never start: a prerequisite was rejected, or is itself blocked."""
    blocked: set[str] = set()
    changed = True
    while changed:
        changed = False
        for item, needs in prerequisites.items():
            if item not in blocked and any(statuses[p] is TaskStatus.REJECTED or p in blocked for p in needs):
                blocked.add(item)
                changed = True
    return blocked


def application_status(statuses: Mapping[str, TaskStatus],
                       prerequisites: Mapping[str, Sequence[str]]) -> ApplicationStatus:
    """The application's state, derived from its tasks: needs supplement before anything else; done when
    every task is approved; rejected when nothing can be approved any more and nothing was; partly
    rejected when something was rejected; otherwise in progress."""
    values = set(statuses.values())
    if TaskStatus.SUPPLEMENT_REQUIRED in values:
        return ApplicationStatus.NEEDS_SUPPLEMENT
    if values == {TaskStatus.APPROVED}:
        return ApplicationStatus.DONE
    if TaskStatus.REJECTED in values:
        blocked = blocked_items(statuses, prerequisites)
        finished = all(s in (TaskStatus.REJECTED, TaskStatus.APPROVED) or item in blocked
                       for item, s in statuses.items())
        if finished and TaskStatus.APPROVED not in values:
            return ApplicationStatus.REJECTED
        return ApplicationStatus.PARTLY_REJECTED
    return ApplicationStatus.IN_PROGRESS


def promised_deadline(calendar: WorkCalendar, promised_days: int, submitted_at: datetime) -> tuple[datetime, bool]:
    """A task's deadline: its promised limit (承诺时限) in working days from the Shanghai day it became
    SUBMITTED; an immediate item (即办, 0 days) is due by the end of that day."""
    day = submitted_at.astimezone(SHANGHAI).date()
    if promised_days == 0:
        deadline, provisional = end_of_day(day), not calendar.is_published(day.year)
    else:
        deadline, provisional = calendar.deadline(day, promised_days)
    return deadline.astimezone(timezone.utc), provisional  # stored in UTC: SQLite compares timestamps as text


def is_overdue(task: Task, now: datetime) -> bool:
    return task.status in OPEN_STATES and task.deadline is not None and task.deadline < now


def worklist(department_code: str, status: TaskStatus | None = None, overdue: bool | None = None,
             now: datetime | None = None) -> QuerySet[Task]:
    """A unit's worklist (departmentTasks): its tasks, of one status, late (``is_overdue``) or not, oldest
    deadline first."""
    query = Task.filter(department_code=department_code)
    if status is not None:
        query = query.filter(status=status)
    if overdue is not None:
        late = dict(status__in=OPEN_STATES, deadline__lt=now or datetime.now(timezone.utc))
        query = query.filter(**late) if overdue else query.exclude(**late)
    return query.order_by("deadline", "id")


@lru_cache(maxsize=256)  # per form (hashed by identity); the catalog's forms change only with its version
def field_rules(form: MergedForm) -> tuple[FieldRule, ...]:
    return tuple(FieldRule(key=d.key, label=d.label, type=d.type, required=m.required, validation=d.validation,
                           options=d.options) for d, m in form.fields)


@dataclass(frozen=True)
class Prefill:
    """What the portal already knows for a form: values (with their source) and materials held as e-licences."""

    values: dict[str, tuple[object, str]]
    licences: dict[str, Certificate]  # material code -> the licence that stands in for it
    held: frozenset[str] = frozenset()  # every licence type the applicant holds (what rules may read)


async def prefill(applicant: Account, form: MergedForm) -> Prefill:
    """Prefill from the applicant's profile and from what their e-licences state (免证办 for materials)."""
    held = await licences.holdings(applicant.id)
    keys = {d.key for d, _ in form.fields}
    values: dict[str, tuple[object, str]] = {}
    for certificate in held.values():
        for key, value in certificate.data.items():
            if key in keys:
                values[key] = (value, f"CERTIFICATE:{certificate.type_code}")
    for key, attribute in PROFILE_KEYS.get(applicant.kind, {}).items():
        if key in keys and getattr(applicant, attribute):
            values[key] = (getattr(applicant, attribute), "PROFILE")
    materials = {d.code: held[d.certificate_type_code] for d, _ in form.materials
                 if d.certificate_type_code in held}
    return Prefill(values, materials, frozenset(held))


NOT_AUTHORISED = "您没有代此申请人办理该事项的授权"


async def acting_for(principal: Principal | None, applicant_id: int, bundle_code: str, *,
                     channel: Terminal | None) -> WindowAuthorisation | None:
    """Who may apply for ``applicant_id`` on a bundle (and read its form prefilled for them): the applicant, whoever
    acts for them (``policy.may_act_for``: an enterprise's agents, a family member for that bundle), and a window
    clerk the person consented to by scan (窗口代办, ``policy.window_consent``), who submits on the WINDOW channel
    only (``channel`` None: reading the form, not submitting). Returns the window consent it rests on, if any;
    NOT_AUTHORISED for everyone else."""
    if await may_act_for(principal, applicant_id, bundle_code=bundle_code):
        return None
    consent = await window_consent(principal, applicant_id)
    if consent is None:
        raise Forbidden(Code.NOT_AUTHORISED, NOT_AUTHORISED)
    if channel not in (None, Terminal.WINDOW):
        raise Forbidden(Code.NOT_AUTHORISED, "窗口代办只能通过窗口端提交")
    return consent


async def _applicant(principal: Principal, applicant_id: int | None, bundle: Bundle, channel: Terminal, *,
                     consented: bool = False) -> tuple[Account, WindowAuthorisation | None]:
    """Whose application it is (``acting_for``), or who consented to this one submission (``consented``: the
    caller verified it, e.g. a scanned 鲁通码), with the window consent it rests on, if any."""
    target = applicant_id or principal.account_id
    consent = None if consented else await acting_for(principal, target, bundle.code, channel=channel)
    applicant = await _ACCOUNT.first(target)
    if applicant is None:
        raise Missing(ApplicationCode.NO_SUCH_APPLICANT, "没有这个申请人")
    if applicant.kind is AccountKind.STAFF or bundle.audience not in (Audience.BOTH, Audience(applicant.kind.value)):
        who = "企业" if bundle.audience is Audience.ENTERPRISE else "个人"
        raise Forbidden(ApplicationCode.AUDIENCE_MISMATCH, f"该一件事仅面向{who}办理")
    return applicant, consent


async def prefill_for(principal: Principal | None, actor: Actor, applicant_id: int, bundle_code: str,
                      form: MergedForm) -> Prefill:
    """The form prefilled for someone else (``bundle.form(applicantId)``): for whoever may apply for them
    (``acting_for``); the read is written to the person's access log, with the window consent's hall and counter."""
    if principal is None:
        raise Forbidden(Code.NOT_AUTHORISED, NOT_AUTHORISED)
    consent = await acting_for(principal, applicant_id, bundle_code, channel=None)
    applicant = await _ACCOUNT.first(applicant_id)
    if applicant is None or applicant.kind is AccountKind.STAFF:
        raise Missing(ApplicationCode.NO_SUCH_APPLICANT, "没有这个申请人")
    if applicant_id != principal.account_id:
        await record_read(actor, subject_account_id=applicant_id, target=f"bundle-form:{bundle_code}",
                          scene=Scene.GOVERNMENT_SERVICE.value if consent else None,
                          detail=consent.place() if consent else None)
    return await prefill(applicant, form)


def _on_behalf(consent: WindowAuthorisation) -> dict[str, Any]:
    """The audit record of a 窗口代办 submission: the consent and the scan it came from."""
    return {"windowAuthorisation": consent.id, "scan": consent.scan_nonce,
            "scannedAt": consent.scanned_at.astimezone(timezone.utc).isoformat(), **consent.place()}


async def _materials(principal: Principal, applicant: Account, form: MergedForm, held: Mapping[str, Certificate],
                     submitted: Sequence[MaterialChoice]) -> tuple[list[InvalidField], dict[str, UploadedFile]]:
    """Check the uploaded materials; each required one must be uploaded, held as an e-licence, or issued on
    the way by an item that comes before those needing it (e.g. 出生医学证明 for 出生登记)."""
    problems: list[InvalidField] = []
    by_code = {d.code: (d, m) for d, m in form.materials}
    issued_here = form.issued_here
    uploads: dict[str, UploadedFile] = {}
    ids = [entry.file_id for entry in submitted]
    files = {str(f.id): f for f in await _FILES.all([i for i in ids if is_file_id(i)],
                                                    {principal.account_id, applicant.id})}
    for entry in submitted:
        code, file_id = entry.code, entry.file_id
        field = f"materials.{code}"
        if code not in by_code:
            problems.append(InvalidField(field, ApplicationCode.UNKNOWN_MATERIAL, f"该一件事不需要材料 {code}") if echoable(code)
                            else InvalidField("materials", ApplicationCode.UNKNOWN_MATERIAL, "该一件事不需要这份材料"))
        elif code in uploads:
            problems.append(InvalidField(field, ApplicationCode.DUPLICATE_MATERIAL, f"“{by_code[code][0].name}”上传了多次"))
        elif file_id not in files:
            problems.append(InvalidField(field, Code.UNKNOWN_FILE, f"“{by_code[code][0].name}”的文件不存在或不属于您"))
        else:
            uploads[code] = files[file_id]
    refused = {p.field for p in problems}
    for definition, requirement in form.materials:
        covered = (definition.code in uploads or definition.code in held or f"materials.{definition.code}" in refused
                   or definition.code in issued_here)
        if requirement.required and not covered:
            problems.append(InvalidField(f"materials.{definition.code}", ApplicationCode.MATERIAL_REQUIRED,
                                         f"请上传“{definition.name}”"))
    return problems, uploads


_BY_KEY = db.Lookup(Application, "submitted_by_id", "idempotency_key")
_ACCOUNT = db.Lookup(Account, "id")
_FILES = db.Lookup(UploadedFile, "id__in", "owner_id__in")
_EARLIER = db.Lookup(Application, "applicant_id", "bundle_id", order_by="id", columns=("id", "form_values"))
_APPLICATION = db.Lookup(Application, "id")


def _digest(payload: Mapping[str, Any]) -> str | None:
    """The request's digest for telling a retry from a reused key; None when it cannot be computed (an integer
    beyond 64 bits, a lone surrogate, nesting deeper than 254): such a request is no retry of an accepted one,
    whose values all passed their field's rules, and validation refuses it field by field."""
    try:
        return request_hash(payload)
    except orjson.JSONEncodeError:
        return None


async def _replay(principal: Principal, key: str, digest: str | None) -> Application | None:
    existing = await _BY_KEY.first(principal.account_id, key)
    if existing is not None and existing.request_hash != digest:
        raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一份不同的申请")
    return existing


async def _status(application: Application) -> ApplicationStatus:
    tasks = await Task.filter(application_id=application.id).select_related("item").order_by("sort")
    return application_status({t.item.code: t.status for t in tasks}, {t.item.code: t.prerequisites for t in tasks})


async def _announce(application: Application, kind: str, task: Task | None = None, *,
                    status: ApplicationStatus | None = None) -> events.Event:
    """The next event of the application's stream (inside the change's transaction). A new application
    is created with its first sequence number already taken (``event_seq=1``)."""
    if kind != SUBMITTED_EVENT:
        application.event_seq += 1
        await Application.filter(id=application.id).update(event_seq=application.event_seq)
    payload = ApplicationChanged(application.id, status or await _status(application),
                                 TaskState(task.id, task.status, task.version) if task is not None else None)
    return await events.append(stream_of(application.id), application.event_seq, kind, payload)


@dataclass(frozen=True)
class Submission:
    """A submitted application with the rows its answer is made of, as created (None for a retried key,
    whose rows are read when needed)."""

    application: Application
    tasks: list[Task] | None = None
    materials: list[ApplicationMaterial] | None = None
    certificates: list[Certificate] | None = None
    form: MergedForm | None = None


@dataclass(frozen=True)
class MaterialChoice:
    """A material the applicant chose to send: an upload of theirs (or the applicant's) for a material code."""

    code: str
    file_id: str


@dataclass(frozen=True)
class BundleApplication:
    """What a person sends to apply for a bundle in one submission (一次提交), as they sent it: nothing here is
    checked yet. ``applicant_id`` names the person applied for when it is someone else (an enterprise's agent,
    代办, 窗口代办)."""

    bundle_code: str
    form_values: object
    materials: tuple[MaterialChoice, ...]
    channel: Terminal
    idempotency_key: str
    applicant_id: int | None = None

    def digest(self) -> str | None:
        """Tells a retry (the same request under its key) from a reused key."""
        return _digest({"bundle": self.bundle_code, "values": self.form_values,
                        "materials": [{"code": m.code, "fileId": m.file_id} for m in self.materials],
                        "channel": self.channel.value, "applicant": self.applicant_id})


@dataclass(frozen=True)
class _Checked:
    """A submission that passed every check, with what its rows are made of."""

    request: BundleApplication
    key: str
    digest: str | None
    bundle: Bundle
    form: MergedForm
    applicant: Account
    consent: WindowAuthorisation | None
    values: dict[str, Any]
    uploads: dict[str, UploadedFile]
    licences: dict[str, Certificate]
    held: frozenset[str]


async def submit(principal: Principal, actor: Actor, calendar: WorkCalendar, request: BundleApplication, *,
                 consented: bool = False, offers: MutableMapping[str, BundleOnOffer] | None = None) -> Submission:
    """一次提交: check the whole merged form and the materials at once, then create the application and one
    task per item in one transaction, then announce it. Items without prerequisites start SUBMITTED, the others
    WAITING. The same key from the same account returns the first application; other data under it is a
    conflict. ``offers`` caches the catalog's part (bundle, channels, merged form) for as long as the catalog does
    not change. ``consented`` is for server code only (never a client's input): the applicant's consent to this
    submission was verified by the caller, as the hotel check-in does with the guest's scanned 鲁通码."""
    key, digest = check_key(request.idempotency_key), request.digest()
    if (existing := await _replay(principal, key, digest)) is not None:
        return Submission(existing)
    checked = await _check(principal, request, key, digest, consented=consented, offers=offers)
    try:
        submission, published = await _write(principal, actor, calendar, checked)
    except IntegrityError:
        # The same key raced in from a retry: the first one won; answer with it.
        existing = await _replay(principal, key, digest)
        if existing is None:
            raise
        return Submission(existing)
    await events.publish(published)
    return submission


async def _check(principal: Principal, request: BundleApplication, key: str, digest: str | None, *,
                 consented: bool, offers: MutableMapping[str, BundleOnOffer] | None) -> _Checked:
    """Every problem of the submission at once (``FormProblems``), or what it will be written from."""
    offer = (await bundle_on_offer(request.bundle_code, offers) if db.fits(Bundle, "code", request.bundle_code)
             else None)
    if offer is None:
        raise FormProblems([InvalidField("bundleCode", Code.UNKNOWN_BUNDLE, "没有这个“一件事”")])
    bundle, form, channel = offer.bundle, offer.form, request.channel
    applicant, consent = await _applicant(principal, request.applicant_id, bundle, channel, consented=consented)
    problems: list[InvalidField] = []
    if principal.terminal is not None and channel is not principal.terminal:
        problems.append(InvalidField("channel", ApplicationCode.DEVICE_CHANNEL, "此登录只能在本终端办理，渠道须为"
                                     + principal.terminal.value))
    elif channel not in offer.channels:
        problems.append(InvalidField("channel", ApplicationCode.CHANNEL_NOT_OFFERED, "该一件事不能在此终端办理，请到窗口或使用手机办理"))
    known = await prefill(applicant, form)
    form_values = request.form_values
    values = {k: v for k, (v, _) in known.values.items()}
    if isinstance(form_values, dict):
        values.update(form_values)
    try:
        checked = validate_form(field_rules(form), values if isinstance(form_values, dict) else form_values,
                                today=datetime.now(SHANGHAI).date())
    except FormProblems as invalid:
        problems += invalid.problems
        checked = {}
    # A licence about someone (a child's 出生医学证明) stands in only for that someone's material.
    held = {code: c for code, c in known.licences.items() if about_the_same_subject(c.data, values)}
    material_problems, uploads = await _materials(principal, applicant, form, held, request.materials)
    if not problems and not material_problems:
        problems = await _likely_duplicate(applicant, bundle, checked)
    if problems or material_problems:
        raise listed(problems + material_problems)
    return _Checked(request, key, digest, bundle, form, applicant, consent, checked, uploads, held, known.held)


async def _likely_duplicate(applicant: Account, bundle: Bundle, values: Mapping[str, Any]) -> list[InvalidField]:
    """An application of the same bundle by the same person about the same subject (the same child: name, birth
    date and mother) that was not turned down: the new one is refused before anything is written, naming the
    first, so a second newborn application for one child is never made by mistake."""
    keys = identity_keys(values)
    if len(keys) < 2:
        return []
    # Only the values of the person's earlier applications of the bundle: they may be many, the same subject's few.
    same = [earlier_id for earlier_id, earlier_values in await _EARLIER.values(applicant.id, bundle.id)
            if all(str(earlier_values.get(k, "")).strip() == str(values[k]).strip() for k in keys)]
    for earlier_id in same:
        earlier = await _APPLICATION.first(earlier_id)
        if earlier is not None and await _status(earlier) is not ApplicationStatus.REJECTED:
            field = next((k for k in keys if k.endswith(".name")), keys[0])
            return [InvalidField(field, ApplicationCode.LIKELY_DUPLICATE,
                                 f"您已于{earlier.created_at.astimezone(SHANGHAI):%Y年%m月%d日}提交过同一对象的申请"
                                 f"（受理编号 {earlier.number}），请在“我的办件”中查看进度，不要重复申请")]
    return []


async def _write(principal: Principal, actor: Actor, calendar: WorkCalendar, checked: _Checked
                 ) -> tuple[Submission, list[events.Event]]:
    """The application, its tasks, materials, first event and audit entry, in one transaction; then the tasks
    that start and carry an instant-approval rule are decided by it (秒批), in the same transaction."""
    now = datetime.now(timezone.utc)
    form = checked.form
    async with in_transaction():
        number = await references.allocate(ReferenceKind.APPLICATION, form.members[0].item.department.region_code,
                                           now)
        application = await db.insert(Application(
            number=number, bundle_id=checked.bundle.id, applicant_id=checked.applicant.id,
            submitted_by_id=principal.account_id,
            channel=checked.request.channel.value, form_values=checked.values, idempotency_key=checked.key,
            request_hash=checked.digest, event_seq=1))
        tasks = []
        for n, member in enumerate(form.members):
            starts = not member.prerequisites
            deadline, provisional = (promised_deadline(calendar, member.item.promised_days, now) if starts
                                     else (None, False))
            tasks.append(Task(application_id=application.id, item_id=member.item_id,
                              department_code=member.item.department.code,
                              prerequisites=list(member.prerequisites), sort=n,
                              status=TaskStatus.SUBMITTED if starts else TaskStatus.WAITING,
                              submitted_at=now if starts else None, deadline=deadline,
                              deadline_provisional=provisional))
        await db.insert_all(tasks, by="sort")
        attached = ([ApplicationMaterial(application_id=application.id, material_code=code,
                                         source=MaterialSource.UPLOAD, file_id=file.id)
                     for code, file in checked.uploads.items()]
                    + [ApplicationMaterial(application_id=application.id, material_code=code,
                                           source=MaterialSource.LICENCE, certificate_id=certificate.id)
                       for code, certificate in checked.licences.items() if code not in checked.uploads])
        if attached:
            await db.insert_all(attached, by="material_code")
        # Every task is SUBMITTED or WAITING: no need to read them back for the status.
        event = await _announce(application, SUBMITTED_EVENT, status=ApplicationStatus.IN_PROGRESS)
        detail: dict[str, Any] = {"bundle": checked.bundle.code}
        if checked.consent is not None:
            detail["onBehalf"] = _on_behalf(checked.consent)
        await record(SUBMITTED_EVENT, actor, subject_account_id=checked.applicant.id,
                     target=f"application:{application.id}", detail=detail)
        published = [event]
        ruled = [t for t, m in zip(tasks, form.members) if t.status is TaskStatus.SUBMITTED and instant_rule(m.item)]
        if ruled:
            items = {m.item_id: m.item for m in form.members}
            for task in ruled:
                task.item = items[task.item_id]
            facts = facts_of(checked.applicant, checked.held, checked.values, now)
            published += await _decide_by_rules(application, ruled, facts, calendar, now)
    if len(published) > 1:  # rules decided: the tasks' rows say what the answer must show
        return Submission(application, None, None, list(checked.licences.values()), form), published
    return Submission(application, tasks, attached, list(checked.licences.values()), form), published


def _text(value: str | None, field: str, label: str, *, required: bool) -> str:
    """A handler's reason, opinion or 补正 note: free text (``forms.written``), at most 500 characters."""
    text = written(field, label, value or "", max_length=MAX_REASON_LENGTH, multiline=True)
    if required and not text:
        raise FormProblems([InvalidField(field, Code.REQUIRED, f"请填写{label}")])
    return text


async def _supplement_request(task: Task, fields: Sequence[str], materials: Sequence[str],
                              message: str | None) -> dict[str, Any]:
    """补正: name the fields and materials to fix; they must belong to the bundle's form."""
    application = await Application.get(id=task.application_id).select_related("bundle")
    form = await merged_form(application.bundle)
    known_fields = {d.key for d, _ in form.fields}
    known_materials = {d.code for d, _ in form.materials}
    problems = [InvalidField("fields", ApplicationCode.UNKNOWN_FIELD, f"表单中没有 {f}" if echoable(f) else "表单中没有这一项")
                for f in fields if f not in known_fields]
    problems += [InvalidField("materials", ApplicationCode.UNKNOWN_MATERIAL,
                              f"材料中没有 {m}" if echoable(m) else "材料中没有这一项")
                 for m in materials if m not in known_materials]
    if not fields and not materials:
        problems.append(InvalidField("fields", Code.REQUIRED, "请指明需要补正的内容或材料"))
    if problems:
        raise listed(problems)
    return {"fields": list(dict.fromkeys(fields)), "materials": list(dict.fromkeys(materials)),
            "message": _text(message, "message", "补正说明", required=False)}


async def act_on_task(principal: Principal, actor: Actor, calendar: WorkCalendar, task_id: int, version: int,
                      action: TaskAction, *, note: str | None = None, fields: Sequence[str] = (),
                      materials: Sequence[str] = ()) -> Task:
    """A handler of the task's department moves it on. The version must be the current one: of two handlers
    acting at once, one succeeds and the other gets a conflict, never a lost update."""
    task = await Task.get_or_none(id=task_id)
    if task is None or not may_handle_department(principal, task.department_code):
        raise Missing(Code.NOT_FOUND, "未找到该事项")
    changes: dict[str, Any] = {}
    if action is TaskAction.REJECT:
        changes["note"] = _text(note, "reason", "不予办理的理由", required=True)
    elif action is TaskAction.APPROVE:
        changes["note"] = _text(note, "note", "办结意见", required=False)
    elif action is TaskAction.REQUEST_SUPPLEMENT:
        changes["supplement"] = await _supplement_request(task, fields, materials, note)
    allowed, target = TRANSITIONS[action]
    now = datetime.now(timezone.utc)
    if target in (TaskStatus.APPROVED, TaskStatus.REJECTED):
        changes["decided_at"], changes["decided_by"] = now, DecidedBy.PERSON
    published: list[events.Event] = []
    async with in_transaction():
        application = await Application.filter(id=task.application_id).select_for_update().get()
        updated = await Task.filter(id=task_id, version=version, status__in=allowed).update(
            status=target, version=version + 1, **changes)
        if not updated:
            current = await Task.get(id=task_id)
            if current.version != version:
                raise Conflicting(Code.STALE_VERSION,
                              f"该事项已被更新（当前版本 {current.version}），请刷新后再操作")
            raise Conflicting(Code.INVALID_TRANSITION,
                          f"该事项当前状态为“{STATUS_NAMES[current.status]}”，不能{ACTION_NAMES[action]}")
        task = await Task.get(id=task_id).select_related("item")
        published.append(await _announce(application, f"task.{target.value.lower()}", task))
        if target is TaskStatus.APPROVED:
            published += await _after_approval(application, task, calendar, now)
        await record(f"task.{action.value.lower()}", actor, subject_account_id=application.applicant_id,
                     target=f"task:{task.id}", detail={"version": task.version, **{
                         k: v for k, v in changes.items() if k in ("note", "supplement")}})
    await events.publish(published)
    return task


async def _after_approval(application: Application, task: Task, calendar: WorkCalendar, now: datetime,
                          facts: Facts | None = None) -> list[events.Event]:
    """办结: record the licences the item issues, then start every waiting task whose prerequisites are all
    approved, with what was issued attached (e.g. the 出生医学证明 for 出生登记); offer the applicant what the item
    makes them eligible for (免申即享); the started tasks with an instant-approval rule are decided by it."""
    if task.item.produces:
        await _issue_produced(application, task)
    issued = []
    applicant = await Account.get(id=application.applicant_id)
    types = {t.code: t for t in await CertificateType.filter(code__in=task.item.issues)}
    for type_code in task.item.issues:
        issued.append(await licences.issue(applicant.id, type_code, types[type_code].issuer_code,
                                           _licence_data(application.form_values, type_code), task.id))
    tasks = await Task.filter(application_id=application.id).select_related("item").order_by("sort")
    approved = {t.item.code for t in tasks if t.status is TaskStatus.APPROVED}
    announced = []
    started = []
    for waiting in tasks:
        if waiting.status is not TaskStatus.WAITING or not set(waiting.prerequisites) <= approved:
            continue
        deadline, provisional = promised_deadline(calendar, waiting.item.promised_days, now)
        await Task.filter(id=waiting.id, status=TaskStatus.WAITING).update(
            status=TaskStatus.SUBMITTED, version=waiting.version + 1, submitted_at=now, deadline=deadline,
            deadline_provisional=provisional)
        begun = await Task.get(id=waiting.id).select_related("item")
        announced.append(await _announce(application, "task.submitted", begun))
        started.append(begun)
    if issued:
        form = await merged_form(await Bundle.get(id=application.bundle_id))
        wanted = {d.certificate_type_code: d.code for d, _ in form.materials if d.certificate_type_code}
        await ApplicationMaterial.bulk_create([
            ApplicationMaterial(application_id=application.id, material_code=wanted[c.type_code],
                                source=MaterialSource.ISSUED, certificate_id=c.id)
            for c in issued if c.type_code in wanted])
    ruled = [t for t in started if instant_rule(t.item)]
    if task.item.offers or ruled:
        if facts is None or issued:  # what the approval issued counts from now on
            facts = facts_of(applicant, await licences.holdings(applicant.id), application.form_values, now)
        if task.item.offers:
            await make_offers(application, task.item, facts)
        announced += await _decide_by_rules(application, ruled, facts, calendar, now)
    return announced


async def _decide_by_rules(application: Application, tasks: Sequence[Task], facts: Facts, calendar: WorkCalendar,
                           now: datetime) -> list[events.Event]:
    """秒批: each started task whose item's rule holds for the facts is approved by the rule, with what follows an
    approval; a task whose rule does not hold stays with the department's handlers. Both are in the audit trail
    with the facts the rule read."""
    announced: list[events.Event] = []
    for task in tasks:
        found = instant_rule(task.item)
        if found is None:
            continue
        name, conditions = found
        outcome = evaluate(conditions, facts)
        await record_rule_outcome(task, application, name, outcome)
        if not outcome.passed:
            continue
        note = f"{name}：自动核验通过，无需人工审批"
        await Task.filter(id=task.id, status=TaskStatus.SUBMITTED).update(
            status=TaskStatus.APPROVED, version=task.version + 1, decided_at=now, decided_by=DecidedBy.RULE,
            rule=name[:100], note=note)
        task.status, task.version, task.decided_at = TaskStatus.APPROVED, task.version + 1, now
        task.decided_by, task.rule, task.note = DecidedBy.RULE, name[:100], note
        announced.append(await _announce(application, "task.approved", task))
        announced += await _after_approval(application, task, calendar, now, facts)
    return announced


SUBJECTS = ("child.", "deceased.", "enterprise.", "vehicle.", "property.", "disabled.", "retiree.", "household.")
# What tells one subject from another: its name, birth date and number; a child also by its mother.
IDENTITY = ("name", "birthDate", "idNumber", "creditCode", "plate")
RELATIVES = {"child.": ("mother.name", "mother.idNumber")}


def _licence_data(form_values: Mapping[str, Any], type_code: str) -> dict[str, Any]:
    """What an issued licence states: the form's values about its subject (the child, the deceased, the
    enterprise ...), so later forms can be prefilled from it."""
    return {k: v for k, v in form_values.items() if k.startswith(SUBJECTS)}


def identity_keys(keys: Iterable[str]) -> list[str]:
    """The keys among ``keys`` that tell its subjects apart (child.name, child.birthDate, mother.idNumber ...)."""
    present = set(keys)
    found = [k for k in present if k.startswith(SUBJECTS) and k.rsplit(".", 1)[1] in IDENTITY]
    for subject, relatives in RELATIVES.items():
        if any(k.startswith(subject) for k in found):
            found += [r for r in relatives if r in present]
    return sorted(set(found))


def about_the_same_subject(licence: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
    """Whether a licence that states a subject (a child's 出生医学证明) is about the subject of this form: every
    identifying value both state is the same. A licence about nobody in particular belongs to its holder."""
    shared = [k for k in identity_keys(licence) if k in values and values[k] not in (None, "")]
    return all(str(licence[k]).strip() == str(values[k]).strip() for k in shared)


async def _issue_produced(application: Application, task: Task) -> None:
    """What the item's approval issues into the form (``ServiceItem.produces``): an identity number (出生登记
    gives the child's) or a credit code (企业设立登记), in the registering department's region, written into the
    application's values, where the licences issued next and the items after it read it."""
    values = dict(application.form_values)
    region = task.department_code[:6]
    for key in task.item.produces:
        subject = key.rsplit(".", 1)[0]
        if key.endswith(".idNumber"):
            born = values.get(f"{subject}.birthDate")
            if not isinstance(born, str):
                continue  # nothing to issue it from: the handler's 补正 asks the birth date first
            day = date.fromisoformat(born)
            while True:
                order = await references.next_in_sequence(f"ID:{region}:{day:%Y%m%d}")
                number = numbers.issued_id_number(region, day, order, male=values.get(f"{subject}.gender") != "FEMALE")
                if not await Account.exists(id_number=number):
                    break
        elif key.endswith(".creditCode"):
            while True:
                number = numbers.issued_credit_code(region, await references.next_in_sequence(f"USCC:{region}"))
                if not await Account.exists(credit_code=number):
                    break
        else:
            continue
        values[key] = number
    if values != application.form_values:
        application.form_values = values
        await Application.filter(id=application.id).update(form_values=values)


async def supplement(principal: Principal, actor: Actor, calendar: WorkCalendar, application_id: int,
                     form_values: object, materials: Sequence[Mapping[str, str]], idempotency_key: str) -> Application:
    """补正: the applicant fixes what was asked; the tasks waiting for it go back to SUBMITTED with a new
    deadline counted from today."""
    key = check_key(idempotency_key)
    application = await Application.get_or_none(id=application_id).select_related("bundle")
    if application is None or not await may_act_for(principal, application.applicant_id,
                                                     bundle_code=application.bundle.code):
        raise Missing(Code.NOT_FOUND, "未找到该申请")
    digest = _digest({"values": form_values, "materials": list(materials)})
    previous = await Supplement.get_or_none(application_id=application.id, submitted_by_id=principal.account_id,
                                            idempotency_key=key)
    if previous is not None:
        if previous.request_hash != digest:
            raise Conflicting(Code.IDEMPOTENCY_KEY_REUSED, "该请求标识已用于另一次不同的补正")
        return application
    waiting = await Task.filter(application_id=application.id, status=TaskStatus.SUPPLEMENT_REQUIRED)
    if not waiting:
        raise Conflicting(ApplicationCode.NOTHING_TO_SUPPLEMENT, "该申请当前不需要补正")
    if not isinstance(form_values, dict):
        raise FormProblems([InvalidField("formValues", ApplicationCode.NOT_AN_OBJECT, "表单内容格式不正确")])
    form = await merged_form(application.bundle)
    applicant = await Account.get(id=application.applicant_id)
    asked_fields = {f for t in waiting for f in t.supplement.get("fields", [])}
    asked_materials = {m for t in waiting for m in t.supplement.get("materials", [])}
    problems = [InvalidField(k if echoable(k) else FORM_FIELD, ApplicationCode.NOT_REQUESTED, "补正只能修改被要求补正的内容")
                for k in form_values if k not in asked_fields]
    problems += [InvalidField(k, Code.REQUIRED, "请补正此项") for k in sorted(asked_fields) if k not in form_values]
    values = {**application.form_values, **form_values}
    try:
        checked = validate_form(field_rules(form), values, today=datetime.now(SHANGHAI).date())
    except FormProblems as invalid:
        problems += invalid.problems
        checked = {}
    held = (await prefill(applicant, form)).licences
    material_problems, uploads = await _materials(principal, applicant, form, held, materials)
    material_problems = [p for p in material_problems if p.code != ApplicationCode.MATERIAL_REQUIRED]
    material_problems += [InvalidField(f"materials.{m}", ApplicationCode.MATERIAL_REQUIRED, "请重新上传此材料")
                          for m in sorted(asked_materials) if m not in uploads]
    if problems or material_problems:
        raise listed(problems + material_problems)
    now = datetime.now(timezone.utc)
    published = []
    try:
        async with in_transaction():
            locked = await Application.filter(id=application.id).select_for_update().get()
            await Supplement.create(application_id=application.id, submitted_by_id=principal.account_id,
                                    idempotency_key=key, request_hash=digest, form_values=form_values)
            await Application.filter(id=application.id).update(form_values=checked)
            await ApplicationMaterial.bulk_create([
                ApplicationMaterial(application_id=application.id, material_code=code, source=MaterialSource.UPLOAD,
                                    file_id=file.id) for code, file in uploads.items()])
            for task in await Task.filter(application_id=application.id, status=TaskStatus.SUPPLEMENT_REQUIRED
                                          ).select_related("item"):
                deadline, provisional = promised_deadline(calendar, task.item.promised_days, now)
                await Task.filter(id=task.id, version=task.version).update(
                    status=TaskStatus.SUBMITTED, version=task.version + 1, submitted_at=now, deadline=deadline,
                    deadline_provisional=provisional, supplement={})
                published.append(await _announce(locked, "task.submitted", await Task.get(id=task.id)))
            await record("application.supplemented", actor, subject_account_id=application.applicant_id,
                         target=f"application:{application.id}", detail={"fields": sorted(form_values)})
    except IntegrityError:
        return application  # the same supplement raced in twice; the first one counted
    await events.publish(published)
    return await Application.get(id=application.id)


async def figures(first_day: date, last_day: date) -> dict[str, int | float]:
    """免证办 share: of the materials of the applications submitted in the period, those attached from e-licences
    or issued on the way, without an upload."""
    start, end = day_bounds_utc(first_day, last_day)
    in_period = Application.filter(created_at__gte=start, created_at__lt=end)
    ids = await in_period.values_list("id", flat=True)
    total = await ApplicationMaterial.filter(application_id__in=ids).count() if ids else 0
    free = await ApplicationMaterial.filter(application_id__in=ids, source__in=[
        MaterialSource.LICENCE, MaterialSource.ISSUED]).count() if ids else 0
    return {"applications": len(ids), "materials": total, "attached_without_upload": free,
            "certificate_free_share": round(free / total, 4) if total else 0.0}


async def single_item_bundle(item_code: object) -> str:
    """The bundle of one an item is applied for as on its own (单事项); an unknown item is a field error."""
    if not (isinstance(item_code, str) and db.fits(ServiceItem, "code", item_code)
            and await ServiceItem.exists(code=item_code)):
        raise FormProblems([InvalidField("itemCode", ApplicationCode.UNKNOWN_ITEM, "没有这个事项，请从事项目录中选择")])
    return single_item_code(item_code)


async def accept_offer(principal: Principal, actor: Actor, calendar: WorkCalendar, offer_id: int, channel: Terminal,
                       *, form_values: object = None, materials: tuple[MaterialChoice, ...] = (),
                       offers: MutableMapping[str, BundleOnOffer] | None = None) -> Submission:
    """免申即享, one tap: apply for the offered bundle with what the person's profile, licences and the application
    the offer came from already say. A form that still lacks something is a FormInvalid naming it (the client
    opens the form, prefilled with ``offer_values``, and accepts again with the person's ``form_values`` — merged
    over the offer's — and ``materials``); accepting again after it was accepted answers with the same
    application."""
    offer = await decisions.offer_of(principal.account_id, offer_id)
    if offer.status is OfferStatus.ACCEPTED and offer.accepted_application_id is not None:
        return Submission(await Application.get(id=offer.accepted_application_id))
    if offer.status is not OfferStatus.OPEN:
        await decisions.settle(offer, OfferStatus.ACCEPTED, datetime.now(timezone.utc))  # the conflict
    values: object = await offer_values(offer)
    if form_values is not None:  # anything but an object is refused by the form's check (NOT_AN_OBJECT)
        values = {**values, **form_values} if isinstance(form_values, dict) else form_values
    request = BundleApplication(bundle_code=offer.bundle.code, form_values=values,
                                materials=materials, channel=channel, idempotency_key=f"offer-{offer.id}")
    submission = await submit(principal, actor, calendar, request, offers=offers)
    await decisions.settle(offer, OfferStatus.ACCEPTED, datetime.now(timezone.utc), submission.application.id)
    return submission


async def offer_values(offer: Offer) -> dict[str, Any]:
    """The offered bundle's form values the offer's source application already gives."""
    form = await merged_form(offer.bundle)
    return await decisions.offered_values(offer, {d.key for d, _ in form.fields})


async def decline_offer(principal: Principal, offer_id: int) -> Offer:
    offer = await decisions.offer_of(principal.account_id, offer_id)
    return await decisions.settle(offer, OfferStatus.DECLINED, datetime.now(timezone.utc))
