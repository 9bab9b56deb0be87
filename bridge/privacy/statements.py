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

# 42 CFR 2.35: the participant was referred as a condition of a criminal justice disposition, so the
# "no conditioning" statement would not be true; this says what is.
CRIMINAL_JUSTICE = (
    "You were referred to treatment by the criminal justice agency named above as a condition of your "
    "case. This consent lets the program tell that agency about your attendance and progress for the "
    "period shown. Under 42 CFR 2.35 you cannot revoke it until the event named above happens (for "
    "example the final disposition of your probation); after that you may revoke it in writing. The "
    "agency may use the information only to carry out its official duties about your case."
)

CRIMINAL_JUSTICE_REVOKE = (
    "You may revoke this consent in writing once the event named above has happened; until then it "
    "cannot be revoked (42 CFR 2.35(c))."
)

PROCEEDINGS_ONLY = (
    "This consent lets the records named above be used or disclosed only in the legal proceeding named "
    "above, and for no other purpose."
)

# A TPO consent the program requires at admission: treatment does depend on it, so the signer is told so.
TPO_REQUIRED = (
    "This program asks for this consent at admission so that it can treat you, bill for your care and "
    "run the program. Signing it is a condition of treatment here; you may still revoke it in writing "
    "at any time, and the program will then stop using it from that point on."
)

COUNSELING_NOTES = (
    "This consent covers only SUD counseling notes. They are kept apart from the rest of your record "
    "and no other consent releases them."
)


def statements_for(consent_type: str, *, required_at_admission: bool = False) -> list[str]:
    """The fixed statements for a consent of `consent_type`, in the order they are printed.

    "No conditioning" is printed only where it is true: not on a criminal-justice consent (treatment
    was a condition of the case) and not on a TPO consent the program requires at admission.
    """
    if consent_type == "criminal_justice":
        return [CRIMINAL_JUSTICE_REVOKE, CRIMINAL_JUSTICE, PROCEEDINGS]
    if consent_type == "proceedings":
        return [RIGHT_TO_REVOKE, NO_CONDITIONING, PROCEEDINGS_ONLY]
    conditioning = TPO_REQUIRED if consent_type == "tpo" and required_at_admission else NO_CONDITIONING
    found = [RIGHT_TO_REVOKE, conditioning, PROCEEDINGS]
    if consent_type == "tpo":
        found.append(TPO_REDISCLOSURE)
    if consent_type == "counseling_notes":
        found.append(COUNSELING_NOTES)
    return found
