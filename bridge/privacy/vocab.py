"""The privacy vocabulary: data classes, purposes, consent types, recipient kinds, channels.

Defined once, here. Only enumerations (no database access), so the pure rules in `rules.py` can use
them. Each data class is described "in a specific and meaningful fashion" (42 CFR 2.31(a)(3)); there
is deliberately no "entire record" class, so a consent never covers everything by accident, and SUD
counseling notes are a class of their own that only a separate counseling-notes consent may name.
"""

from __future__ import annotations

from django.db import models


class DataClass(models.TextChoices):
    DEMOGRAPHICS = "demographics", "Identity and contact details"
    CARE_TEAM = "care_team", "Care team"
    EPISODES = "episodes", "Admission, discharge and level of care"
    ATTENDANCE = "attendance", "Attendance at sessions"
    ASSESSMENTS = "assessments", "Screening and assessment results"
    DIAGNOSES = "diagnoses", "Diagnoses"
    TREATMENT_PLAN = "treatment_plan", "Treatment plan"
    PROGRESS_NOTES = "progress_notes", "Progress notes"
    MEDICATIONS = "medications", "Medications"
    DRUG_SCREENS = "drug_screens", "Drug screen results"
    DISCHARGE = "discharge", "Discharge summary and aftercare plan"
    BILLING = "billing", "Billing and insurance"
    COUNSELING_NOTES = "counseling_notes", "SUD counseling notes"


# What each class holds, in plain words, for the consent form and the printed consent.
DATA_CLASS_DESCRIPTIONS: dict[str, str] = {
    DataClass.DEMOGRAPHICS: "name, date of birth, address, phone, email and emergency contact",
    DataClass.CARE_TEAM: "the staff who treat the participant and their roles",
    DataClass.EPISODES: "dates of admission and discharge and the level of care over time",
    DataClass.ATTENDANCE: "which sessions the participant was expected at, attended or missed, and minutes",
    DataClass.ASSESSMENTS: "screening questionnaires, their scores and the level-of-care assessment",
    DataClass.DIAGNOSES: "diagnoses (for example substance use and co-occurring conditions)",
    DataClass.TREATMENT_PLAN: "problems, goals, objectives and interventions of the treatment plan",
    DataClass.PROGRESS_NOTES: "individual, group and case-management progress notes",
    DataClass.MEDICATIONS: "medication orders, doses and medication for addiction treatment",
    DataClass.DRUG_SCREENS: "urine or oral-fluid drug screen results",
    DataClass.DISCHARGE: "discharge summary, aftercare and relapse-prevention plan",
    DataClass.BILLING: "insurance, authorizations and claims",
    DataClass.COUNSELING_NOTES: (
        "notes a counselor keeps separately from the rest of the record, about counseling sessions"
    ),
}

# Every class a general (non counseling-notes) consent may name.
GENERAL_CLASSES: tuple[str, ...] = tuple(c for c in DataClass.values if c != DataClass.COUNSELING_NOTES)


class Purpose(models.TextChoices):
    TREATMENT = "TREAT", "Treatment"
    PAYMENT = "HPAYMT", "Payment"
    OPERATIONS = "HOPERAT", "Health care operations"
    PARTICIPANT_REQUEST = "PATRQT", "At the participant's request"
    FAMILY = "FAMRQT", "Family involvement"
    EMPLOYMENT = "employment", "Employment (return to work, fitness for duty)"
    LEGAL = "HLEGAL", "Court, probation or other legal requirement"
    RESEARCH = "HRESCH", "Research"
    # Purposes of disclosures without consent (bases.py says which basis allows which).
    EMERGENCY = "ETREAT", "Emergency treatment"
    OVERSIGHT = "oversight", "Audit or evaluation"
    ABUSE_REPORT = "abuse_report", "Report of suspected child abuse or neglect"


TPO_PURPOSES = frozenset({Purpose.TREATMENT, Purpose.PAYMENT, Purpose.OPERATIONS})

# FHIR purpose-of-use coding for each purpose: HL7 v3 ActReason where one exists.
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
LOCAL_PURPOSE = "urn:bridge:purpose-of-use"
PURPOSE_SYSTEMS: dict[str, str] = {
    p: (LOCAL_PURPOSE if p in (Purpose.EMPLOYMENT, Purpose.OVERSIGHT, Purpose.ABUSE_REPORT) else ACT_REASON)
    for p in Purpose
}

# Purposes a consent may name (the others belong to disclosures without consent).
CONSENT_PURPOSES = tuple(
    p for p in Purpose.values if p not in (Purpose.EMERGENCY, Purpose.OVERSIGHT, Purpose.ABUSE_REPORT)
)


class ConsentType(models.TextChoices):
    TPO = "tpo", "Treatment, payment and health care operations"
    NAMED = "named", "Named recipient"
    RESEARCH = "research", "Research"
    COUNSELING_NOTES = "counseling_notes", "SUD counseling notes"
    CRIMINAL_JUSTICE = "criminal_justice", "Criminal justice referral (42 CFR 2.35)"
    PROCEEDINGS = "proceedings", "Use in a legal proceeding"


# Consents whose only purpose is the legal one (and the legal purpose is never mixed with another).
LEGAL_ONLY_CONSENTS = frozenset({ConsentType.CRIMINAL_JUSTICE, ConsentType.PROCEEDINGS})


class RecipientKind(models.TextChoices):
    TREATING_PROVIDER = "treating_provider", "Treating provider"
    HEALTH_PLAN = "health_plan", "Health plan or payer"
    OPERATIONS = "operations", "Business associate helping to run the program"
    EMPLOYER = "employer", "Employer"
    COURT = "court", "Court, probation or parole"
    FAMILY = "family", "Family member or friend"
    ATTORNEY = "attorney", "Attorney"
    RESEARCHER = "researcher", "Researcher"
    AUDITOR = "auditor", "Auditor or evaluator"
    QSO = "qso", "Qualified service organization"
    AUTHORITY = "authority", "State or local authority (abuse reporting)"
    OTHER = "other", "Other"


# The recipients a single TPO consent covers as a class (42 CFR 2.31(a)(4)(i)): "my treating providers,
# health plans, third-party payers, and people helping to operate this program".
TPO_RECIPIENT_KINDS = frozenset(
    {RecipientKind.TREATING_PROVIDER, RecipientKind.HEALTH_PLAN, RecipientKind.OPERATIONS}
)


class Channel(models.TextChoices):
    MAIL = "mail", "Mail"
    FAX = "fax", "Fax"
    SECURE_EMAIL = "secure_email", "Secure email"
    HAND_DELIVERY = "hand", "Handed over in person"
    ELECTRONIC = "electronic", "Electronic exchange (FHIR)"


class LegalBasis(models.TextChoices):
    """What a disclosure rests on; the facts, notice and accounting of each are in `bases.py`."""

    CONSENT = "consent", "Written consent (42 CFR 2.31)"
    MEDICAL_EMERGENCY = "medical_emergency", "Medical emergency (42 CFR 2.51)"
    RESEARCH = "research", "Research (42 CFR 2.52)"
    AUDIT = "audit", "Audit or evaluation (42 CFR 2.53)"
    COURT_ORDER = "court_order", "Court order (42 CFR 2.64, 2.65)"
    QSO = "qso", "Qualified service organization (42 CFR 2.12(c)(4))"
    BUSINESS_ASSOCIATE = "business_associate", "Business associate (HIPAA)"
    CHILD_ABUSE = "child_abuse", "Child abuse or neglect report (42 CFR 2.12(c)(6))"


class Accountable(models.TextChoices):
    PART2 = "part2", "42 CFR 2.25 (3 years)"
    HIPAA = "hipaa", "HIPAA 45 CFR 164.528 (6 years)"
    NONE = "none", "Not accountable"
