"""Application DataLoaders: one query per batch."""

from __future__ import annotations

from portal.applications.models import ApplicationMaterial, Task
from portal.catalog.loaders import by_key, children
from portal.catalog.models import Bundle, ServiceItem
from portal.identity.models import Account
from portal.lutong.models import Certificate


class ApplicationLoaders:
    def __init__(self) -> None:
        self.tasks = children(Task, "application_id")
        self.materials = children(ApplicationMaterial, "application_id", order="id")
        self.item = by_key(ServiceItem, "id")
        self.bundle = by_key(Bundle, "id")
        self.account = by_key(Account, "id")
        self.certificate = by_key(Certificate, "id")
