"""The participant's right of access (42 CFR 2.23; 45 CFR 164.524): record the request (a 30-day clock
on the director's work list), produce the copy from the record through the policy decision point
(PDF and FHIR Bundle from the same providers as a disclosure), record its delivery. Audited."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridge.accounts.models import Role, User
from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.participants.models import Participant
from bridge.privacy import packages, policy
from bridge.privacy.models import AccessRequest
from bridge.privacy.vocab import GENERAL_CLASSES, Channel, DataClass, Purpose
from bridge.worklist.models import WorkItem
from bridge.worklist.services import work_item_open, work_item_resolve

DAYS = 30  # 45 CFR 164.524(b)(2): act on a request within 30 days


def access_request_record(
    *,
    actor: object,
    participant: Participant,
    requested_on: date,
    request_text: str,
    data_classes: list[str],
    date_from: date,
    date_to: date,
) -> AccessRequest:
    today = timezone.localdate(timezone=participant.program.tz)
    problems = {}
    if requested_on > today:
        problems["requested_on"] = "The date cannot be in the future."
    if not request_text.strip():
        problems["request_text"] = "Write down what the participant asked for."
    if not data_classes or set(data_classes) - set(GENERAL_CLASSES):
        problems["data_classes"] = (
            "Choose the information to copy (counseling notes are not part of the copy)."
        )
    if date_to < date_from:
        problems["date_to"] = "The end of the period is before its start."
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        request = AccessRequest(
            participant=participant,
            program=participant.program,
            requested_on=requested_on,
            due_on=requested_on + timedelta(days=DAYS),
            request_text=request_text.strip(),
            data_classes=[c for c in DataClass.values if c in set(data_classes)],
            date_from=date_from,
            date_to=date_to,
            # The participant asking in their own app is not a staff User.
            recorded_by=actor if isinstance(actor, User) else None,
            requested_in_app=not isinstance(actor, User),
        )
        request.full_clean()
        request.save()
        audit_record(
            action=Action.CREATE,
            actor=actor,
            participant=participant,
            object_type="access_request",
            object_id=str(request.pk),
            detail={"due_on": request.due_on},
        )
        directors = User.objects.filter(
            is_active=True, roles__program=participant.program, roles__role=Role.DIRECTOR
        ).distinct()
        for director in directors:
            work_item_open(
                participant=participant,
                assigned_to=director,
                kind="access_request",
                title="A participant asked for a copy of their records",
                detail=f"Requested on {requested_on.isoformat()}; due by {request.due_on.isoformat()}.",
                due_on=request.due_on,
                source_type="access_request",
                source_id=f"{request.pk}/{director.pk}",
            )
    return request


def access_request_produce(*, actor: User, request: AccessRequest) -> AccessRequest:
    """Produce the copy from the record; the decision point is asked (the participant's own access)."""
    if request.status != AccessRequest.Status.OPEN:
        raise ValidationError({"__all__": "The copy has already been produced."})
    participant = request.participant
    with transaction.atomic():
        decision = policy.decide(
            actor=actor,
            participant=participant,
            recipient=None,
            purpose=Purpose.PARTICIPANT_REQUEST,
            data_classes=request.data_classes,
            channel=Channel.HAND_DELIVERY,
            object_type="access_request",
            object_id=str(request.pk),
        )
        if not decision.permit:
            raise ValidationError({"__all__": decision.message})
        now = timezone.now()
        package, refs = packages.build_package(
            disclosure_id=uuid.uuid5(uuid.NAMESPACE_URL, f"access-request:{request.pk}"),
            participant=participant,
            consent=None,
            recipient=None,
            purpose=Purpose.PARTICIPANT_REQUEST,
            data_classes=decision.data_classes,
            date_from=request.date_from,
            date_to=request.date_to,
            created_at=now,
            basis=packages.PARTICIPANT_COPY,
        )
        request.package = package
        request.produced_at = now
        request.status = AccessRequest.Status.PRODUCED
        request.full_clean()
        request.save(update_fields=["package", "produced_at", "status"])
        audit_record(
            action=Action.EXPORT,
            actor=actor,
            participant=participant,
            object_type="access_request",
            object_id=str(request.pk),
            outcome=Outcome.SUCCESS,
            detail={"to": "participant", "records": len(refs), "data_classes": request.data_classes},
        )
    return request


def access_request_deliver(
    *, actor: User, request: AccessRequest, delivered_on: date, how: str
) -> AccessRequest:
    if request.status != AccessRequest.Status.PRODUCED:
        raise ValidationError({"__all__": "Produce the copy first."})
    if how not in Channel.values:
        raise ValidationError({"how": "Say how the copy was delivered."})
    if delivered_on > timezone.localdate(timezone=request.program.tz) or delivered_on < request.requested_on:
        raise ValidationError({"delivered_on": "Give the day the participant received it."})
    with transaction.atomic():
        request.status = AccessRequest.Status.DELIVERED
        request.delivered_on = delivered_on
        request.delivered_how = how
        request.full_clean()
        request.save(update_fields=["status", "delivered_on", "delivered_how"])
        audit_record(
            action=Action.DISCLOSE,
            actor=actor,
            participant=request.participant,
            object_type="access_request",
            object_id=str(request.pk),
            detail={"to": "participant", "how": how, "delivered_on": delivered_on},
        )
        for item in WorkItem.objects.filter(
            kind="access_request",
            source_type="access_request",
            source_id__startswith=f"{request.pk}/",
            status=WorkItem.Status.OPEN,
        ):
            work_item_resolve(
                actor=actor, item=item, resolution=f"Copy delivered on {delivered_on.isoformat()}."
            )
    return request


def access_request_delivered_in_app(*, actor, request: AccessRequest) -> AccessRequest:
    """The participant downloaded the produced copy in their own app (bridge/portal): that is its
    delivery, on the day of the first download, and the director's 30-day clock item closes.
    A later download changes nothing here (each is audited by the app)."""
    with transaction.atomic():
        request = (
            AccessRequest.objects.select_for_update()
            .select_related("program", "participant")
            .get(pk=request.pk)
        )
        if request.status != AccessRequest.Status.PRODUCED:
            return request
        request.status = AccessRequest.Status.DELIVERED
        request.delivered_on = timezone.localdate(timezone=request.program.tz)
        request.delivered_how = AccessRequest.DELIVERED_IN_APP
        request.full_clean()
        request.save(update_fields=["status", "delivered_on", "delivered_how"])
        audit_record(
            action=Action.DISCLOSE,
            actor=actor,
            participant=request.participant,
            object_type="access_request",
            object_id=str(request.pk),
            detail={
                "to": "participant",
                "how": AccessRequest.DELIVERED_IN_APP,
                "delivered_on": request.delivered_on,
            },
        )
        for item in WorkItem.objects.filter(
            kind="access_request",
            source_type="access_request",
            source_id__startswith=f"{request.pk}/",
            status=WorkItem.Status.OPEN,
        ):
            work_item_resolve(
                actor=actor,
                item=item,
                resolution=f"Copy downloaded by the participant in their app on {request.delivered_on}.",
            )
    return request
