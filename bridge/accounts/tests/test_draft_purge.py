"""Abandoned drafts are purged: the worker deletes unsaved form drafts older than BRIDGE_DRAFT_DAYS.

A draft is a clinician's unsaved typing (kept across an idle sign-out), not a clinical record, so one
nobody came back to is not kept for ever. Recent drafts stay; the purge is audited as a count.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from bridge.accounts.drafts import drafts_purge
from bridge.accounts.models import Draft
from bridge.accounts.tasks import purge_drafts
from bridge.audit.models import AuditEvent
from bridge.core import registry

pytestmark = pytest.mark.django_db(transaction=True)


def _draft(author, page: str, days_old: float) -> Draft:
    return Draft.objects.create(
        author=author,
        page=page,
        form_key="note",
        fields={"data": "Alex talked about the weekend."},
        saved_at=timezone.now() - timedelta(days=days_old),
    )


def test_the_purge_is_a_registered_daily_periodic_task():
    tasks = {t.name: t for t in registry.PERIODIC_TASKS}
    assert tasks["accounts.draft_purge"].every == timedelta(days=1)


def test_the_worker_deletes_drafts_older_than_the_setting_and_keeps_recent_ones(world, settings):
    settings.BRIDGE_DRAFT_DAYS = 30
    old = _draft(world.therapist_a, "/participants/a/notes/1/", 31)
    old_other = _draft(world.therapist_b, "/participants/b/notes/2/", 90)
    recent = _draft(world.therapist_a, "/participants/a/notes/3/", 29)
    fresh = _draft(world.nurse, "/participants/a/notes/4/", 0)

    call_command("worker", batch=True, verbosity=0)  # starts every periodic task, runs what is due

    assert set(Draft.objects.values_list("pk", flat=True)) == {recent.pk, fresh.pk}
    assert not Draft.objects.filter(pk__in=[old.pk, old_other.pk]).exists()
    event = AuditEvent.objects.get(action="drafts_purged")
    assert event.detail == {"deleted": 2, "older_than_days": 30}
    assert "Alex" not in str(event.detail)  # the count only, never what the drafts said
    assert DBTaskResult.objects.filter(task_path=purge_drafts.module_path, status="SUCCESSFUL").count() == 1
    # ... and the next run is queued for tomorrow.
    waiting = DBTaskResult.objects.get(task_path=purge_drafts.module_path, status="READY")
    assert waiting.run_after > timezone.now() + timedelta(hours=23)


def test_the_number_of_days_is_a_setting(world, settings):
    settings.BRIDGE_DRAFT_DAYS = 7
    _draft(world.therapist_a, "/participants/a/notes/1/", 8)
    kept = _draft(world.therapist_a, "/participants/a/notes/2/", 6)
    assert drafts_purge() == 1
    assert list(Draft.objects.values_list("pk", flat=True)) == [kept.pk]
    assert drafts_purge() == 0  # nothing left to purge: nothing audited either
    assert AuditEvent.objects.filter(action="drafts_purged").count() == 1
