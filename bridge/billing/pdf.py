"""A CMS-1500-style paper claim (for payers that take paper), as a PDF with reportlab.

Not the red-ink OCR form: the same boxes, numbered as on the CMS-1500 (02/12), laid out as a
readable page. Every page carries the Part 2 notice that must go with records released under 42 CFR
part 2. Plain data in, bytes out: no Django here.
"""

from __future__ import annotations

import html
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

PART2_NOTICE = (
    "This record is protected by federal confidentiality rules (42 CFR part 2). 42 CFR part 2 "
    "prohibits unauthorized use or disclosure of these records."
)


@dataclass(frozen=True)
class PaperLine:
    service_date: date
    place_of_service: str
    code: str
    modifiers: str
    pointer: str
    amount: Decimal
    units: int
    rendering_npi: str


@dataclass(frozen=True)
class PaperClaim:
    number: str
    insurance_type: str
    payer_name: str
    member_id: str
    patient_name: str
    patient_birth: date | None
    insured_name: str
    relationship: str
    group_number: str
    diagnosis: str
    lines: tuple[PaperLine, ...]
    tax_id: str
    provider_name: str
    provider_address: str
    provider_npi: str
    paid: Decimal
    prepared_on: date

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0"))


def _boxes(rows: list[list[str]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def cms1500_pdf(claim: PaperClaim) -> bytes:
    out = io.BytesIO()
    styles = getSampleStyleSheet()

    def notice(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont("Helvetica", 7)
        canvas.drawString(0.6 * inch, 0.45 * inch, PART2_NOTICE)
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=0.6 * inch,
        rightMargin=0.6 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.8 * inch,
        title=f"Health insurance claim {claim.number}",
    )
    birth = f"{claim.patient_birth:%m %d %Y}" if claim.patient_birth else ""
    story: list = [
        Paragraph("HEALTH INSURANCE CLAIM FORM (CMS-1500 layout)", styles["Title"]),
        Paragraph(f"Payer: {claim.payer_name}", styles["Normal"]),
        Spacer(1, 6),
        _boxes(
            [
                [f"1. Insurance: {claim.insurance_type}", f"1a. Insured's ID number\n{claim.member_id}"],
                [f"2. Patient's name\n{claim.patient_name}", f"3. Patient's birth date\n{birth}"],
                [
                    f"4. Insured's name\n{claim.insured_name}",
                    f"6. Patient relationship\n{claim.relationship}",
                ],
                [f"11. Insured's group number\n{claim.group_number or 'None'}", "12./13. Signature on file"],
                [
                    f"21. Diagnosis (ICD-10-CM)\nA. {claim.diagnosis}",
                    f"26. Patient account no.\n{claim.number}",
                ],
            ],
            [3.65 * inch, 3.65 * inch],
        ),
        Spacer(1, 8),
        Paragraph("24. Services", styles["Heading4"]),
    ]
    rows = [["A. Date", "B. POS", "D. CPT/HCPCS", "Modifier", "E. Ptr", "F. Charges", "G. Units", "J. NPI"]]
    rows += [
        [
            f"{line.service_date:%m %d %y}",
            line.place_of_service,
            line.code,
            line.modifiers.replace(":", " "),
            line.pointer,
            f"{line.amount:.2f}",
            str(line.units),
            line.rendering_npi,
        ]
        for line in claim.lines
    ]
    story.append(
        _boxes(
            rows,
            [0.9 * inch, 0.6 * inch, 1.0 * inch, 0.9 * inch, 0.6 * inch, 1.0 * inch, 0.7 * inch, 1.6 * inch],
        )
    )
    story += [
        Spacer(1, 8),
        _boxes(
            [
                [
                    f"25. Federal tax ID (EIN)\n{claim.tax_id}",
                    f"28. Total charge\n{claim.total:.2f}",
                    f"29. Amount paid\n{claim.paid:.2f}",
                ],
                [
                    f"31. Signature of physician or supplier\nSigned, {claim.prepared_on:%m/%d/%Y}",
                    f"32. Service facility\n{claim.provider_name}\n{claim.provider_address}",
                    f"33. Billing provider\n{claim.provider_name}\n{claim.provider_address}\n"
                    f"a. NPI {claim.provider_npi}",
                ],
            ],
            [2.43 * inch, 2.43 * inch, 2.44 * inch],
        ),
    ]
    doc.build(story, onFirstPage=notice, onLaterPages=notice)
    return out.getvalue()


# Self-pay: the good-faith estimate and the monthly statement, in plain words ------------------

NO_SURPRISES_URL = "www.cms.gov/nosurprises"
NO_SURPRISES_PHONE = "1-800-985-3059"


def _money(value: Decimal) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _escaped(program: dict) -> dict:
    """The program's fields made safe for reportlab's Paragraph markup (an "&" or "<" in a name)."""
    return {k: html.escape(str(v)) for k, v in program.items()}


def _document(out: io.BytesIO, title: str) -> SimpleDocTemplate:
    return SimpleDocTemplate(
        out,
        pagesize=LETTER,
        leftMargin=0.7 * inch,
        rightMargin=0.7 * inch,
        topMargin=0.6 * inch,
        bottomMargin=0.7 * inch,
        title=title,
    )


def _program_block(program: dict, styles) -> list:
    program = _escaped(program)
    return [
        Paragraph(f"<b>{program['name']}</b>", styles["Normal"]),
        Paragraph(f"{program['address']} · {program['phone']}", styles["Normal"]),
    ]


@dataclass(frozen=True)
class EstimateLine:
    what: str
    code: str
    modifiers: str
    per_week: int
    count: int
    unit_fee: Decimal
    charge: Decimal
    discount: Decimal


@dataclass(frozen=True)
class Estimate:
    number: str
    program: dict  # name, address, phone, npi, tax_id
    participant_name: str
    date_of_birth: date | None
    given_on: date
    requested_on: date
    first_service_on: date
    weeks: int
    tier: str
    diagnosis: str
    lines: tuple[EstimateLine, ...]

    @property
    def total_charges(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def total_discount(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal("0"))


ESTIMATE_DISCLAIMER = [
    "This Good Faith Estimate shows the costs of items and services that are reasonably expected for "
    "your health care needs for an item or service. The estimate is based on information known at the "
    "time the estimate was created.",
    "The Good Faith Estimate does not include any unknown or unexpected costs that may arise during "
    "treatment. You could be charged more if complications or special circumstances occur. If this "
    "happens, federal law allows you to dispute (appeal) the bill.",
    "<b>If you are billed for more than this Good Faith Estimate, you have the right to dispute the "
    "bill.</b> You may contact the health care provider or facility listed to let them know the billed "
    "charges are higher than the Good Faith Estimate. You can ask them to update the bill to match the "
    "Good Faith Estimate, ask to negotiate the bill, or ask if there is financial assistance available.",
    "You may also start a dispute resolution process with the U.S. Department of Health and Human "
    "Services (HHS). If you choose to use the dispute resolution process, you must start the dispute "
    "process within 120 calendar days (about 4 months) of the date on the original bill. There is a "
    "$25 fee to use the dispute process. If the agency reviewing your dispute agrees with you, you will "
    "have to pay the price on this Good Faith Estimate. If the agency disagrees with you and agrees with "
    "the health care provider or facility, you will have to pay the higher amount.",
    "You can dispute the bill if it is <b>$400 or more above</b> this Good Faith Estimate (for this "
    "provider). To learn more and get a form to start the process, go to "
    f"{NO_SURPRISES_URL} or call {NO_SURPRISES_PHONE}. For questions or more information about your "
    f"right to a Good Faith Estimate or the dispute process, visit {NO_SURPRISES_URL} or call "
    f"{NO_SURPRISES_PHONE}.",
    "<b>The Good Faith Estimate is not a contract</b> and does not require you to obtain the items or "
    "services from any of the providers or facilities identified in it. Other items or services may be "
    "recommended as part of your care that must be scheduled or requested separately and are not "
    "reflected in this estimate.",
    "Keep a copy of this Good Faith Estimate in a safe place or take pictures of it. You may need it if "
    "you are billed a higher amount.",
]


def estimate_pdf(estimate: Estimate) -> bytes:
    """A good-faith estimate for an uninsured or self-pay participant (45 CFR 149.610(c))."""
    out = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = _document(out, f"Good Faith Estimate {estimate.number}")
    p = _escaped(estimate.program)
    birth = f"{estimate.date_of_birth:%B %-d, %Y}" if estimate.date_of_birth else "not recorded"
    story: list = [
        Paragraph("Good Faith Estimate", styles["Title"]),
        *_program_block(estimate.program, styles),
        Paragraph(f"NPI {p['npi']} · Tax ID (EIN) {p['tax_id']}", styles["Normal"]),
        Spacer(1, 8),
        _boxes(
            [
                [f"For: {estimate.participant_name}", f"Date of birth: {birth}"],
                [
                    f"Estimate number: {estimate.number}",
                    f"Date of this estimate: {estimate.given_on:%B %-d, %Y}",
                ],
                [
                    f"Services scheduled or estimate requested on: {estimate.requested_on:%B %-d, %Y}",
                    f"Expected start: {estimate.first_service_on:%B %-d, %Y}, for {estimate.weeks} weeks",
                ],
                [
                    f"Diagnosis code(s): {estimate.diagnosis or 'to be determined'}",
                    f"Sliding-fee scale: {estimate.tier}",
                ],
            ],
            [3.55 * inch, 3.55 * inch],
        ),
        Spacer(1, 8),
        Paragraph(
            "<b>What we expect to provide:</b> intensive outpatient treatment for substance use, at "
            f"{p['name']}, {p['address']}. All services below are given by this program.",
            styles["Normal"],
        ),
        Spacer(1, 6),
    ]
    rows = [["Service", "Code", "A week", "Expected", "Fee each", "Charges", "Discount", "You pay"]]
    for line in estimate.lines:
        code = line.code + (f"-{line.modifiers.replace(':', '-')}" if line.modifiers else "")
        rows.append(
            [
                line.what,
                code,
                str(line.per_week),
                str(line.count),
                _money(line.unit_fee),
                _money(line.charge),
                _money(line.discount),
                _money(line.charge - line.discount),
            ]
        )
    rows.append(
        [
            "Total estimated",
            "",
            "",
            "",
            "",
            _money(estimate.total_charges),
            _money(estimate.total_discount),
            _money(estimate.total_charges - estimate.total_discount),
        ]
    )
    story.append(
        _boxes(
            rows,
            [
                1.75 * inch,
                0.8 * inch,
                0.55 * inch,
                0.7 * inch,
                0.8 * inch,
                0.85 * inch,
                0.8 * inch,
                0.85 * inch,
            ],
        )
    )
    story.append(Spacer(1, 8))
    story.append(Paragraph("Disclaimer", styles["Heading3"]))
    story += [Paragraph(text, styles["Normal"]) for text in ESTIMATE_DISCLAIMER]
    doc.build(story)
    return out.getvalue()


@dataclass(frozen=True)
class StatementLine:
    service_date: date
    code: str
    what: str
    charge: Decimal
    discount: Decimal
    tier: str


@dataclass(frozen=True)
class StatementPayment:
    received_on: date
    how: str
    amount: Decimal


@dataclass(frozen=True)
class Statement:
    program: dict
    participant_name: str
    participant_address: str
    account: str
    period_first: date
    period_last: date
    prepared_on: date
    due_on: date
    previous_balance: Decimal
    lines: tuple[StatementLine, ...]
    payments: tuple[StatementPayment, ...]

    @property
    def charges(self) -> Decimal:
        return sum((line.charge for line in self.lines), Decimal("0"))

    @property
    def discounts(self) -> Decimal:
        return sum((line.discount for line in self.lines), Decimal("0"))

    @property
    def paid(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0"))

    @property
    def balance(self) -> Decimal:
        return self.previous_balance + self.charges - self.discounts - self.paid


def statement_pdf(statement: Statement) -> bytes:
    """A monthly statement for a self-pay participant: what was done, what it cost after the sliding
    fee, what was paid, what is owed, and how to pay."""
    out = io.BytesIO()
    styles = getSampleStyleSheet()
    doc = _document(out, f"Statement {statement.period_first:%B %Y}")
    p = _escaped(statement.program)
    s = statement
    story: list = [
        Paragraph("Statement", styles["Title"]),
        *_program_block(statement.program, styles),
        Spacer(1, 8),
        _boxes(
            [
                [f"For: {s.participant_name}\n{s.participant_address}".strip(), f"Account: {s.account}"],
                [
                    f"Period: {s.period_first:%B %-d} to {s.period_last:%B %-d, %Y}",
                    f"Statement date: {s.prepared_on:%B %-d, %Y}",
                ],
            ],
            [3.55 * inch, 3.55 * inch],
        ),
        Spacer(1, 8),
        Paragraph("Services this month", styles["Heading3"]),
    ]
    if s.lines:
        rows = [["Date", "Code", "Service", "Charge", "Discount", "You owe"]]
        rows += [
            [
                f"{line.service_date:%m/%d/%Y}",
                line.code,
                line.what,
                _money(line.charge),
                _money(line.discount),
                _money(line.charge - line.discount),
            ]
            for line in s.lines
        ]
        story.append(_boxes(rows, [0.9 * inch, 0.7 * inch, 2.5 * inch, 1.0 * inch, 1.0 * inch, 1.0 * inch]))
        tiers = sorted({line.tier for line in s.lines if line.tier})
        if tiers:
            story.append(Paragraph("Discount: " + "; ".join(tiers), styles["Normal"]))
    else:
        story.append(Paragraph("No services this month.", styles["Normal"]))
    story.append(Paragraph("Payments this month", styles["Heading3"]))
    if s.payments:
        rows = [["Date", "How", "Amount"]]
        rows += [[f"{pay.received_on:%m/%d/%Y}", pay.how, _money(pay.amount)] for pay in s.payments]
        story.append(_boxes(rows, [0.9 * inch, 4.2 * inch, 1.0 * inch]))
    else:
        story.append(Paragraph("No payments this month.", styles["Normal"]))
    story += [
        Spacer(1, 8),
        _boxes(
            [
                ["Balance from before this month", _money(s.previous_balance)],
                ["Charges this month", _money(s.charges)],
                ["Sliding-fee discount", _money(-s.discounts)],
                ["Payments this month", _money(-s.paid)],
                ["Balance due", _money(s.balance)],
            ],
            [5.1 * inch, 2.0 * inch],
        ),
        Spacer(1, 8),
        Paragraph(
            f"<b>Amount due: {_money(max(s.balance, Decimal('0')))}</b>"
            + (f" by {s.due_on:%B %-d, %Y}." if s.balance > 0 else ". Thank you: nothing is due."),
            styles["Normal"],
        ),
        Paragraph("How to pay", styles["Heading3"]),
        Paragraph(
            f"Pay at the front desk of {p['name']} (cash, check, money order or card), or mail a check "
            f"payable to {p['name']} to {p['address']}. Write your account number ({s.account}) on the "
            "check.",
            styles["Normal"],
        ),
        Paragraph(
            f"Questions about this bill, or cannot pay all of it? Call {p['phone']}. We can set up a payment "
            "plan, and if your household income has changed, ask us to look at your sliding-fee discount "
            "again. Nobody is turned away from treatment because they cannot pay.",
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return out.getvalue()
