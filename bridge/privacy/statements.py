"""The fixed statements every printed consent carries (42 CFR 2.31, 2024 rule). Pure Python.

These are Bridge's own plain-language wording of what the rule requires a consent to say; counsel
must approve the wording a program's participants sign. A consent stores the statements as they were
when it was signed (`Consent.statements`), so a later change of wording never rewrites history.
"""

from __future__ import annotations

STATEMENTS_VERSION = "2026-02"

RIGHT_TO_REVOKE = (
    "You may revoke (cancel) this consent at any time by telling the program in writing: sign the "
    "revocation form at the front desk, or send a signed letter or a message through your secure "
    "email to the program's privacy contact. Revocation takes effect as soon as the program receives "
    "it, except for anything the program or a recipient already did relying on this consent."
)

NO_CONDITIONING = (
    "Your treatment, payment, enrollment or eligibility for benefits does not depend on signing this "
    "consent, except where the law allows (for example research-related treatment)."
)

PROCEEDINGS = (
    "Records disclosed under this consent may not be used or disclosed in any civil, criminal, "
    "administrative or legislative proceeding against you without your specific written consent "
    "or a court order that meets 42 CFR part 2."
)

# 42 CFR 2.31(a)(4)(iii): required when a TPO consent lets covered entities and business associates
# receive the records.
TPO_REDISCLOSURE = (
    "A recipient that is a HIPAA covered entity or business associate and receives your records for "
    "treatment, payment or health care operations may further use and disclose them as the HIPAA "
    "rules allow, except for uses and disclosures in proceedings against you."
)

COUNSELING_NOTES = (
    "This consent covers only SUD counseling notes. They are kept apart from the rest of your record "
    "and no other consent releases them."
)


def statements_for(consent_type: str) -> list[str]:
    """The fixed statements for a consent of `consent_type`, in the order they are printed."""
    found = [RIGHT_TO_REVOKE, NO_CONDITIONING, PROCEEDINGS]
    if consent_type == "tpo":
        found.append(TPO_REDISCLOSURE)
    if consent_type == "counseling_notes":
        found.append(COUNSELING_NOTES)
    return found
