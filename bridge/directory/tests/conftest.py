"""Fixtures for the directory tests: imported facilities placed where we want them, and a live listing."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from bridge.directory import geo, services
from bridge.directory.codes import DATA_DIR
from bridge.directory.models import Facility, ImportRun

CA_FILE = DATA_DIR / "ca_residential_facilities_findtreatment_2025.csv"
API_FILE = DATA_DIR / "findtreatment_api_sample_2019.json"
_keys = itertools.count(1)


@pytest.fixture
def import_run(db) -> ImportRun:
    return ImportRun.objects.create(
        source_name="fixture.csv",
        source_format="label_csv",
        source_sha256="0" * 64,
        finished_at=timezone.now(),
    )


@pytest.fixture
def make_facility(import_run):
    """`make_facility(name, zip_code, codes=..., **fields)`: a facility at the center of a ZIP code."""

    def _make(
        name: str, zip_code: str = "94607", codes: tuple[str, ...] = ("SA", "IOP"), **fields
    ) -> Facility:
        at = fields.pop("at", None) or geo.zip_centroid(zip_code)
        assert at is not None, f"no centroid for {zip_code}"
        lat, lon = at
        return Facility.objects.create(
            source_key=f"test-{next(_keys)}",
            name=name,
            state=fields.pop("state", "CA"),
            zip_code=zip_code,
            latitude=lat,
            longitude=lon,
            service_codes=f" {' '.join(sorted(codes))} ",
            services=[["unmapped", c, c] for c in codes],
            fingerprint="x",
            first_import=import_run,
            last_import=import_run,
            **fields,
        )

    return _make


@pytest.fixture
def listed(world):
    """Harbor (the personas' program, ZIP 94607) published with a current CARF accreditation and license."""
    services.profile_update(
        actor=world.director,
        program=world.program,
        published=True,
        admitting=True,
        languages=["SP"],
        payment=["MD", "SS"],
        approaches=["CBT"],
        medications=["buprenorphine"],
        accepts_outside_mat=True,
        dual_diagnosis=True,
        aftercare=["aftercare", "alumni"],
    )
    today = timezone.localdate()
    services.accreditation_add(
        actor=world.director,
        program=world.program,
        body="CARF",
        number="C-1",
        expires_on=today + timedelta(days=200),
    )
    services.license_add(
        actor=world.director,
        program=world.program,
        authority="SSA",
        issuer="California Department of Health Care Services",
        state="CA",
        number="L-1",
        expires_on=today + timedelta(days=200),
    )
    return world
