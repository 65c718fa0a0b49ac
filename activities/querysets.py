"""Reusable reads of the activity log."""

from __future__ import annotations

from django.db import models


class ActivityQuerySet(models.QuerySet):
    def with_related(self) -> ActivityQuerySet:
        """Everything a list or detail of activities shows, in a fixed number of queries."""
        return self.select_related("programme", "created_by", "updated_by").prefetch_related(
            "goals__priority_issue", "objectives", "allies"
        )
