"""The learning API under /api/v1/: providers, offers, cohorts, sessions, enrolments and evidence."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["learning"])
