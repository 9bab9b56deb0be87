"""Writing and verifying the audit chain."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bridge.audit.actions import Action, Outcome
from bridge.audit.models import GENESIS_HASH, AuditEvent
from bridge.core import context

# Any constant: the key of the PostgreSQL advisory lock that serializes appends to the chain.
_CHAIN_LOCK_KEY = 7_406_224_110


def _json_safe(detail: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so what we hash is exactly what the database will give back.
    return json.loads(json.dumps(detail or {}, sort_keys=True, default=str))


def audit_record(
    *,
    action: Action | str,
    actor=None,
    participant=None,
    object_type: str = "",
    object_id: str = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction when there is one.

    Call it from the service that makes the change, so the event commits or rolls back with it.
    """
    with transaction.atomic():
        seq, prev_hash = _chain_tail()
        event = _event(
            seq,
            prev_hash,
            action=action,
            actor=actor,
            participant=participant,
            object_type=object_type,
            object_id=object_id,
            outcome=outcome,
            detail=detail,
            actor_label=actor_label,
        )
        event.save(force_insert=True)
    return event


def audit_records(events: Iterable[dict[str, Any]]) -> list[AuditEvent]:
    """Append several events in one go, each given as the keyword arguments of `audit_record`: one
    lock, one read of the chain's tail, one bulk insert, for a service that writes many records at
    once (a month of charges). The chain is the same as appending them one by one."""
    with transaction.atomic():
        seq, prev_hash = _chain_tail()
        made: list[AuditEvent] = []
        for kwargs in events:
            event = _event(seq, prev_hash, **kwargs)
            made.append(event)
            seq, prev_hash = seq + 1, event.hash
        AuditEvent.objects.bulk_create(made, batch_size=500)
    return made


def _chain_tail() -> tuple[int, str]:
    """The next sequence number and the hash to chain from, inside the caller's transaction."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    # On SQLite every transaction begins IMMEDIATE (settings), which already serializes writers.
    last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    return (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)


def _event(
    seq: int,
    prev_hash: str,
    *,
    action: Action | str,
    actor=None,
    participant=None,
    object_type: str = "",
    object_id: str = "",
    outcome: Outcome | str = Outcome.SUCCESS,
    detail: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    if str(action) not in Action.__members__.values():
        raise ValueError(f"Unknown audit action {action!r}; add it to bridge.audit.actions.Action")
    ctx = context.current()
    user = actor if getattr(actor, "is_authenticated", False) else None
    # A participant acting in their own app is not a staff User: their actor object says who they are.
    label = (
        actor_label
        or getattr(actor, "audit_label", None)
        or (user.get_username() if user is not None else "anonymous" if actor is not None else "system")
    )
    event = AuditEvent(
        seq=seq,
        occurred_at=timezone.now(),
        actor=user,
        actor_label=label[:150],
        participant=participant,
        action=str(action),
        object_type=object_type[:60],
        object_id=str(object_id)[:80],
        outcome=str(outcome),
        request_id=ctx.request_id,
        client_ip=ctx.client_ip or "",
        channel=ctx.channel,
        detail=_json_safe(detail),
        prev_hash=prev_hash,
    )
    event.hash = event.compute_hash()
    return event


def audit_token_refused(*, token: str, label: str, object_type: str, view: str) -> AuditEvent:
    """A private link or feed token that does not work: recorded by its fingerprint, never itself."""
    from bridge.core.tokens import fingerprint

    return audit_record(
        action=Action.ACCESS_DENIED,
        actor_label=label,
        object_type=object_type,
        object_id=fingerprint(token),
        outcome=Outcome.DENIED,
        detail={"view": view},
    )


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    problem: str = ""
    event_id: int | None = None
    seq: int | None = None


def audit_verify(*, batch_size: int = 5000) -> ChainReport:
    """Walk the chain in insertion order and name the first event that was altered, removed or moved."""
    previous_seq = 0
    previous_hash = GENESIS_HASH
    checked = 0
    events = AuditEvent.objects.order_by("id").iterator(chunk_size=batch_size)
    for event in events:
        checked += 1
        if event.compute_hash() != event.hash:
            return ChainReport(
                False,
                checked,
                f"event id={event.id} seq={event.seq} was altered (its contents no longer match its hash)",
                event.id,
                event.seq,
            )
        if event.seq > previous_seq + 1:
            return ChainReport(
                False,
                checked,
                f"events removed before event id={event.id} seq={event.seq} "
                f"(expected seq {previous_seq + 1})",
                event.id,
                event.seq,
            )
        if event.seq <= previous_seq:
            return ChainReport(
                False,
                checked,
                f"event id={event.id} seq={event.seq} is out of order (follows seq {previous_seq})",
                event.id,
                event.seq,
            )
        if event.prev_hash != previous_hash:
            return ChainReport(
                False,
                checked,
                f"event id={event.id} seq={event.seq} does not link to the event "
                "before it (a row was removed, replaced or reordered)",
                event.id,
                event.seq,
            )
        previous_seq, previous_hash = event.seq, event.hash
    return ChainReport(True, checked)
