"""The audit log is a hash chain: verification passes, and any tampering is found and named."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from bridge.audit.actions import Action
from bridge.audit.models import AuditEvent
from bridge.audit.services import audit_record, audit_records, audit_verify
from bridge.core import context
from bridge.testing.database import triggers_off


@pytest.fixture
def chain(world):
    for i in range(6):
        audit_record(
            action=Action.READ,
            actor=world.director,
            participant=world.alex,
            object_type="participant",
            object_id=str(world.alex.pk),
            detail={"i": i},
        )
    return list(AuditEvent.objects.order_by("seq"))


def _raw(sql: str, params=()):
    """Tamper the way someone with database access would, bypassing the ORM and the trigger."""
    # The database's owner can switch the append-only trigger off; the chain must still tell.
    with triggers_off("audit_auditevent"), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_events_link_into_a_chain(chain):
    # The world's admissions are audited first (through the workflow), then the six reads.
    assert len(chain) >= 6
    assert [e.seq for e in chain] == list(range(1, len(chain) + 1))
    assert chain[0].prev_hash == "0" * 64
    for before, after in itertools.pairwise(chain):
        assert after.prev_hash == before.hash
    assert audit_verify().ok
    call_command("audit", "verify")


def test_a_batch_of_events_links_into_the_same_chain(chain, django_assert_max_num_queries):
    before = chain[-1]
    batch = [
        {
            "action": Action.READ,
            "participant": chain[0].participant,
            "object_type": "batch",
            "object_id": str(i),
        }
        for i in range(5)
    ]
    # One read of the chain's tail and one insert (with the savepoint around them, and PostgreSQL's
    # advisory lock), for five events.
    with django_assert_max_num_queries(4 + (connection.vendor == "postgresql")):
        made = audit_records(batch)
    assert [e.seq for e in made] == list(range(before.seq + 1, before.seq + 6))
    assert made[0].prev_hash == before.hash
    after = audit_record(action=Action.READ, object_type="after")
    assert after.prev_hash == made[-1].hash and after.seq == before.seq + 6
    assert audit_verify().ok
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_records([{"action": "nope"}])


def test_event_carries_who_what_when_where(world):
    token = context.activate(context.RequestContext("req-123456789", "203.0.113.9", "web"))
    try:
        event = audit_record(
            action=Action.UPDATE,
            actor=world.therapist_a,
            participant=world.alex,
            object_type="participant",
            object_id=str(world.alex.pk),
        )
    finally:
        context.deactivate(token)
    event.refresh_from_db()
    assert (
        event.actor,
        event.actor_label,
        event.participant,
        event.request_id,
        event.client_ip,
        event.outcome,
    ) == (world.therapist_a, "therapist_a", world.alex, "req-123456789", "203.0.113.9", "success")
    assert event.occurred_at.utcoffset() == timedelta(0)


def test_altered_row_is_named(chain):
    target = chain[3]
    _raw("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["someone_else", target.id])
    report = audit_verify()
    assert not report.ok and report.event_id == target.id and "altered" in report.problem
    with pytest.raises(CommandError, match=f"id={target.id} seq={target.seq} was altered"):
        call_command("audit", "verify")


def test_deleted_row_is_found(chain):
    removed = chain[2]
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [removed.id])
    report = audit_verify()
    assert not report.ok and report.seq == removed.seq + 1 and "removed" in report.problem
    with pytest.raises(CommandError, match="removed before"):
        call_command("audit", "verify")


def test_deleted_last_rows_then_rechained_tail_is_found(chain):
    # Removing a row and renumbering the rest (a careful attacker) still breaks the hash links.
    _raw("DELETE FROM audit_auditevent WHERE id = %s", [chain[1].id])
    # Row by row, lowest first: one UPDATE of them all can meet `seq`'s unique index mid-way on
    # PostgreSQL (it checks each row as written, in the table's physical order).
    for event in chain[2:]:
        _raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [event.seq - 1, event.id])
    report = audit_verify()
    assert not report.ok and report.event_id == chain[2].id


def test_swapped_rows_are_found(chain):
    a, b = chain[1], chain[4]
    _raw("UPDATE audit_auditevent SET seq = -1 WHERE id = %s", [a.id])
    _raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [a.seq, b.id])
    _raw("UPDATE audit_auditevent SET seq = %s WHERE id = %s", [b.seq, a.id])
    report = audit_verify()
    assert not report.ok and report.event_id == a.id
    with pytest.raises(CommandError):
        call_command("audit", "verify")


def test_unknown_action_is_a_programming_error(world):
    with pytest.raises(ValueError, match="Unknown audit action"):
        audit_record(action="teleport", actor=world.director)


def test_an_event_rolls_back_with_the_write_it_records(world):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(action=Action.UPDATE, actor=world.director, participant=world.alex)
        raise RuntimeError("the write failed")
    assert not AuditEvent.objects.filter(action="update").exists()
    assert audit_verify().ok


def test_the_database_rejects_update_and_delete_of_audit_rows(chain):
    for sql in (
        "UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(sql, [chain[0].id])
    assert audit_verify().ok
