"""Restriction requests (42 CFR 2.26, 45 CFR 164.522(a)): recorded, decided by the director, enforced
by the policy decision point (policy.py), ended in writing. Every write is atomic and audited."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.privacy.models import Recipient, Restriction
from bridge.privacy.vocab import DataClass, Purpose, RecipientKind
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open, work_item_resolve

DECISION_DAYS = 30  # Bridge's target for a decision; the rule sets none, a compliance officer would
SELF_PAY_PURPOSES = frozenset({Purpose.PAYMENT, Purpose.OPERATIONS})


def _directors(program) -> list[User]:
    return list(
        User.objects.filter(is_active=True, roles__program=program, roles__role=Role.DIRECTOR).distinct()
    )


def restriction_request(
    *,
    actor: User,
    participant: Participant,
    requested_on: date,
    request_text: str,
    recipient: Recipient | None = None,
    recipient_kind: str = "",
    purposes: list[str] | None = None,
    data_classes: list[str] | None = None,
    self_paid: bool = False,
) -> Restriction:
    """Record a participant's request. A request not to tell the health plan about care paid out of
    pocket in full (for payment or operations) must be agreed, and is agreed at once (164.522(a)(1)(vi));
    any other request goes to the director's work list for a decision."""
    today = timezone.localdate(timezone=participant.program.tz)
    problems = {}
    if not request_text.strip():
        problems["request_text"] = "Write down what the participant asked for."
    if recipient is None and not recipient_kind:
        problems["recipient"] = "Name the recipient, or the kind of recipient, the restriction is about."
    if recipient is not None and recipient.program_id != participant.program_id:
        problems["recipient"] = "Choose a recipient of this participant's program."
    if recipient_kind and recipient_kind not in RecipientKind.values:
        problems["recipient_kind"] = "Choose a kind of recipient."
    if requested_on > today:
        problems["requested_on"] = "The date cannot be in the future."
    if set(purposes or []) - set(Purpose.values) or set(data_classes or []) - set(DataClass.values):
        problems["purposes"] = "Unknown purpose or kind of information."
    if problems:
        raise ValidationError(problems)
    must_agree = (
        self_paid
        and (
            recipient_kind == RecipientKind.HEALTH_PLAN
            or (recipient and recipient.kind == RecipientKind.HEALTH_PLAN)
        )
        and bool(purposes)
        and set(cast(list[str], purposes)) <= SELF_PAY_PURPOSES  # not None: bool(purposes) above
    )
    with transaction.atomic():
        restriction = Restriction(
            participant=participant,
            program=participant.program,
            requested_on=requested_on,
            request_text=request_text.strip(),
            recipient=recipient,
            recipient_kind=recipient_kind if recipient is None else "",
            purposes=[p for p in Purpose.values if p in set(purposes or [])],
            data_classes=[c for c in DataClass.values if c in set(data_classes or [])],
            self_paid=self_paid,
            recorded_by=actor,
        )
        if must_agree:
            restriction.status = Restriction.Status.AGREED
            restriction.decided_on = today
            restriction.decided_by = actor
            restriction.decision_note = (
                "Agreed as the law requires: care paid out of pocket in full is not disclosed to the "
                "health plan for payment or operations (45 CFR 164.522(a)(1)(vi))."
            )
        restriction.full_clean()
        restriction.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="restriction",
            object_id=str(restriction.pk),
            detail={"status": restriction.status, "self_paid": self_paid},
        )
        if not must_agree:
            for director in _directors(participant.program):
                work_item_open(
                    participant=participant,
                    assigned_to=director,
                    kind="restriction_decision",
                    title="Decide a restriction request",
                    detail=f"Requested on {requested_on.isoformat()}: {restriction.scope_label}.",
                    due_on=requested_on + timedelta(days=DECISION_DAYS),
                    source_type="restriction",
                    source_id=f"{restriction.pk}/{director.pk}",
                )
    return restriction


def restriction_decide(*, actor: User, restriction: Restriction, agree: bool, note: str = "") -> Restriction:
    if restriction.status != Restriction.Status.REQUESTED:
        raise ValidationError({"__all__": "This request has already been decided."})
    if not agree and not note.strip():
        raise ValidationError({"note": "Say why the program does not agree (the participant is told)."})
    with transaction.atomic():
        restriction.status = Restriction.Status.AGREED if agree else Restriction.Status.DENIED
        restriction.decided_on = timezone.localdate(timezone=restriction.program.tz)
        restriction.decided_by = actor
        restriction.decision_note = note.strip()
        restriction.full_clean()
        restriction.save(update_fields=["status", "decided_on", "decided_by", "decision_note"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=restriction.participant,
            object_type="restriction",
            object_id=str(restriction.pk),
            detail={"status": restriction.status},
        )
        for item in WorkItem.objects.filter(
            kind="restriction_decision",
            source_type="restriction",
            source_id__startswith=f"{restriction.pk}/",
            status=WorkItem.Status.OPEN,
        ):
            work_item_resolve(
                actor=actor, item=item, resolution=f"Decided: {restriction.get_status_display()}."
            )
    return restriction


def restriction_end(*, actor: User, restriction: Restriction, note: str) -> Restriction:
    """End an agreed restriction (the participant asked, in writing, or agreed to end it)."""
    if restriction.status != Restriction.Status.AGREED:
        raise ValidationError({"__all__": "Only an agreed restriction can be ended."})
    if not note.strip():
        raise ValidationError({"note": "Say how the participant asked or agreed to end it."})
    with transaction.atomic():
        restriction.status = Restriction.Status.TERMINATED
        restriction.ended_on = timezone.localdate(timezone=restriction.program.tz)
        restriction.decision_note = f"{restriction.decision_note}\nEnded: {note.strip()}".strip()
        restriction.save(update_fields=["status", "ended_on", "decision_note"])
        audit_record(
            action=Action.UPDATE,
            actor=actor,
            participant=restriction.participant,
            object_type="restriction",
            object_id=str(restriction.pk),
            detail={"status": restriction.status},
        )
    return restriction
