"""The subject categories of appeals (分类) as the GraphQL enum ``AppealCategory``, registered once: the appeals' API
and the knowledge base's (each answer has a category) both name it, and whichever is imported first must find it
registered rather than make a second one of the same name."""

from __future__ import annotations

import strawberry

from portal.appeals.models import AppealCategory

strawberry.enum(AppealCategory, description="分类.")

__all__ = ["AppealCategory"]
