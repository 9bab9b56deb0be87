"""The member id the intake asks for fits the coverage admission makes from it: a longer one is a
field error on the screening's form, not a refused admission (found by the crawl)."""

from __future__ import annotations

import pytest

from bridge.billing.models import Coverage
from bridge.intake.forms import DetailsForm
from bridge.intake.models import Screening

pytestmark = pytest.mark.django_db


def test_the_screening_member_id_is_no_longer_than_the_coverage_member_id():
    longest = Coverage._meta.get_field("member_id").max_length
    assert Screening._meta.get_field("insurance_member_id").max_length == longest


def test_a_member_id_too_long_for_the_coverage_is_a_field_error():
    form = DetailsForm(data={"insurance_member_id": "M" * 41})
    assert not form.is_valid()
    assert "at most 40 characters" in form.errors["insurance_member_id"][0]
