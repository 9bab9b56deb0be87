"""Every addendum (a later addition to a signed record) is one shape: `core.models.AddendumBase`."""

from __future__ import annotations

from django.apps import apps
from django.db import models

from bridge.core.models import AddendumBase


def _addenda() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, AddendumBase)]


def test_the_addenda_of_notes_and_discharge_summaries_share_the_base():
    names = {m._meta.label for m in _addenda()}
    assert {"clinical.Addendum", "aftercare.SummaryAddendum"} <= names


def test_each_addendum_keeps_who_when_why_and_what_and_requires_a_reason_and_text():
    for model in _addenda():
        fields = {f.name for f in model._meta.fields}
        assert {"author", "created_at", "reason", "text"} <= fields, model
        assert model._meta.ordering == ["created_at"], model
        checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
        assert any("reason" in str(c.condition) and "text" in str(c.condition) for c in checks), model
        # It belongs to one signed record, which lists it as `addenda`.
        assert any(
            isinstance(f, models.ForeignKey) and f.remote_field.related_name == "addenda"
            for f in model._meta.fields
        ), model
