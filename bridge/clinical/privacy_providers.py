"""The clinical record's data classes, for disclosures under consent (bridge/privacy/providers.py).

Readable records only (no FHIR resources yet). Only signed, not entered-in-error documentation is
released; a group note gives the shared part and this participant's own part, never another
member's. SUD counseling notes are not kept by this app.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from bridge.clinical import queries
from bridge.clinical.models import DrugScreen, MedicationOrder, PlanVersion, Problem
from bridge.privacy.providers import Record
from bridge.privacy.vocab import DataClass


def _span(participant, date_from: date, date_to: date) -> tuple[datetime, datetime]:
    tz = participant.program.tz
    return datetime.combine(date_from, time.min, tzinfo=tz), datetime.combine(
        date_to + timedelta(days=1), time.min, tzinfo=tz
    )


def _signed_versions(participant, date_from, date_to):
    start, end = _span(participant, date_from, date_to)
    return PlanVersion.objects.filter(
        plan__participant=participant, signed_at__gte=start, signed_at__lt=end
    ).order_by("signed_at")


def diagnoses(participant, date_from: date, date_to: date) -> Iterable[Record]:
    seen = set()
    for problem in Problem.objects.filter(
        version__in=_signed_versions(participant, date_from, date_to)
    ).select_related("version"):
        if problem.code in seen:
            continue
        seen.add(problem.code)
        yield Record(
            data_class=DataClass.DIAGNOSES,
            object_type="problem",
            object_id=str(problem.pk),
            title=f"{problem.code} {problem.description}",
            when=timezone.localdate(problem.version.signed_at),
            lines=(("ICD-10-CM", problem.code), ("Description", problem.description)),
        )


def treatment_plan(participant, date_from: date, date_to: date) -> Iterable[Record]:
    for version in _signed_versions(participant, date_from, date_to):
        lines = []
        for node in queries.version_tree(version):
            lines.append(("Problem", f"{node.problem.code} {node.problem.description}"))
            for g in node.goals:
                lines.append(("Goal", g.goal.statement))
                lines += [("Objective", f"{o.text} (by {o.target_on:%Y-%m-%d})") for o in g.objectives]
                lines += [
                    ("Intervention", f"{i.get_modality_display()}, {i.frequency}") for i in g.interventions
                ]
        yield Record(
            data_class=DataClass.TREATMENT_PLAN,
            object_type="planversion",
            object_id=str(version.pk),
            title=f"Treatment plan version {version.number}",
            when=timezone.localdate(version.signed_at),
            lines=tuple(lines),
        )


def progress_notes(participant, date_from: date, date_to: date) -> Iterable[Record]:
    start, end = _span(participant, date_from, date_to)
    notes = (
        queries.notes_for(participant)
        .filter(
            signed_at__isnull=False,
            error_at__isnull=True,
            session__starts_at__gte=start,
            session__starts_at__lt=end,
        )
        .order_by("session__starts_at")
    )
    for note in notes:
        lines = [(label, text) for label, text in note.sections()]
        if note.is_group and note.my_entries:
            entry = note.my_entries[0]
            lines += [
                ("Participation", entry.participation),
                ("Response", entry.response),
                ("Progress", entry.progress),
            ]
        lines += [
            (f"Addendum ({a.created_at:%Y-%m-%d})", a.text)
            for a in queries.addenda_visible(note, participant)
        ]
        when = timezone.localtime(note.session.starts_at, participant.program.tz)
        yield Record(
            data_class=DataClass.PROGRESS_NOTES,
            object_type="note",
            object_id=str(note.pk),
            title=f"{when:%Y-%m-%d} {note.get_kind_display()} note",
            when=when.date(),
            lines=tuple(lines),
        )


def medications(participant, date_from: date, date_to: date) -> Iterable[Record]:
    orders = MedicationOrder.objects.filter(participant=participant, start_on__lte=date_to).filter(
        Q(stop_on__isnull=True) | Q(stop_on__gte=date_from)
    )
    for o in orders.prefetch_related("dose_changes", "administrations"):
        lines = [
            ("Medication", o.get_drug_display()),
            ("Reason", o.reason),
            ("Started", f"{o.start_on:%Y-%m-%d}"),
        ]
        if o.stop_on:
            lines.append(("Stopped", f"{o.stop_on:%Y-%m-%d}: {o.stop_reason}"))
        lines += [
            ("Dose", f"{c.dose} {o.unit} {c.get_frequency_display().lower()} from {c.effective_on:%Y-%m-%d}")
            for c in o.dose_changes.all()
        ]
        lines += [
            (
                "Given in clinic",
                f"{timezone.localdate(a.given_at):%Y-%m-%d}, {a.dose} {o.unit}, lot {a.lot_number}",
            )
            for a in o.administrations.all()
            if not a.error_at and date_from <= timezone.localdate(a.given_at) <= date_to
        ]
        yield Record(
            data_class=DataClass.MEDICATIONS,
            object_type="medicationorder",
            object_id=str(o.pk),
            title=o.get_drug_display(),
            when=o.start_on,
            lines=tuple(lines),
        )


def drug_screens(participant, date_from: date, date_to: date) -> Iterable[Record]:
    screens = DrugScreen.objects.filter(
        participant=participant, error_at__isnull=True, collected_on__gte=date_from, collected_on__lte=date_to
    ).prefetch_related("results")
    for s in screens.order_by("collected_on"):
        lines = tuple(
            (
                r.get_substance_display(),
                r.get_result_display() + (" (expected: prescribed)" if r.expected else ""),
            )
            for r in s.results.all()
        )
        yield Record(
            data_class=DataClass.DRUG_SCREENS,
            object_type="drugscreen",
            object_id=str(s.pk),
            title=f"Drug screen {s.collected_on:%Y-%m-%d}",
            when=s.collected_on,
            lines=lines,
        )


PROVIDERS = {
    DataClass.DIAGNOSES: diagnoses,
    DataClass.TREATMENT_PLAN: treatment_plan,
    DataClass.PROGRESS_NOTES: progress_notes,
    DataClass.MEDICATIONS: medications,
    DataClass.DRUG_SCREENS: drug_screens,
}
