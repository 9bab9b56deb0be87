"""Drafts: what a staff member typed into a form and has not saved yet, kept on the server (issue 13).

A draft lets an idle sign-out, a closed tab or a crashed browser lose nothing. It is the author's own
unsaved typing, not a record: it is never signed, released, exported, charted or disclosed, and
only its author ever reads it back, into the same form on the same page.

Which pages keep drafts is written here once (DRAFT_PAGES). Saving or loading a draft asks the same
access helper the page asks, with the capability its form needs to save (the participant's, or the
group session's), so nobody keeps drafts on a page they may not write on; a page that is not listed,
or not theirs, is a 404 like every other "not yours".
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import Http404, HttpRequest
from django.urls import Resolver404, resolve
from django.utils import timezone

from bridge.accounts.models import Draft, User
from bridge.audit.actions import Action
from bridge.audit.services import audit_record

# The pages whose free text is kept as drafts, by URL name.
DRAFT_PAGES = frozenset(
    {
        "clinical:note",  # an individual note (DAP, SOAP, ...)
        "clinical:group",  # a group note: the shared part and every member's part
        "clinical:plan_version",  # a draft treatment plan: problem, goal, objective, intervention, sign
        "clinical:plan_review",  # a plan review that leaves the plan unchanged
        "aftercare:summary",  # a discharge summary
        "aftercare:plan_edit",  # the aftercare (relapse-prevention) plan
        "privacy:consent_create",  # a new consent
    }
)

# The app's longest text field takes 10,000 characters; a draft may hold a little more than one
# form's worth, and never more than this in all.
MAX_FIELDS = 200
MAX_FIELD_CHARS = 20_000
MAX_BYTES = 200_000


def draft_page_check(request: HttpRequest, page: str):
    """Return the participant the page is about (None for a group session), or raise 404/403.

    `page` is a path such as /participants/<id>/notes/<id>/; the check is the page's own.
    """
    from bridge.clinical.access import group_session_for
    from bridge.participants.access import Cap, participant_for

    try:
        match = resolve(page)
    except Resolver404:
        raise Http404("No page here keeps drafts.") from None
    if match.view_name not in DRAFT_PAGES:
        raise Http404("No page here keeps drafts.")
    if "participant_id" in match.kwargs:
        cap = getattr(match.func, "participant_post_cap", None) or Cap.DOCUMENT
        return participant_for(request, match.kwargs["participant_id"], cap=cap, object_type="draft")
    if "session_id" in match.kwargs:
        group_session_for(request, match.kwargs["session_id"])
        return None
    raise Http404("No page here keeps drafts.")


def draft_save(*, author: User, page: str, form_key: str, fields: dict[str, str], participant=None) -> Draft:
    """Keep what is typed in one form. The first save of a draft is audited (it holds chart text);
    the saves every few seconds after it are not, or the log would be mostly keystrokes."""
    with transaction.atomic():
        draft, created = Draft.objects.update_or_create(
            author=author,
            page=page,
            form_key=form_key,
            defaults={"fields": fields, "saved_at": timezone.now()},
        )
        if created:
            audit_record(
                action=Action.CREATE,
                actor=author,
                participant=participant,
                object_type="draft",
                object_id=str(draft.pk),
                detail={"page": page, "form": form_key},
            )
    return draft


def draft_restore(
    *, author: User, page: str, form_key: str, since: datetime | None, participant=None
) -> Draft | None:
    """The author's draft of one form, if it is newer than the record it would fill (`since`).

    An older draft is stale (the record was saved after it) and is deleted. Handing a draft back
    is audited as a read of it.
    """
    with transaction.atomic():
        draft = Draft.objects.filter(author=author, page=page, form_key=form_key).first()
        if draft is None:
            return None
        if since is not None and draft.saved_at <= since:
            draft.delete()
            return None
        audit_record(
            action=Action.READ,
            actor=author,
            participant=participant,
            object_type="draft",
            object_id=str(draft.pk),
            detail={"page": page, "form": form_key, "restored": True},
        )
    return draft


def draft_discard(*, author: User, page: str, form_key: str | None = None) -> int:
    """Forget the author's drafts on a page (one form's, or all): the form was saved, or the author
    chose to throw the draft away. The record (if any) holds what counts; nothing else to audit."""
    drafts = Draft.objects.filter(author=author, page=page)
    if form_key is not None:
        drafts = drafts.filter(form_key=form_key)
    deleted, _ = drafts.delete()
    return deleted


def drafts_purge(*, now: datetime | None = None, days: int | None = None) -> int:
    """Delete drafts nobody came back to: last typed into more than `days` (BRIDGE_DRAFT_DAYS) ago.

    A draft is unsaved typing, not a clinical record, so an abandoned one is not kept for ever (it
    holds chart text outside any record's access rules and retention). The purge is audited as one
    event with the count; what the drafts said is not copied anywhere.
    """
    days = settings.BRIDGE_DRAFT_DAYS if days is None else days
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        deleted, _ = Draft.objects.filter(saved_at__lt=cutoff).delete()
        if deleted:
            audit_record(
                action=Action.DRAFTS_PURGED,
                actor_label="draft purge",
                object_type="draft",
                detail={"deleted": deleted, "older_than_days": days},
            )
    return deleted
