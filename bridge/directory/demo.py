"""Demo data for the public directory: the shared SAMHSA files, and a live listing for the demo program."""

from __future__ import annotations

from datetime import date, timedelta

from bridge.directory import services
from bridge.directory.codes import DATA_DIR

# The files shipped in bridge/directory/data/ and when SAMHSA published what they hold (data/README.md).
DEMO_FILES = (
    ("ca_residential_facilities_findtreatment_2025.csv", date(2025, 8, 27)),
    ("findtreatment_api_sample_2019.json", date(2019, 6, 18)),
)


def build(ctx) -> None:
    for name, as_of in DEMO_FILES:
        services.facility_import(path=DATA_DIR / name, as_of=as_of)
    director, program, today = ctx.staff["director"], ctx.program, ctx.today
    services.profile_update(
        actor=director,
        program=program,
        published=True,
        admitting=True,
        summary=(
            "Evening, daytime and weekend groups for adults in recovery from alcohol and drug use, "
            "with medication support and an alumni community."
        ),
        website="https://harborlight.example/iop",
        intake_phone="(510) 555-0100",
        languages=["SP"],
        payment=["MD", "PI", "SS", "CASH"],
        approaches=["CBT", "MI", "RELP", "TWFA"],
        medications=["buprenorphine", "naltrexone"],
        accepts_outside_mat=True,
        dual_diagnosis=True,
        aftercare=["aftercare", "stepdown", "alumni"],
    )
    services.accreditation_add(
        actor=director,
        program=program,
        body="CARF",
        number="CARF-1187204",
        expires_on=today + timedelta(days=420),
    )
    services.license_add(
        actor=director,
        program=program,
        authority="SSA",
        issuer="California Department of Health Care Services",
        state="CA",
        number="010987AP",
        expires_on=today + timedelta(days=300),
    )
    # An accreditation that lapsed: it is not on the public listing, and the director's home says so.
    expired = services.accreditation_add(
        actor=director, program=program, body="JC", number="JC-550912", expires_on=today + timedelta(days=1)
    )
    expired.expires_on = today - timedelta(days=12)
    expired.save(update_fields=["expires_on"])
