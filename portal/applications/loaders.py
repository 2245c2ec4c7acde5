"""Application DataLoaders: one query per batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.applications.models import ApplicationMaterial, Task
from portal.catalog.models import Bundle, ServiceItem
from portal.identity.models import Account
from portal.loaders import by_key, children
from portal.lutong.models import Certificate

if TYPE_CHECKING:
    from portal.applications.rules import Submission


class ApplicationLoaders:
    def __init__(self) -> None:
        self.tasks = children(Task, "application_id")
        self.materials = children(ApplicationMaterial, "application_id", order="id")
        self.item = by_key(ServiceItem, "id")
        self.bundle = by_key(Bundle, "id")
        self.account = by_key(Account, "id")
        self.certificate = by_key(Certificate, "id")

    def remember(self, submission: Submission) -> None:
        """Prime the loaders with what a submission just created, so its answer reads nothing back."""
        application = submission.application
        if submission.tasks is not None:
            self.tasks.prime(application.id, sorted(submission.tasks, key=lambda t: t.sort))
        if submission.materials is not None:
            self.materials.prime(application.id, submission.materials)
        for certificate in submission.certificates or ():
            self.certificate.prime(certificate.id, certificate)
        if submission.form is not None:
            for member in submission.form.members:
                self.item.prime(member.item_id, member.item)
