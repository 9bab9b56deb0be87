"""Telling staff about work that cannot wait (safety escalations), by email and text message.

The same pluggable senders as session reminders: Django's email backend and BRIDGE_SMS_SENDER.
Each message is a StaffNotification row, created in the caller's transaction and sent once that
transaction commits (so a rolled-back escalation never sends anything). Messages carry no
participant name and nothing clinical — only that there is urgent work and where to find it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from bridge.notify.models import StaffAlertContact, StaffNotification
from bridge.notify.sms import sms_sender


def _channels(user) -> list[tuple[str, str]]:
    """(channel, address) pairs for `user`: their alert contact if set, else their email."""
    contact = StaffAlertContact.objects.filter(staff=user).first()
    wanted = contact.channel if contact else StaffAlertContact.Channel.EMAIL
    found: list[tuple[str, str]] = []
    if wanted in ("email", "both"):
        found.append(("email", user.email or ""))
    if wanted in ("sms", "both"):
        found.append(("sms", (contact.mobile_phone if contact else "") or ""))
    return found


def staff_notify(
    *, recipients: Iterable, subject: str, body: str, about_type: str = "", about_id: str = ""
) -> list[StaffNotification]:
    """Queue one message per recipient and channel; they go out when the transaction commits."""
    rows: list[StaffNotification] = []
    seen: set = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        for channel, address in _channels(user):
            row = StaffNotification.objects.create(
                recipient=user,
                channel=channel,
                subject=subject[:200],
                body=body,
                about_type=about_type,
                about_id=str(about_id),
                status=StaffNotification.Status.QUEUED if address else StaffNotification.Status.SKIPPED,
            )
            if address:
                rows.append(row)
                transaction.on_commit(functools.partial(_send, row.pk, address))
    return rows


def _send(pk, address: str) -> None:
    row = StaffNotification.objects.get(pk=pk)
    try:
        if row.channel == "email":
            send_mail(row.subject, row.body, settings.DEFAULT_FROM_EMAIL, [address])
        else:
            sms_sender().send(address, f"{row.subject}. {row.body}"[:320])
    except Exception as exc:  # a failed send is recorded, never lost silently
        StaffNotification.objects.filter(pk=pk).update(
            status=StaffNotification.Status.FAILED, error=str(exc)[:200]
        )
    else:
        StaffNotification.objects.filter(pk=pk).update(
            status=StaffNotification.Status.SENT, sent_at=timezone.now()
        )
