"""The legal bases a disclosure can rest on, with their required fields, notice and accounting. Pure Python.

A release outside the program rests on exactly one basis. Consent (42 CFR 2.31) is weighed against
the participant's consents by `rules.evaluate`; every other basis is a disclosure *without* consent
that the rule allows only with its own facts written down. Each basis here says:

  * `fields`: what must be recorded for it (form field name -> what the field is), all required;
  * `recipient_kinds`: who may receive under it (empty: anyone the basis names in its fields);
  * `purposes`: the purposes of use it allows;
  * `notice`: what travels with the release and what the program must do (`NOTICE_*` below);
  * `accountable`: in which accounting of disclosures it is entered, and for how long:
      - PART2: 42 CFR 2.25, disclosures made with consent, 3 years before the request;
      - HIPAA: 45 CFR 164.528, disclosures that are neither for treatment, payment or operations nor
        authorized, 6 years before the request (a covered entity's duty);
      - NONE: not accountable (treatment in an emergency; a QSO's or business associate's work for the
        program is health care operations). It is still recorded and shown in the chart.
  * `redisclosure_prohibited`: whether the release carries the "no redisclosure" refrain (NORDSCLCD).

Bridge's wording; counsel must approve it. Where the rule is silent Bridge takes the cautious reading.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

CONSENT = "consent"
MEDICAL_EMERGENCY = "medical_emergency"
RESEARCH = "research"
AUDIT = "audit"
COURT_ORDER = "court_order"
QSO = "qso"
BUSINESS_ASSOCIATE = "business_associate"
CHILD_ABUSE = "child_abuse"

PART2 = "part2"
HIPAA = "hipaa"
NONE = "none"

ACCOUNTING_YEARS = {PART2: 3, HIPAA: 6}

NOTICE_CONSENT = "consent"  # 2.32 Statement 1 and a copy or summary of the consent
NOTICE_STATEMENT = "statement"  # Statement 1 (records stay Part 2 records in the recipient's hands)
NOTICE_COURT_ORDER = "court_order"  # Statement 1 and the order's limits, printed with the release
NOTICE_AGREEMENT = "agreement"  # the written agreement binds the recipient; HIPAA governs further use
NOTICE_STATE_REPORT = "state_report"  # the initial report only, under state law (2.12(c)(6))


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text, long, date, datetime, bool, choice
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""


@dataclass(frozen=True)
class Basis:
    code: str
    label: str
    citation: str
    fields: tuple[Field, ...]
    recipient_kinds: frozenset[str]
    purposes: frozenset[str]
    notice: str
    notice_text: str  # what the recipient (and the chart) reads about this basis
    accountable: str
    redisclosure_prohibited: bool = True
    needs_document: bool = False  # a copy of the order or agreement must be attached
    counseling_notes: bool = False  # may SUD counseling notes be released under it


AUDIT_KINDS = (
    ("government", "Government agency overseeing the program"),
    ("payer", "Third-party payer or health plan covering the participant"),
    ("peer_review", "Peer review or quality improvement organization"),
    ("accreditation", "Accreditation body"),
    ("evaluation", "Program evaluation"),
)

ORDER_SECTIONS = (
    ("2.64", "42 CFR 2.64: for purposes other than criminal investigation or prosecution"),
    ("2.65", "42 CFR 2.65: to investigate or prosecute the participant"),
    ("2.66", "42 CFR 2.66: to investigate or prosecute the program or its staff"),
    ("2.67", "42 CFR 2.67: undercover agent or informant"),
)

BASES: dict[str, Basis] = {
    CONSENT: Basis(
        code=CONSENT,
        label="The participant's written consent",
        citation="42 CFR 2.31",
        fields=(),
        recipient_kinds=frozenset(),
        purposes=frozenset(),
        notice=NOTICE_CONSENT,
        notice_text="",
        accountable=PART2,
    ),
    MEDICAL_EMERGENCY: Basis(
        code=MEDICAL_EMERGENCY,
        label="Medical emergency",
        citation="42 CFR 2.51",
        fields=(
            Field("personnel_name", "Name of the medical personnel who received the records"),
            Field("personnel_affiliation", "Their affiliation (hospital, ambulance service, clinic)"),
            Field("disclosed_by", "Name of the person who made the disclosure"),
            Field("disclosed_at", "Date and time of the disclosure", "datetime"),
            Field("emergency", "The nature of the emergency", "long"),
            Field(
                "consent_unobtainable",
                "Why the participant's prior written consent could not be obtained",
                "long",
            ),
        ),
        recipient_kinds=frozenset({"treating_provider"}),
        purposes=frozenset({"ETREAT"}),
        notice=NOTICE_STATEMENT,
        notice_text=(
            "Disclosed without consent to medical personnel to meet a bona fide medical emergency "
            "(42 CFR 2.51). The program documented the disclosure in the participant's record at once."
        ),
        accountable=NONE,
    ),
    RESEARCH: Basis(
        code=RESEARCH,
        label="Research",
        citation="42 CFR 2.52",
        fields=(
            Field("protocol", "Research protocol (title and number)"),
            Field("review_board", "Institutional review board or privacy board that approved it"),
            Field(
                "approval",
                "Its approval or waiver of consent (reference and date)",
                help="The HIPAA waiver of authorization or Common Rule determination shown.",
            ),
            Field(
                "agreement_on",
                "Date the researcher agreed in writing to the 42 CFR 2.52 limits",
                "date",
            ),
        ),
        recipient_kinds=frozenset({"researcher"}),
        purposes=frozenset({"HRESCH"}),
        notice=NOTICE_STATEMENT,
        notice_text=(
            "Disclosed without consent for research (42 CFR 2.52). The researcher may not redisclose "
            "these records except back to the program, may not identify any participant in a report, "
            "and must keep them secure and destroy or return them as agreed."
        ),
        accountable=HIPAA,
    ),
    AUDIT: Basis(
        code=AUDIT,
        label="Audit or evaluation",
        citation="42 CFR 2.53",
        fields=(
            Field("audit_kind", "Who is auditing", "choice", AUDIT_KINDS),
            Field("scope", "What the audit or evaluation covers", "long"),
            Field(
                "agreement_on",
                "Date the auditor agreed in writing to the 42 CFR 2.53 limits",
                "date",
            ),
        ),
        recipient_kinds=frozenset({"auditor", "health_plan"}),
        purposes=frozenset({"oversight"}),
        notice=NOTICE_STATEMENT,
        notice_text=(
            "Disclosed without consent for an audit or evaluation (42 CFR 2.53). The records may be "
            "used only for the audit or evaluation, may not be redisclosed except as 42 CFR 2.53 "
            "allows, and must be returned or destroyed when it is complete."
        ),
        accountable=HIPAA,
    ),
    COURT_ORDER: Basis(
        code=COURT_ORDER,
        label="Court order",
        citation="42 CFR 2.64 and 2.65",
        fields=(
            Field("order_section", "The order is made under", "choice", ORDER_SECTIONS),
            Field("court", "Court that issued the order"),
            Field("case_number", "Case or docket number"),
            Field("order_date", "Date of the order", "date"),
            Field(
                "order_limits",
                "The order's limits (which parts of the record, to whom, and the protections it imposes)",
                "long",
            ),
            Field(
                "notice_given",
                "How and when the participant and the program were given notice of the application",
                "long",
            ),
        ),
        recipient_kinds=frozenset({"court", "attorney", "other"}),
        purposes=frozenset({"HLEGAL"}),
        notice=NOTICE_COURT_ORDER,
        notice_text=(
            "Disclosed without consent under a court order that meets 42 CFR part 2, subpart E. "
            "Only what the order names is disclosed, and only for the use it allows; every other use "
            "or disclosure is still prohibited."
        ),
        accountable=HIPAA,
        needs_document=True,
        counseling_notes=True,
    ),
    QSO: Basis(
        code=QSO,
        label="Qualified service organization",
        citation="42 CFR 2.11 and 2.12(c)(4)",
        fields=(
            Field("service", "The service the organization provides to the program"),
            Field("agreement_on", "Date the qualified service organization agreement was signed", "date"),
        ),
        recipient_kinds=frozenset({"qso"}),
        purposes=frozenset({"TREAT", "HPAYMT", "HOPERAT"}),
        notice=NOTICE_AGREEMENT,
        notice_text=(
            "Disclosed to a qualified service organization that, in its written agreement, is bound by "
            "42 CFR part 2 and may use the records only to provide its service to the program."
        ),
        accountable=NONE,
        needs_document=True,
    ),
    BUSINESS_ASSOCIATE: Basis(
        code=BUSINESS_ASSOCIATE,
        label="Business associate",
        citation="45 CFR 164.502(e) and 42 CFR 2.12(d)",
        fields=(
            Field("service", "The service the business associate performs for the program"),
            Field("agreement_on", "Date the business associate agreement was signed", "date"),
        ),
        recipient_kinds=frozenset({"operations"}),
        purposes=frozenset({"TREAT", "HPAYMT", "HOPERAT"}),
        notice=NOTICE_AGREEMENT,
        notice_text=(
            "Disclosed to a business associate for treatment, payment or health care operations under "
            "its business associate agreement; the HIPAA rules govern its further use, except that the "
            "records may not be used in proceedings against the participant."
        ),
        accountable=NONE,
        redisclosure_prohibited=False,
        needs_document=True,
    ),
    CHILD_ABUSE: Basis(
        code=CHILD_ABUSE,
        label="Report of suspected child abuse or neglect",
        citation="42 CFR 2.12(c)(6)",
        fields=(
            Field("state_law", "The state law that requires the report"),
            Field("reported_at", "Date and time of the report", "datetime"),
            Field("reported_by", "Name of the person who made the report"),
            Field("report_reference", "The agency's reference for the report (if given)", help="Optional."),
            Field(
                "initial_report_only",
                "Only the initial report is made; original records go only under a court order",
                "bool",
            ),
        ),
        recipient_kinds=frozenset({"authority"}),
        purposes=frozenset({"abuse_report"}),
        notice=NOTICE_STATE_REPORT,
        notice_text=(
            "An initial report of suspected child abuse or neglect made under state law "
            "(42 CFR 2.12(c)(6)). The original treatment records may be disclosed, or used in any "
            "proceeding arising from the report, only with consent or under a court order (42 CFR 2.64)."
        ),
        accountable=HIPAA,
    ),
}

WITHOUT_CONSENT = tuple(code for code in BASES if code != CONSENT)
OPTIONAL_FIELDS = frozenset({"report_reference"})


def basis(code: str) -> Basis:
    return BASES[code]


def choices() -> list[tuple[str, str]]:
    return [(b.code, f"{b.label} ({b.citation})") for b in BASES.values()]


def missing_fields(code: str, details: dict[str, Any]) -> dict[str, str]:
    """Every required fact of `code` that `details` lacks, keyed by field name; empty when complete."""
    problems: dict[str, str] = {}
    for f in BASES[code].fields:
        if f.name in OPTIONAL_FIELDS:
            continue
        value = details.get(f.name)
        if f.kind == "bool":
            if value is not True:
                problems[f.name] = (
                    f"Required for {BASES[code].citation}: confirm that {f.label[0].lower()}{f.label[1:]}."
                )
        elif value in (None, "") or (isinstance(value, str) and not value.strip()):
            problems[f.name] = f"Required for {BASES[code].citation}: {f.label[0].lower()}{f.label[1:]}."
        elif f.kind == "choice" and value not in {c for c, _ in f.choices}:
            problems[f.name] = "Choose one of the listed options."
    return problems


def why_not(
    code: str, *, recipient_kind: str, purpose: str, data_classes, details: dict[str, Any]
) -> list[str]:
    """Why a disclosure without consent under `code` is not allowed as asked (empty when it is)."""
    b = BASES[code]
    reasons = list(missing_fields(code, details).values())
    if b.recipient_kinds and recipient_kind not in b.recipient_kinds:
        reasons.append(f"{b.label} ({b.citation}) does not allow a release to this kind of recipient")
    if purpose not in b.purposes:
        reasons.append(f"{b.label} ({b.citation}) does not allow this purpose")
    if "counseling_notes" in set(data_classes) and not b.counseling_notes:
        reasons.append("SUD counseling notes are released only under their separate consent or a court order")
    return reasons


def detail_lines(code: str, details: dict[str, Any]) -> list[str]:
    """The recorded facts as "Label: value" lines, for the package, the chart and the accounting."""
    lines = []
    for f in BASES[code].fields:
        value: Any = details.get(f.name)
        if value in (None, ""):
            continue
        if f.kind == "choice":
            value = dict(f.choices).get(value, value)
        elif f.kind == "bool":
            value = "yes" if value else "no"
        elif isinstance(value, datetime | date):
            value = value.isoformat()
        lines.append(f"{f.label}: {value}")
    return lines
