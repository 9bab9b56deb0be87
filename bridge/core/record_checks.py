"""Dates stored outside what the database can give back (before the range constraints existed, or
written around them): every date and date-time column of every Bridge model."""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps

from bridge.core.dates import model_date_fields, out_of_range_q
from bridge.core.records import RecordFinding


def checks() -> Iterable[RecordFinding]:
    for model in apps.get_models():
        if not model.__module__.startswith("bridge."):
            continue
        meta = model._meta
        assert meta.model_name is not None  # set on every concrete model
        for field in model_date_fields(model):
            # Only the ids are read: the value itself may be unreadable (year 10000 on PostgreSQL).
            for pk in model._base_manager.filter(out_of_range_q(field.name, field)).values_list(
                "pk", flat=True
            ):
                yield RecordFinding(
                    app=meta.app_label,
                    model=meta.model_name,
                    pk=str(pk),
                    problem=f"{field.name} is outside 1900-01-01..2099-12-31 and cannot be shown",
                    fix=(
                        f"Find the right date with the person who entered it, then correct column "
                        f"{field.column} of row {pk} in table {meta.db_table} (`bridge dbshell`; an "
                        "append-only table needs its owner), and note why in the record"
                    ),
                )
