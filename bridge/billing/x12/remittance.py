"""Reading an 835 remittance advice (5010 X221A1): validated by pyx12, read with its reader.

`read_835(text)` returns the payment and, per claim (CLP), the service lines (SVC) with what was
paid and each adjustment (CAS group, reason, amount), in plain data. CARC/RARC codes have words here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from bridge.billing.x12.validate import X12Error, X12Problem, problems, segments

VERSION_835 = "005010X221A1"

CARC = {
    "1": "Deductible amount",
    "2": "Coinsurance amount",
    "3": "Co-payment amount",
    "4": "The procedure code is inconsistent with the modifier used",
    "16": "Claim/service lacks information or has submission/billing error(s)",
    "18": "Exact duplicate claim/service",
    "22": "This care may be covered by another payer per coordination of benefits",
    "27": "Expenses incurred after coverage terminated",
    "29": "The time limit for filing has expired",
    "45": "Charge exceeds fee schedule/maximum allowable",
    "50": "Not deemed a medical necessity by the payer",
    "96": "Non-covered charge(s)",
    "97": "Payment is included in the allowance for another service",
    "109": "Claim/service not covered by this payer/contractor",
    "119": "Benefit maximum for this time period or occurrence has been reached",
    "197": "Precertification/authorization/notification absent",
    "204": "Service not covered under the patient's current benefit plan",
    "252": "An attachment/other documentation is required to adjudicate this claim/service",
}
RARC = {
    "M127": "Missing patient medical record for this service",
    "MA130": "Claim has missing/invalid information; correct and resubmit as a new claim",
    "N130": "Consult plan benefit documents/guidelines for information about restrictions",
    "N290": "Missing/incomplete/invalid rendering provider identifier",
    "N54": "Claim information is inconsistent with pre-certified/authorized services",
}
# What to do next about a denial, by CARC (default: appeal).
NEXT_STEP = {
    "4": "correct",
    "16": "correct",
    "18": "write_off",
    "22": "correct",
    "27": "write_off",
    "29": "write_off",
    "119": "write_off",
    "252": "correct",
    "197": "appeal",
    "50": "appeal",
    "96": "appeal",
}
DENIED_STATUS = {"4"}


def carc_words(code: str) -> str:
    return CARC.get(code, f"Adjustment reason {code}")


def rarc_words(code: str) -> str:
    return RARC.get(code, f"Remark {code}")


@dataclass
class Adjustment:
    group: str
    reason: str
    amount: Decimal


@dataclass
class ServiceLine:
    code: str
    modifiers: tuple[str, ...]
    charged: Decimal
    paid: Decimal
    service_date: date | None = None
    adjustments: list[Adjustment] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)


@dataclass
class ClaimPayment:
    number: str
    status: str  # CLP02
    charged: Decimal
    paid: Decimal
    patient_responsibility: Decimal
    payer_control: str
    lines: list[ServiceLine] = field(default_factory=list)
    adjustments: list[Adjustment] = field(default_factory=list)

    @property
    def denied(self) -> bool:
        return self.status in DENIED_STATUS or (self.paid == 0 and self.charged > 0)


@dataclass
class Remittance835:
    payer_name: str = ""
    trace_number: str = ""
    total_paid: Decimal = Decimal("0")
    paid_on: date | None = None
    claims: list[ClaimPayment] = field(default_factory=list)


def _money(value: str, where: str) -> Decimal:
    try:
        return Decimal(value or "0")
    except InvalidOperation as exc:
        raise X12Error([X12Problem(where, "", f"{value!r} is not an amount")]) from exc


def _cas(el: list[str]) -> list[Adjustment]:
    found = []
    group = el[0]
    for i in range(1, len(el) - 1, 3):
        if el[i]:
            found.append(Adjustment(group, el[i], _money(el[i + 1], "CAS")))
    return found


def read_835(text: str) -> Remittance835:
    found = problems(text)
    if found:
        raise X12Error(found)
    remit = Remittance835()
    claim: ClaimPayment | None = None
    line: ServiceLine | None = None
    seen_st = False
    for seg_id, el in segments(text):
        if seg_id == "ST":
            seen_st = True
            if el[0] != "835":
                raise X12Error([X12Problem("ST", "", f"Expected an 835 remittance, got a {el[0]}")])
        elif seg_id == "BPR":
            remit.total_paid = _money(el[1], "BPR")
            if len(el) > 15 and el[15]:
                remit.paid_on = datetime.strptime(el[15], "%Y%m%d").date()
        elif seg_id == "TRN" and not remit.trace_number:
            remit.trace_number = el[1]
        elif seg_id == "N1" and el[0] == "PR":
            remit.payer_name = el[1]
        elif seg_id == "CLP":
            claim = ClaimPayment(
                number=el[0],
                status=el[1],
                charged=_money(el[2], "CLP"),
                paid=_money(el[3], "CLP"),
                patient_responsibility=_money(el[4] if len(el) > 4 else "", "CLP"),
                payer_control=el[6] if len(el) > 6 else "",
            )
            remit.claims.append(claim)
            line = None
        elif seg_id == "SVC" and claim is not None:
            parts = el[0].split(":")
            line = ServiceLine(
                code=parts[1] if len(parts) > 1 else parts[0],
                modifiers=tuple(parts[2:]),
                charged=_money(el[1], "SVC"),
                paid=_money(el[2], "SVC"),
            )
            claim.lines.append(line)
        elif seg_id == "DTM" and line is not None and el[0] == "472":
            line.service_date = datetime.strptime(el[1], "%Y%m%d").date()
        elif seg_id == "CAS" and claim is not None:
            (line.adjustments if line is not None else claim.adjustments).extend(_cas(el))
        elif seg_id == "LQ" and line is not None and len(el) > 1:
            line.remarks.append(el[1])
    if not seen_st:
        raise X12Error([X12Problem("ST", "", "No transaction set in the file")])
    return remit


@dataclass(frozen=True)
class PaidLine:
    code: str
    modifiers: tuple[str, ...]
    service_date: date
    charged: Decimal
    paid: Decimal
    adjustments: tuple[tuple[str, str, Decimal], ...] = ()  # (group, CARC, amount)
    remark: str = ""


@dataclass(frozen=True)
class PaidClaim:
    number: str
    member_id: str
    first_name: str
    last_name: str
    lines: tuple[PaidLine, ...]
    filing: str = "MC"
    status: str = ""  # CLP02; empty: 1 (paid) or 4 (denied) from the amounts

    @property
    def charged(self) -> Decimal:
        return sum((line.charged for line in self.lines), Decimal("0"))

    @property
    def paid(self) -> Decimal:
        return sum((line.paid for line in self.lines), Decimal("0"))


def build_835(
    *,
    payer_name: str,
    payer_id: str,
    payee_name: str,
    payee_npi: str,
    trace: str,
    claims: list[PaidClaim],
    paid_on: date,
    control: int,
    when: datetime,
) -> str:
    """An 835 as a payer sends it (the demo and the benchmark post these; pyx12 validates them)."""
    from bridge.billing.x12.writer import clean, interchange

    def amount(value: Decimal) -> str:
        text = f"{value:.2f}"
        return text.rstrip("0").rstrip(".") or "0"

    total = sum((c.paid for c in claims), Decimal("0"))
    body: list[list[object]] = [
        [
            "BPR",
            "I",
            amount(total),
            "C",
            "CHK",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            f"{paid_on:%Y%m%d}",
        ],
        ["TRN", 1, clean(trace, 50), "1941234567"],
        ["N1", "PR", clean(payer_name, 60)],
        ["N3", "PO BOX 1000"],
        ["N4", "SACRAMENTO", "CA", "95814"],
        ["PER", "BL", "PROVIDER SERVICES", "TE", "8005550100"],
        ["N1", "PE", clean(payee_name, 60), "XX", payee_npi],
        ["LX", 1],
    ]
    for c in claims:
        status = c.status or ("1" if c.paid > 0 else "4")
        body += [
            [
                "CLP",
                clean(c.number, 38),
                status,
                amount(c.charged),
                amount(c.paid),
                "0",
                c.filing,
                f"P{c.number}",
                "11",
                "1",
            ],
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
        ]
        for line in c.lines:
            body += [
                [
                    "SVC",
                    ":".join(["HC", line.code, *line.modifiers]),
                    amount(line.charged),
                    amount(line.paid),
                    "",
                    1,
                ],
                ["DTM", "472", f"{line.service_date:%Y%m%d}"],
            ]
            for group, reason, value in line.adjustments:
                body.append(["CAS", group, reason, amount(value)])
            if line.remark:
                body.append(["LQ", "HE", line.remark])
    text = interchange(
        sender=payer_id,
        receiver="BRIDGE",
        functional_id="HP",
        version=VERSION_835,
        transaction="835",
        control=control,
        body=body,
        when=when,
    )
    # The 835 guide does not use ST03 (the 837 and 270 guides require it).
    return text.replace(f"ST*835*{control % 10000:04d}*{VERSION_835}~", f"ST*835*{control % 10000:04d}~")
