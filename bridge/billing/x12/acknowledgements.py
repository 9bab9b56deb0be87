"""Acknowledgements of claim files: the 999 (005010X231A1, was the file readable?) and the 277CA
(005010X214, did the payer accept each claim into adjudication?).

Both are read with pyx12's reader (`validate.segments`) after pyx12 validated them against its
maps, into plain results: for a 999, whether the functional group (the 837 file, by its GS06
control number) was accepted and the errors it names; for a 277CA, each claim's patient control
number (CLM01, TRN02 in loop 2200D) with accepted or rejected and the status in words.
`build_999` and `build_277ca` write real-shaped files (the tests and the demo use them).
No Django here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from bridge.billing.x12.validate import X12Error, X12Problem, require_valid, segments
from bridge.billing.x12.writer import clean, interchange

VERSION_999 = "005010X231A1"
VERSION_277CA = "005010X214"

# IK5 / AK9 acknowledgement codes.
ACK_CODES = {
    "A": "Accepted",
    "E": "Accepted with errors noted",
    "M": "Rejected: message authentication code failed",
    "P": "Partially accepted",
    "R": "Rejected",
    "W": "Rejected: assurance failed validity tests",
    "X": "Rejected: content could not be analyzed",
}
ACCEPTED = {"A", "E"}
# IK304: what is wrong with a segment.
SEGMENT_ERRORS = {
    "1": "Unrecognized segment id",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs over maximum times",
    "5": "Segment exceeds maximum use",
    "6": "Segment not in defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": "Implementation 'not used' segment present",
    "I6": "Implementation dependent segment missing",
    "I7": "Implementation loop occurs under minimum times",
    "I8": "Implementation segment below minimum use",
    "I9": "Implementation dependent 'not used' segment present",
}
# IK403: what is wrong with an element.
ELEMENT_ERRORS = {
    "1": "Required data element missing",
    "2": "Conditional required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I10": "Implementation 'not used' data element present",
    "I12": "Implementation pattern match failure",
    "I13": "Implementation dependent 'not used' data element present",
    "I6": "Code value not used in implementation",
    "I9": "Implementation dependent data element missing",
}
# IK502: what is wrong with the transaction set as a whole.
TRANSACTION_ERRORS = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Transaction set control numbers do not match",
    "4": "Number of included segments does not match actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "23": "Transaction set control number not unique within the functional group",
    "I5": "Implementation one or more segments in error",
    "I6": "Implementation convention not supported",
}
# STC01-1: health care claim status category codes a 277CA uses.
CATEGORIES = {
    "A0": "Forwarded to another entity",
    "A1": "Received",
    "A2": "Accepted into adjudication",
    "A3": "Returned as unprocessable",
    "A4": "Not found",
    "A5": "Split claim",
    "A6": "Rejected for missing information",
    "A7": "Rejected for invalid information",
    "A8": "Rejected for relational field in error",
}
CLAIM_ACCEPTED = {"A1", "A2", "A5"}
# STC01-2: claim status codes payers send most with a 277CA rejection.
STATUS_CODES = {
    "19": "Entity acknowledges receipt of claim",
    "20": "Accepted for processing",
    "21": "Missing or invalid information",
    "33": "Subscriber and subscriber id not found",
    "35": "Claim/encounter not found",
    "145": "Entity's name",
    "164": "Entity's contract/member number",
    "187": "Date(s) of service",
    "254": "Principal diagnosis code",
    "255": "Diagnosis code",
    "454": "Procedure code for services rendered",
    "455": "Revenue code for services rendered",
    "562": "Entity's National Provider Identifier (NPI)",
    "673": "Patient control number",
}
ENTITIES = {"PR": "payer", "IL": "subscriber", "QC": "patient", "85": "billing provider", "41": "submitter"}


@dataclass(frozen=True)
class GroupAck:
    """A 999's answer for one functional group: the 837 file by its GS06 control number."""

    control: int
    code: str  # AK901
    errors: tuple[str, ...]

    @property
    def accepted(self) -> bool:
        return self.code in ACCEPTED

    @property
    def reason(self) -> str:
        said = ACK_CODES.get(self.code, self.code)
        return said + (": " + "; ".join(self.errors) if self.errors else "")


@dataclass(frozen=True)
class ClaimAck:
    """A 277CA's status for one claim, by its patient control number (CLM01)."""

    number: str
    category: str
    status: str
    entity: str
    amount: Decimal
    payer_claim_number: str = ""

    @property
    def accepted(self) -> bool:
        return self.category in CLAIM_ACCEPTED

    @property
    def reason(self) -> str:
        text = CATEGORIES.get(self.category, f"Status category {self.category}")
        if self.status:
            text += f": {STATUS_CODES.get(self.status, 'status code ' + self.status)}"
            if self.entity and self.entity in ENTITIES:
                text += f" ({ENTITIES[self.entity]})"
        return text


@dataclass
class Acknowledgement:
    kind: str  # "999" or "277CA"
    control: str  # the acknowledgement's own ISA13
    groups: list[GroupAck] = field(default_factory=list)
    claims: list[ClaimAck] = field(default_factory=list)


def kind_of(text: str) -> str:
    """'999' or '277CA' from the file's GS08 (anything else is refused)."""
    for seg_id, values in segments(text):
        if seg_id == "GS":
            version = values[7] if len(values) > 7 else ""
            if version.startswith("005010X231"):
                return "999"
            if version == VERSION_277CA:
                return "277CA"
            raise X12Error(
                [X12Problem("GS", "", f"Not a 999 or 277CA acknowledgement (GS08 {version or 'missing'})")]
            )
    raise X12Error([X12Problem("GS", "", "No functional group header (GS)")])


def read(text: str) -> Acknowledgement:
    """Validate with pyx12 and read a 999 or a 277CA; X12Error (segment and reason) when invalid."""
    kind = kind_of(text)
    require_valid(text)
    return read_999(text) if kind == "999" else read_277ca(text)


def _isa13(text: str) -> str:
    return next((v[12] for s, v in segments(text) if s == "ISA" and len(v) > 12), "")


def read_999(text: str) -> Acknowledgement:
    ack = Acknowledgement("999", _isa13(text))
    control: int | None = None
    errors: list[str] = []
    where = ""
    for seg_id, v in segments(text):
        if seg_id == "AK1":
            control, errors = int(v[1]), []
        elif seg_id == "IK3":
            where = f"{v[0]} (segment {v[1]})"
            errors.append(f"{where}: {SEGMENT_ERRORS.get(v[3] if len(v) > 3 else '', 'segment error')}")
        elif seg_id == "IK4":
            element = v[0].split(":")[0]
            errors.append(
                f"{where} element {element}: {ELEMENT_ERRORS.get(v[2], 'element error')}"
                + (f" ({v[3]!r})" if len(v) > 3 and v[3] else "")
            )
        elif seg_id == "IK5" and v[0] not in ACCEPTED and len(v) > 1:
            errors += [
                TRANSACTION_ERRORS.get(code, f"Transaction set error {code}") for code in v[1:] if code
            ]
        elif seg_id == "AK9" and control is not None:
            ack.groups.append(GroupAck(control, v[0], tuple(errors)))
    return ack


def read_277ca(text: str) -> Acknowledgement:
    ack = Acknowledgement("277CA", _isa13(text))
    level = ""
    number = ""
    for seg_id, v in segments(text):
        if seg_id == "HL":
            level, number = v[2], ""
        elif seg_id == "TRN" and level == "PT":
            number = v[1]
        elif seg_id == "STC" and level == "PT" and number:
            parts = [*v[0].split(":"), "", "", ""][:3]
            ack.claims.append(ClaimAck(number, parts[0], parts[1], parts[2], Decimal(v[3] or "0")))
        elif seg_id == "REF" and level == "PT" and v[0] == "1K" and ack.claims:
            last = ack.claims[-1]
            ack.claims[-1] = ClaimAck(last.number, last.category, last.status, last.entity, last.amount, v[1])
    return ack


# --- Writing (tests, demo) -------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementError:
    segment: str
    position: int  # segment position in the transaction set
    loop: str
    segment_code: str  # IK304
    element: int
    element_code: str  # IK403
    bad_value: str = ""


def build_999(
    *,
    sender: str,
    receiver: str,
    group_control: int,
    transaction_control: str,
    implementation: str,
    control: int,
    when: datetime,
    errors: tuple[ElementError, ...] = (),
) -> str:
    """A 999 for one 837 file (one functional group with one transaction set): accepted when
    `errors` is empty, rejected with them otherwise."""
    body: list[list[object]] = [["AK1", "HC", group_control, implementation]]
    body.append(["AK2", "837", transaction_control, implementation])
    for e in errors:
        body.append(["IK3", e.segment, e.position, e.loop, e.segment_code])
        body.append(["IK4", e.element, "", e.element_code, e.bad_value])
    code = "R" if errors else "A"
    body.append(["IK5", code, "5" if errors else ""])
    body.append(["AK9", code, 1, 1, 0 if errors else 1])
    return interchange(
        sender=sender,
        receiver=receiver,
        functional_id="FA",
        version=VERSION_999,
        transaction="999",
        control=control,
        body=body,
        when=when,
    )


@dataclass(frozen=True)
class ClaimStatus:
    number: str  # CLM01
    last_name: str
    first_name: str
    member_id: str
    amount: Decimal
    first_day: date
    last_day: date
    category: str = "A2"
    status: str = "20"
    entity: str = ""
    payer_claim_number: str = ""


def build_277ca(
    *,
    payer_name: str,
    payer_id: str,
    submitter_name: str,
    submitter_id: str,
    provider_name: str,
    provider_npi: str,
    batch: str,
    control: int,
    when: datetime,
    claims: list[ClaimStatus],
) -> str:
    """A 277CA from a payer for one 837 batch: one patient level per claim with its status."""
    day = f"{when:%Y%m%d}"
    accepted = [c for c in claims if c.category in CLAIM_ACCEPTED]
    rejected = [c for c in claims if c.category not in CLAIM_ACCEPTED]
    body: list[list[object]] = [["BHT", "0085", "08", f"ACK{control}", day, f"{when:%H%M}", "TH"]]
    body += [
        ["HL", 1, "", 20, 1],
        ["NM1", "PR", 2, clean(payer_name, 60), "", "", "", "", "PI", clean(payer_id, 80)],
        ["TRN", 1, f"RCPT{control}"],
        ["DTP", "050", "D8", day],
        ["DTP", "009", "D8", day],
        ["HL", 2, 1, 21, 1],
        ["NM1", "41", 2, clean(submitter_name, 60), "", "", "", "", "46", clean(submitter_id, 80)],
        ["TRN", 2, clean(batch, 50)],
        ["STC", "A1:19:PR", day, "WQ", sum((c.amount for c in claims), Decimal("0"))],
    ]
    if accepted:
        body.append(["QTY", "90", len(accepted)])
    if rejected:
        body.append(["QTY", "AA", len(rejected)])
    if accepted:
        body.append(["AMT", "YU", sum((c.amount for c in accepted), Decimal("0"))])
    if rejected:
        body.append(["AMT", "YY", sum((c.amount for c in rejected), Decimal("0"))])
    body += [
        ["HL", 3, 2, 19, 1],
        ["NM1", "85", 2, clean(provider_name, 60), "", "", "", "", "XX", provider_npi],
        ["TRN", 1, "0"],
        ["STC", "A1:19:PR", "", "WQ", sum((c.amount for c in claims), Decimal("0"))],
    ]
    if accepted:
        body.append(["QTY", "QA", len(accepted)])
    if rejected:
        body.append(["QTY", "QC", len(rejected)])
    hl = 3
    for c in claims:
        hl += 1
        status = ":".join(x for x in (c.category, c.status, c.entity) if x)
        body += [
            ["HL", hl, 3, "PT"],
            [
                "NM1",
                "QC",
                1,
                clean(c.last_name, 60),
                clean(c.first_name, 35),
                "",
                "",
                "",
                "MI",
                clean(c.member_id, 80),
            ],
            ["TRN", 2, c.number],
            ["STC", status, day, "WQ" if c.category in CLAIM_ACCEPTED else "U", c.amount],
        ]
        if c.payer_claim_number:
            body.append(["REF", "1K", clean(c.payer_claim_number, 50)])
        body.append(["DTP", "472", "RD8", f"{c.first_day:%Y%m%d}-{c.last_day:%Y%m%d}"])
    return interchange(
        sender=payer_id,
        receiver=submitter_id,
        functional_id="HN",
        version=VERSION_277CA,
        transaction="277",
        control=control,
        body=body,
        when=when,
    )
