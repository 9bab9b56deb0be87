"""Who is calling the FHIR API: a bearer token, and what it may see.

A `user/` token acts with exactly its staff member's access (participants/access.py: `visible` with
the capability the resource needs), so the API shows what the screens show. A `system/` token is an
outside client of its program: it sees a participant's data of a given kind only while a consent
permits releasing that kind to the token's recipient for the token's purpose (privacy/policy.py).
A `patient/` token belongs to an app a participant authorized (SMART App Launch, patient.py): it sees
that participant's own participant data and nothing else — every search is held to their compartment,
anyone else's record is "not here" — a right-of-access release, not a disclosure, recorded under the
app's name. All three rules run on every read, search and export; denied and missing look alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from bridge.audit.actions import Action, Outcome
from bridge.audit.services import audit_record
from bridge.fhir import scopes as scope_rules
from bridge.fhir.models import ApiToken
from bridge.fhir.outcome import FhirError
from bridge.fhir.services import token_find, token_touch
from bridge.participants.access import Cap, visible
from bridge.participants.models import Participant
from bridge.privacy.vocab import DataClass


@dataclass
class Principal:
    token: ApiToken
    scopes: list[scope_rules.Scope]
    _consents: dict[str, dict[str, str]] = field(default_factory=dict)
    _visible: dict[tuple[str, str], set] = field(default_factory=dict)
    _summaries: dict[str, str] = field(default_factory=dict)

    def consent_summary(self, consent_id: str) -> str:
        """42 CFR 2.32(b): the summary of the consent a release relies on (once per request)."""
        if consent_id not in self._summaries:
            from bridge.privacy.models import Consent
            from bridge.privacy.packages import consent_summary

            consent = Consent.objects.prefetch_related("recipients").get(pk=consent_id)
            self._summaries[consent_id] = "The consent this release relies on: " + consent_summary(consent)
        return self._summaries[consent_id]

    @property
    def is_system(self) -> bool:
        return self.token.kind == ApiToken.Kind.SYSTEM

    @property
    def is_patient(self) -> bool:
        return self.token.kind == ApiToken.Kind.PATIENT

    @property
    def user(self):
        return self.token.user

    def app_client_id(self) -> str:
        grant = self.token.patient_grant
        return grant.app.client_id if grant is not None else ""

    def audit_actor(self) -> dict[str, Any]:
        if self.is_patient:
            # The app reading for the participant: its identity on every event (right of access).
            return {"actor": None, "actor_label": f"patient app:{self.app_client_id()}"[:100]}
        if self.is_system:
            return {"actor": None, "actor_label": f"token:{self.token.prefix}"}
        return {"actor": self.token.user}

    def program_ids(self) -> set:
        # The api_token_kind_fields constraint: a patient token has its participant, a system token
        # its program, a user token its staff member.
        token = self.token
        if self.is_patient:
            assert token.participant is not None
            return {token.participant.program_id}
        if self.is_system:
            return {token.program_id}
        assert token.user is not None
        return token.user.program_ids()

    def require(self, resource: str, *, search: bool) -> None:
        if self.is_patient and resource not in patient_types():
            raise FhirError(403, f"An app a participant authorized reads their own records, not {resource}.")
        if not scope_rules.allows(self.scopes, resource, search=search):
            raise FhirError(403, f"This token's scopes ({self.token.scopes}) do not cover {resource}.")

    def consents_for(self, data_class: str) -> dict[str, str]:
        """System tokens: {participant id: consent id} for those whose consent releases `data_class`."""
        from bridge.privacy.policy import permitted_participants

        if data_class not in self._consents:
            program, recipient = self.token.program, self.token.recipient
            # A system token has both (the api_token_kind_fields constraint).
            assert program is not None and recipient is not None
            self._consents[data_class] = permitted_participants(
                recipient=recipient,
                purpose=self.token.purpose,
                data_class=data_class,
                program_id=program.pk,
                on=timezone.localdate(timezone=program.tz),
            )
        return self._consents[data_class]

    def participant_ids(self, data_class: str, cap: Cap) -> set:
        """The ids `participant_filter` stands for, as a set, kept for the request (Groups ask per row)."""
        key = (data_class, str(cap))
        if key not in self._visible:
            if self.is_patient:
                self._visible[key] = set(self._own(data_class))
            elif self.is_system:
                self._visible[key] = set(self.consents_for(data_class))
            else:
                qs = visible(Participant.objects.all(), self.token.user, cap)
                self._visible[key] = {str(pk) for pk in qs.values_list("pk", flat=True)}
        return self._visible[key]

    def consent_ids(self) -> set[str]:
        """System tokens: the consents that release some kind of information to this client today."""
        from bridge.privacy.vocab import GENERAL_CLASSES

        return {cid for dc in GENERAL_CLASSES for cid in self.consents_for(dc).values()}

    def participant_filter(self, data_class: str, cap: Cap):
        """For `participant_id__in`: the participants whose data of this kind this caller may see."""
        if self.is_patient:
            return self._own(data_class)
        if self.is_system:
            return list(self.consents_for(data_class))
        return visible(Participant.objects.all(), self.token.user, cap).values("pk")

    def _own(self, data_class: str) -> list[str]:
        """A patient token: the participant themself, for the classes released to them."""
        if data_class not in PATIENT_RELEASED_CLASSES:
            return []
        return [str(self.token.participant_id)]


def patient_types() -> list[str]:
    from bridge.fhir.patient import patient_types as types

    return types()


# What a participant's own app may receive: every class the API offers, save counseling notes (which
# the API never offers; named here too so that offering them later cannot release them by accident).
PATIENT_RELEASED_CLASSES = frozenset(DataClass.values) - {DataClass.COUNSELING_NOTES}


def _deny(reason: str, token: ApiToken | None = None) -> FhirError:
    audit_record(
        action=Action.ACCESS_DENIED,
        actor=None,
        actor_label=f"token:{token.prefix}" if token else "anonymous",
        object_type="api_token",
        object_id=str(token.pk) if token else "",
        outcome=Outcome.DENIED,
        detail={"reason": reason},
    )
    return FhirError(401, "Send a valid, unrevoked API token: Authorization: Bearer <token>.")


def authenticate(request: HttpRequest) -> Principal:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise FhirError(401, "Send an API token: Authorization: Bearer <token>.")
    token, refusal = token_find(secret)
    if token is None or refusal:
        raise _deny(refusal, token)
    token_touch(token=token)
    return Principal(token, scope_rules.parse(token.scopes))
