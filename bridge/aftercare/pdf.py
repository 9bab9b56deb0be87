"""The discharge summary as PDF, with the Part 2 label and notice on every page (bridge/privacy/pdf.py)."""

from __future__ import annotations

from bridge.aftercare.models import DischargeSummary
from bridge.aftercare.services import GOAL_OUTCOMES
from bridge.privacy.pdf import BODY, H1, H2, SMALL, _facts, _render, p


def summary_pdf(summary: DischargeSummary, addenda: list) -> bytes:
    f = summary.figures
    participant = summary.participant
    hours = f.get("hours", {})
    story = [
        p(f"Discharge summary — {participant.legal_name}", H1),
        _facts(
            [
                ("Date of birth", f"{participant.date_of_birth:%b %d, %Y}"),
                ("Admitted", f["admitted_on"]),
                ("Discharged", f"{f['discharged_on']} ({f['type']})"),
                ("Goes next to", f["destination"]),
                ("Levels of care", "; ".join(f"{lv['label']} from {lv['from']}" for lv in f["levels"])),
                (
                    "Hours attended",
                    f"{hours.get('attended')} h of {hours.get('required')} h required"
                    + (f" ({hours['percent']}%)" if hours.get("percent") is not None else ""),
                ),
                (
                    "Drug screens",
                    f"{f['screens']['count']} screens; "
                    f"{f['screens']['unexpected_positive']} with an unexpected positive",
                ),
                ("Medications at discharge", "; ".join(f["medications"]) or "None"),
                (
                    "Status",
                    f"Signed by {summary.signature} on {summary.signed_at:%b %d, %Y}"
                    if summary.signed_at
                    else "DRAFT — not signed",
                ),
            ]
        ),
        p("Measures (first and last score)", H2),
    ]
    if f["measures"]:
        story.append(
            _facts(
                (
                    m["instrument"],
                    f"{m['first']['score']} ({m['first']['band']}) on {m['first']['on']} → "
                    f"{m['last']['score']} ({m['last']['band']}) on {m['last']['on']}",
                )
                for m in f["measures"]
            )
        )
    else:
        story.append(p("No measures recorded."))
    story.append(p("Plan goals", H2))
    for g in summary.goals:
        story.append(p(f"• {g['statement']} — {GOAL_OUTCOMES.get(g.get('outcome', ''), 'not marked')}"))
    for label, text in (
        ("Course of treatment", summary.course),
        ("Condition at discharge", summary.condition),
        ("Aftercare plan", summary.aftercare),
        ("Recommendations", summary.recommendations),
    ):
        story += [p(label, H2), p(text or "—", BODY)]
    for a in addenda:
        story += [p(f"Addendum {a.created_at:%b %d, %Y %H:%M} by {a.author} — {a.reason}", SMALL), p(a.text)]
    return _render("Discharge summary", story)
