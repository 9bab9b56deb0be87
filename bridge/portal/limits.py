"""The app's limits, written once for every service of the participant's app (bridge/portal/services.py,
messaging.py, passkeys.py):

  * `within_limit`: how many of one thing an account may do in a window (codes an hour, messages an
    hour, "let my peer know" a day); a refusal is audited as a denied attempt with its reason;
  * `sign_in_failed` / `sign_in_succeeded`: the one lockout of an account, shared by one-time codes
    and passkeys, as staff sign-in locks (settings.AXES_FAILURE_LIMIT failures in a row lock it for
    settings.AXES_COOLOFF_TIME; a success starts the count again). Callers hold the account's row
    lock (`select_for_update`) in their transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.portal.models import ParticipantAccount


def within_limit(
    queryset: QuerySet,
    *,
    field: str,
    window: timedelta,
    limit: int,
    now: datetime,
    action: Action,
    participant,
    object_type: str,
    object_id: str = "",
    actor: Any = None,
    actor_label: str | None = None,
    reason: str,
) -> bool:
    """Whether fewer than `limit` rows of `queryset` fall in the last `window`; if not, the refused
    attempt is audited (`reason`, e.g. "hourly limit")."""
    if queryset.filter(**{f"{field}__gt": now - window}).count() < limit:
        return True
    audit_record(
        action=action,
        actor=actor,
        actor_label=actor_label,
        participant=participant,
        object_type=object_type,
        object_id=object_id,
        outcome=Outcome.DENIED,
        detail={"reason": reason},
    )
    return False


def lock_minutes() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def _audit_fields(account: ParticipantAccount) -> dict[str, Any]:
    return {
        "actor_label": "participant app",
        "participant": account.participant,
        "object_type": "portal_account",
        "object_id": str(account.pk),
        "outcome": Outcome.DENIED,
    }


def sign_in_refused_locked(*, account: ParticipantAccount, method: str) -> None:
    """A sign-in tried while the account is locked: audited, not counted."""
    audit_record(action=Action.LOGIN_LOCKED, detail={"with": method}, **_audit_fields(account))


def sign_in_failed(
    *, account: ParticipantAccount, method: str, reason: str, now: datetime | None = None
) -> bool:
    """Count one failed sign-in (a wrong code, a passkey that did not verify) against the account,
    locking it at the limit. Returns whether this failure locked it."""
    now = now or timezone.now()
    account.failed_codes += 1
    locked = account.failed_codes >= settings.AXES_FAILURE_LIMIT
    if locked:
        account.locked_until, account.failed_codes = now + settings.AXES_COOLOFF_TIME, 0
    account.save(update_fields=["failed_codes", "locked_until"])
    audit_record(
        action=Action.LOGIN_LOCKED if locked else Action.LOGIN_FAILED,
        detail={"reason": reason, "with": method},
        **_audit_fields(account),
    )
    return locked


def sign_in_succeeded(*, account: ParticipantAccount, actor: Any, detail: dict[str, Any]) -> None:
    """A sign-in that worked: the failure count starts again; audited as a login."""
    account.failed_codes, account.locked_until, account.last_sign_in_at = 0, None, timezone.now()
    account.save(update_fields=["failed_codes", "locked_until", "last_sign_in_at"])
    audit_record(
        action=Action.LOGIN,
        actor=actor,
        participant=account.participant,
        object_type="portal_account",
        object_id=str(account.pk),
        detail=detail,
    )
