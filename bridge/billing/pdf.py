"""A CMS-1500-style paper claim (for payers that take paper), as a PDF with reportlab.

Not the red-ink OCR form: the same boxes, numbered as on the CMS-1500 (02/12), laid out as a
readable page. Every page carries the Part 2 notice that must go with records released under 42 CFR
part 2. Plain data in, bytes out: no Django here.
"""

from __future__ import annotations

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
