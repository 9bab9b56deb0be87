"""PDF documents that leave the program: disclosure packages, signed consents, accountings.

Pure reportlab (no system libraries). Every page carries the Part 2 label line at the top and the
short 2024 notice at the bottom; a disclosure package also prints the full 42 CFR 2.32 notice and
the consent summary before any record.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from bridge.privacy import labels
from bridge.privacy.notice import REDISCLOSURE_NOTICE_SHORT

_styles = getSampleStyleSheet()
BODY = ParagraphStyle("body", parent=_styles["BodyText"], fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10)
H1 = ParagraphStyle("h1", parent=_styles["Heading1"], fontSize=15, leading=19, spaceAfter=6)
H2 = ParagraphStyle("h2", parent=_styles["Heading2"], fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4)
NOTICE = ParagraphStyle(
    "notice",
    parent=BODY,
    borderColor=colors.black,
    borderWidth=1,
    borderPadding=6,
    backColor=colors.HexColor("#f4f4f4"),
    spaceBefore=6,
    spaceAfter=10,
)


def p(text: str, style: ParagraphStyle = BODY) -> Paragraph:
    return Paragraph(escape(text), style)


def _decorate(title: str):
    def on_page(canvas, doc) -> None:
        canvas.saveState()
        width, height = LETTER
        canvas.setFont("Helvetica-Bold", 8)
        canvas.drawString(0.75 * inch, height - 0.5 * inch, labels.PRINT_LABEL)
        canvas.setFont("Helvetica", 7.5)
        canvas.drawString(0.75 * inch, 0.45 * inch, REDISCLOSURE_NOTICE_SHORT)
        canvas.drawRightString(width - 0.75 * inch, 0.45 * inch, f"{title} · page {doc.page}")
        canvas.restoreState()

    return on_page


def _render(title: str, story: list) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=LETTER,
        title=title,
        author="Bridge",
        leftMargin=0.75 * inch,
        rightMargin=0.75 * inch,
        topMargin=0.8 * inch,
        bottomMargin=0.8 * inch,
        invariant=1,
    )
    decorate = _decorate(title)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def _facts(rows: Iterable[tuple[str, str]]) -> Table:
    data = [[p(k, SMALL), p(v)] for k, v in rows]
    table = Table(data, colWidths=[1.7 * inch, 5.2 * inch])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def disclosure_pdf(package: dict) -> bytes:
    """The human-readable disclosure package, from the stored package (exactly what was released)."""
    story: list = [
        p(f"Records disclosed by {package['program']['name']}", H1),
        _facts(
            [
                ("From", f"{package['program']['name']}, {package['program']['address']}"),
                ("To", f"{package['recipient']['name']}, {package['recipient']['address']}"),
                ("About", package["participant"]["name"]),
                ("Purpose", package["purpose"]),
                ("Records dated", f"{package['date_from']} to {package['date_to']}"),
                ("Prepared", package["created_at"]),
            ]
        ),
        p("Notice to the recipient", H2),
        *[p(part, NOTICE) for part in package["notice"].split("\n\n")],
    ]
    if package.get("consent_summary"):
        story += [p("The consent this disclosure relies on", H2), *[p(x) for x in package["consent_summary"]]]
    else:
        story += [
            p(f"Legal basis: {package.get('legal_basis', '')}", H2),
            *[p(x) for x in package.get("basis_lines", [])],
        ]
    for section in package["sections"]:
        story.append(p(section["label"], H2))
        if not section["records"]:
            story.append(p("No records of this kind in the period."))
        for record in section["records"]:
            block = [p(record["title"], ParagraphStyle("rt", parent=BODY, fontName="Helvetica-Bold"))]
            if record["lines"]:
                block.append(_facts([(k, v) for k, v in record["lines"]]))
            block.append(Spacer(1, 4))
            story.append(KeepTogether(block))
    return _render("Disclosure", story)


def consent_pdf(consent_view: dict) -> bytes:
    """The signed consent form: the program's copy, then the participant's copy."""
    story: list = []
    for copy_label in ("Program's copy", "Participant's copy"):
        if story:
            story.append(PageBreak())
        story += [
            p(f"Consent to disclose substance use disorder records — {copy_label}", H1),
            _facts(consent_view["elements"]),
            p("What you should know", H2),
            *[p(s) for s in consent_view["statements"]],
            p("Signature", H2),
            _facts(consent_view["signature"]),
        ]
        if consent_view.get("status_rows"):
            story += [p("Status", H2), _facts(consent_view["status_rows"])]
    return _render("Consent", story)


def accounting_pdf(accounting: dict) -> bytes:
    """The participant's accounting of disclosures made with consent in the 3 years before the request."""
    story: list = [
        p("Accounting of disclosures", H1),
        _facts(
            [
                ("For", accounting["participant"]),
                ("Program", accounting["program"]),
                ("Requested on", accounting["as_of"]),
                (
                    "Covers",
                    f"with consent (42 CFR 2.25): {accounting['window_start']} to {accounting['as_of']}; "
                    f"without consent (HIPAA): {accounting['hipaa_window_start']} "
                    f"to {accounting['as_of']}",
                ),
            ]
        ),
        Spacer(1, 8),
    ]
    if not accounting["entries"]:
        story.append(p("No accountable disclosures of your records in this period."))
    for entry in accounting["entries"]:
        story.append(
            KeepTogether(
                [
                    p(entry["date"], ParagraphStyle("ed", parent=BODY, fontName="Helvetica-Bold")),
                    _facts(
                        [
                            ("Recipient", entry["recipient"]),
                            ("Address", entry["address"]),
                            ("Information", entry["description"]),
                            ("Purpose", entry["purpose"]),
                            ("Consent or legal basis", entry.get("basis") or entry["consent"]),
                            ("Accountable under", entry.get("accountable", "")),
                        ]
                    ),
                    Spacer(1, 6),
                ]
            )
        )
    return _render("Accounting of disclosures", story)


def signed_document_pdf(document: dict, signature_rows: list[tuple[str, str]]) -> bytes:
    """A document the participant signed on a screen (a plan, the notice acknowledgement), exactly as
    they read it, with its signature event."""
    story: list = [
        p(document.get("title", "Signed document"), H1),
        _facts([(str(k), str(v)) for k, v in document.get("elements", [])]),
        p("What you should know", H2),
        *[p(str(s)) for s in document.get("statements", [])],
        p("Signature", H2),
        _facts(signature_rows),
    ]
    return _render("Signed document", story)
