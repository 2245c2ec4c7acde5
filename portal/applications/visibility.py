"""Who sees an application, and how much of it: one rule for every path that reads one (``application(id)``,
``me.applications``, a task's application in a worklist or a mutation's answer, the check-in answer, the live
stream). No GraphQL here.

- The applicant, and whoever acts for them now (an enterprise's agents, a family member authorised for the
  bundle: ``policy.may_act_for``), see everything. A delegate whose authorisation was revoked no longer does,
  even for what they submitted.
- A handler of a department with a task in the application sees everything; the read is another person's data
  and goes into the applicant's access log, naming the department.
- A scene operator that filed the application with the holder's consent (the hotel desk of 酒店入住) sees what
  its scene allows (``scenes.yaml``: ``form`` fields and ``certificates``), masked, at check-in and whenever it
  reads it again; each read goes into the applicant's access log, naming the scene.
- A window clerk who submitted it for the person (窗口代办) sees everything while the person's consent by scan
  stands (``policy.window_consent``, 30 minutes), to check and print it; each read goes into the applicant's
  access log, naming the scene GOVERNMENT_SERVICE and the counter.
- Nobody else sees it: "not found".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

from tortoise.expressions import Q
from tortoise.queryset import QuerySet

from portal.applications.models import Application, ApplicationMaterial, MaterialSource, Task
from portal.audit.rules import Actor, read_entry, record_all
from portal.catalog.models import Bundle
from portal.identity import masking
from portal.identity.models import Account, AccountKind, EnterpriseAgent, FamilyAuthorisation, Role
from portal.identity.policy import has_role, may_act_for, may_handle_department, window_consent
from portal.identity.principal import Principal
from portal.lutong.models import Certificate
from portal.lutong.scenes import Scene, rule_of
from portal.problems import Code, Missing


class Reader(str, Enum):
    APPLICANT = "APPLICANT"  # the applicant or whoever acts for them now: everything
    HANDLER = "HANDLER"  # a handler of a department with a task in it: everything, each read logged
    SCENE_OPERATOR = "SCENE_OPERATOR"  # filed it with the holder's consent: what the scene allows, masked, logged
    WINDOW_CLERK = "WINDOW_CLERK"  # filed it at the window with the holder's standing consent: everything, logged


@dataclass(frozen=True)
class ApplicationView:
    """An application as one reader may see it."""

    application: Application
    reader: Reader
    department_code: str | None = None  # a handler's
    scene: Scene | None = None  # a scene operator's
    place: dict[str, str] | None = None  # a window clerk's hall and counter, as the consent names them

    @property
    def masked(self) -> bool:
        return self.reader is Reader.SCENE_OPERATOR

    @property
    def logged_scene(self) -> str | None:
        """The 鲁通码 scene a read is logged under: the scene operator's, or GOVERNMENT_SERVICE at the window."""
        if self.reader is Reader.WINDOW_CLERK:
            return Scene.GOVERNMENT_SERVICE.value
        return self.scene.value if self.scene else None


@dataclass(frozen=True)
class MaterialSeen:
    """An attached material as the reader sees it (a scene operator: only licences of its scene's types,
    numbers masked, no file)."""

    code: str
    source: MaterialSource
    file_id: str | None
    certificate_type: str | None
    certificate_number: str | None


async def _bundle_code(application: Application) -> str:
    return await Bundle.filter(id=application.bundle_id).first().values_list("code", flat=True)


async def view_of(principal: Principal | None, application: Application) -> ApplicationView | None:
    """How ``principal`` may see ``application`` (the rule of this module), or None; nothing is logged."""
    if principal is None:
        return None
    if principal.account_id == application.applicant_id or (
            principal.kind is AccountKind.CITIZEN  # only citizens act for others: no bundle to look up for the rest
            and await may_act_for(principal, application.applicant_id, bundle_code=await _bundle_code(application))):
        return ApplicationView(application, Reader.APPLICANT)
    department = principal.department_code
    if department and may_handle_department(principal, department) and await Task.exists(
            application_id=application.id, department_code=department):
        return ApplicationView(application, Reader.HANDLER, department_code=department)
    if application.submitted_by_id == principal.account_id and (
            consent := await window_consent(principal, application.applicant_id)) is not None:
        return ApplicationView(application, Reader.WINDOW_CLERK, place=consent.place())
    if has_role(principal, Role.SCENE_OPERATOR) and application.submitted_by_id == principal.account_id:
        scene = await Account.filter(id=principal.account_id, disabled=False).first().values_list("scene", flat=True)
        if scene in Scene.__members__:
            return ApplicationView(application, Reader.SCENE_OPERATOR, scene=Scene(scene))
    return None


async def views_of(principal: Principal | None, applications: Sequence[Application]
                   ) -> dict[int, ApplicationView | None]:
    """``view_of`` for several applications (a worklist), with the applicant's and the handler's views decided
    in one query at any length; the rarer readers (delegates, clerks, scene operators) one by one."""
    if principal is None:
        return {a.id: None for a in applications}
    handled: set[int] = set()
    department = principal.department_code
    others = [a.id for a in applications if a.applicant_id != principal.account_id]
    if department and others and may_handle_department(principal, department):
        handled = set(await Task.filter(application_id__in=others, department_code=department
                                        ).values_list("application_id", flat=True))
    views: dict[int, ApplicationView | None] = {}
    for application in applications:
        if application.applicant_id == principal.account_id:
            views[application.id] = ApplicationView(application, Reader.APPLICANT)
        elif application.id in handled and principal.kind is not AccountKind.CITIZEN:
            views[application.id] = ApplicationView(application, Reader.HANDLER, department_code=department)
        else:
            views[application.id] = await view_of(principal, application)
    return views


async def see_all(principal: Principal | None, actor: Actor, applications: Sequence[Application]
                  ) -> dict[int, ApplicationView | None]:
    """The views of applications already read (None: may not see it). Every read by staff is written to its
    applicant's access log here, whatever the path it came by, the reads of one call in one statement."""
    views = await views_of(principal, applications)
    await record_all([read_entry(actor, subject_account_id=view.application.applicant_id,
                                 target=f"application:{view.application.id}", department=view.department_code,
                                 scene=view.logged_scene, detail=view.place)
                      for view in views.values() if view is not None and view.reader is not Reader.APPLICANT])
    return views


async def see(principal: Principal | None, actor: Actor, application: Application) -> ApplicationView:
    """The view of an application already read; NOT_FOUND for anyone who may not see it (``see_all``)."""
    view = (await see_all(principal, actor, [application]))[application.id]
    if view is None:
        raise Missing(Code.NOT_FOUND, "未找到该申请")
    return view


async def visible(principal: Principal | None, actor: Actor, application_id: int) -> ApplicationView:
    """``see`` by id."""
    application = await Application.get_or_none(id=application_id)
    if application is None:
        raise Missing(Code.NOT_FOUND, "未找到该申请")
    return await see(principal, actor, application)


async def listed_for(principal: Principal) -> QuerySet[Application]:
    """me.applications: the viewer's own applications, and those they submitted for someone else that they may
    still see (``view_of``): for an enterprise they are an agent of, for a family member whose authorisation for
    that bundle stands, or as the scene operator that filed it."""
    mine = Q(applicant_id=principal.account_id)
    if has_role(principal, Role.SCENE_OPERATOR):
        mine |= Q(submitted_by_id=principal.account_id)
    elif principal.kind is AccountKind.CITIZEN:
        submitted = Q(submitted_by_id=principal.account_id)
        enterprises = await EnterpriseAgent.filter(agent_id=principal.account_id, revoked_at__isnull=True
                                                   ).values_list("enterprise_id", flat=True)
        if enterprises:
            mine |= submitted & Q(applicant_id__in=list(enterprises))
        for grantor, bundle_code in await FamilyAuthorisation.filter(
                grantee_id=principal.account_id, revoked_at__isnull=True).values_list("grantor_id", "bundle_code"):
            mine |= submitted & Q(applicant_id=grantor, bundle__code=bundle_code)
    return Application.filter(mine)


def form_values_seen(view: ApplicationView) -> dict[str, Any]:
    """The form as the reader sees it: whole, or for a scene operator only the fields its scene lists, each
    plain or masked as the scene says."""
    values = view.application.form_values
    if view.scene is None:
        return values
    shown = rule_of(view.scene).form
    return {key: masking.form_value(shown[key], value) for key, value in values.items() if key in shown}


def applicant_name_seen(view: ApplicationView, applicant: Account, *, masked_terminal: bool) -> str:
    """A person's name is masked on TV and kiosk screens, and always for a scene operator."""
    return masking.display_name(applicant, masked=masked_terminal or view.masked)


def materials_seen(view: ApplicationView, materials: list[ApplicationMaterial],
                   certificates: Mapping[int, Certificate]) -> list[MaterialSeen]:
    """The attached materials as the reader sees them: all of them, or for a scene operator the licences of
    the types its scene may see, numbers masked, and no uploaded file."""
    seen = []
    for material in materials:
        certificate = certificates.get(material.certificate_id) if material.certificate_id else None
        if view.scene is not None:
            if certificate is None or certificate.type_code not in rule_of(view.scene).certificates:
                continue
            seen.append(MaterialSeen(material.material_code, material.source, None, certificate.type_code,
                                     masking.licence_number(certificate.number)))
            continue
        seen.append(MaterialSeen(material.material_code, material.source,
                                 str(material.file_id) if material.file_id else None,
                                 certificate.type_code if certificate else None,
                                 certificate.number if certificate else None))
    return seen
