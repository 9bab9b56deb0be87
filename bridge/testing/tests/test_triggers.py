"""The triggers that keep audit events and clinical records survive the test database's flush."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from bridge.audit.actions import Action
from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_record
from bridge.testing.database import trigger_names

GUARDED = ["audit_auditevent", "clinical_note", "clinical_drugscreen", "aftercare_dischargesummary"]


@pytest.mark.django_db(transaction=True)
def test_the_flush_between_tests_empties_guarded_tables_and_keeps_their_triggers():
    from django.db import connection

    before = {table: trigger_names(connection, table) for table in GUARDED}
    assert all(before.values()), before
    audit_record(action=Action.LOGIN, actor=None)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    assert {table: trigger_names(connection, table) for table in GUARDED} == before
