"""The rows of a resource type this caller may see: the one place the FHIR API applies access.

Participant data: the participants `visible` to a user token's staff member with the capability the
type needs, or, for a system token, those whose consent releases the type's data class to the
token's recipient for its purpose, or, for a patient token, the participant themself. A program's own
resources: the caller's programs (none for a patient token). Everything
else is filtered out before paging, so a denied row and a missing one are indistinguishable.
"""

from __future__ import annotations

from django.db.models import QuerySet

from bridge.fhir.auth import Principal
from bridge.fhir.registry import ResourceType, Source, source_data_class


def rows_for(principal: Principal, rtype: ResourceType, source: Source) -> QuerySet:
    if source.scoped_rows is not None:
        return source.queryset(principal)  # its own rule (the audit log's), applied by the source
    qs = source.queryset()
    if source.participant is None and principal.is_patient:
        return qs.none()  # a participant's app reads their own records, not the program's
    if source.participant is None:
        qs = qs.filter(**{f"{source.program}__in": principal.program_ids()})
        return source.restrict(qs, principal) if source.restrict is not None else qs
    data_class = source_data_class(rtype, source)
    assert data_class is not None
    qs = qs.filter(
        fhir_participant__in=principal.participant_filter(data_class, rtype.cap),
        fhir_program__in=principal.program_ids(),
    )
    if rtype.name == "Consent" and principal.is_system:
        # A client is shown the consents that release information to it, and no other.
        qs = qs.filter(pk__in=principal.consent_ids())
    return qs
