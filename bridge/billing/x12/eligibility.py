"""X12 270 eligibility requests (5010 X279A1) and reading 271 responses into a plain summary.

The 271 is read segment by segment with pyx12's reader (`validate.segments`); the summary says
whether coverage is active, the behavioral / substance-use benefit, copay, coinsurance, deductible
remaining, whether prior authorization is required, and for a rejection (AAA) the reason in words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from bridge.billing.x12.validate import X12Error, X12Problem, problems, segments
from bridge.billing.x12.writer import clean, interchange

VERSION_270 = "005010X279A1"

# AAA03: why a request was rejected (X12 5010 reject reason codes, the ones payers send most).
AAA_REASONS = {
    "15": "Required application data missing",
    "41": "Authorization/access restrictions",
    "42": "Unable to respond at current time",
    "43": "Invalid or missing provider identification",
    "51": "Provider not on file",
    "56": "Inappropriate date",
    "57": "Invalid or missing date(s) of service",
    "58": "Invalid or missing date of birth",
    "62": "Date of service not within allowable inquiry period",
    "63": "Date of service in the future",
    "64": "Invalid or missing patient id",
    "65": "Invalid or missing patient name",
    "67": "Patient not found",
    "71": "Patient birth date does not match that for the patient on the database",
    "72": "Invalid or missing subscriber/insured id",
    "73": "Invalid or missing subscriber/insured name",
    "75": "Subscriber/insured not found",
    "76": "Duplicate subscriber/insured id",
    "78": "Subscriber/insured not in group/plan identified",
}
# AAA04: what to do next.
AAA_FOLLOW_UP = {
    "C": "Please correct and resubmit",
    "N": "Resubmission not allowed",
    "P": "Please resubmit original transaction",
    "R": "Resubmission allowed",
    "S": "Do not resubmit; inquiry initiated to a third party",
    "W": "Please wait 30 days and resubmit",
    "X": "Please wait 10 days and resubmit",
    "Y": "Do not resubmit; we will hand over the request",
}
SERVICE_TYPES = {
    "30": "Health benefit plan coverage",
    "AI": "Substance abuse",
    "AJ": "Alcoholism",
    "AK": "Drug addiction",
    "MH": "Mental health",
    "CF": "Mental health (outpatient)",
    "A8": "Psychiatric (outpatient)",
}
BEHAVIORAL = {"AI", "AJ", "AK", "MH", "CF", "A8"}
TIME_REMAINING = "29"


@dataclass(frozen=True)
class Subscriber:
    first_name: str
    last_name: str
    member_id: str
    date_of_birth: date
    service_date: date


def build_270(
    *,
    sender: str,
    receiver: str,
    payer_name: str,
    payer_id: str,
    provider_name: str,
    provider_npi: str,
    provider_tax_id: str,
    subscriber: Subscriber,
    control: int,
    when: datetime,
) -> str:
    body: list[list[object]] = [
        ["BHT", "0022", "13", f"E{control}", f"{when:%Y%m%d}", f"{when:%H%M}"],
        ["HL", 1, "", 20, 1],
        ["NM1", "PR", 2, clean(payer_name, 60), "", "", "", "", "PI", clean(payer_id, 80)],
        ["HL", 2, 1, 21, 1],
        ["NM1", "1P", 2, clean(provider_name, 60), "", "", "", "", "XX", provider_npi],
        ["HL", 3, 2, 22, 0],
        ["TRN", 1, f"E{control}", f"1{provider_tax_id}"],
        [
            "NM1",
            "IL",
            1,
            clean(subscriber.last_name, 60),
            clean(subscriber.first_name, 35),
            "",
            "",
            "",
            "MI",
            clean(subscriber.member_id, 80),
        ],
        ["DMG", "D8", f"{subscriber.date_of_birth:%Y%m%d}"],
        ["DTP", "291", "D8", f"{subscriber.service_date:%Y%m%d}"],
        ["EQ", "30"],
        ["EQ", "AI"],
    ]
    return interchange(
        sender=sender,
        receiver=receiver,
        functional_id="HS",
        version=VERSION_270,
        transaction="270",
        control=control,
        body=body,
        when=when,
    )


def _money(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def read_271(text: str) -> dict:
    """A plain summary of a 271 (raises X12Error with the segment and reason for a bad file)."""
    found = problems(text)
    if found:
        raise X12Error(found)
    summary: dict = {
        "active": False,
        "rejected": False,
        "rejection": "",
        "behavioral_benefit": False,
        "copay": None,
        "coinsurance": None,
        "deductible_remaining": None,
        "prior_authorization_required": None,
        "benefits": [],
        "trace": "",
        "member_id": "",
    }
    seen_transaction = False
    for seg_id, el in segments(text):
        if seg_id == "ST":
            seen_transaction = True
            if el[0] != "271":
                raise X12Error([X12Problem("ST", "", f"Expected a 271 response, got a {el[0]}")])
        elif seg_id == "AAA" and el and el[0] == "N":
            reason = el[2] if len(el) > 2 else ""
            follow = el[3] if len(el) > 3 else ""
            words = AAA_REASONS.get(reason, f"reason code {reason}")
            action = AAA_FOLLOW_UP.get(follow, "")
            summary["rejected"] = True
            summary["rejection"] = f"{words} (AAA {reason})" + (f"; {action}" if action else "")
        elif seg_id == "TRN" and len(el) > 1 and not summary["trace"]:
            summary["trace"] = el[1]
        elif seg_id == "NM1" and el and el[0] == "IL" and len(el) > 8:
            summary["member_id"] = el[8]
        elif seg_id == "EB":
            code = el[0]
            service = el[2] if len(el) > 2 else ""
            period = el[5] if len(el) > 5 else ""
            amount = _money(el[6]) if len(el) > 6 else None
            percent = el[7] if len(el) > 7 else ""
            auth = el[10] if len(el) > 10 else ""
            words = SERVICE_TYPES.get(service, service or "all services")
            if code == "1":
                summary["active"] = True
                if service in BEHAVIORAL:
                    summary["behavioral_benefit"] = True
                summary["benefits"].append(f"Active coverage: {words}")
            elif code == "6":
                summary["benefits"].append(f"Inactive: {words}")
            elif code == "B" and amount is not None:
                summary["copay"] = str(amount)
                summary["benefits"].append(f"Copay ${amount}: {words}")
            elif code == "A" and percent:
                pct = f"{Decimal(percent) * 100:.0f}%"
                summary["coinsurance"] = pct
                summary["benefits"].append(f"Coinsurance {pct}: {words}")
            elif code == "C" and amount is not None:
                if period == TIME_REMAINING:
                    summary["deductible_remaining"] = str(amount)
                    summary["benefits"].append(f"Deductible remaining ${amount}")
                else:
                    summary["benefits"].append(f"Deductible ${amount}")
            if auth in ("Y", "N") and service in BEHAVIORAL | {"30"}:
                summary["prior_authorization_required"] = auth == "Y"
    if not seen_transaction:
        raise X12Error([X12Problem("ST", "", "No transaction set in the file")])
    if summary["rejected"]:
        summary["active"] = False
    return summary
