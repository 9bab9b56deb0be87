"""End to end in a real browser: an attended group is held until its note is signed; the facilitator
signs it; billing builds the charge, writes the 837P (validated by pyx12) and posts the payer's 835."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from bridge.billing.models import Authorization, Claim
from bridge.billing.tests import clinic
from bridge.billing.tests import factories as f
from bridge.billing.x12.remittance import PaidClaim, PaidLine, build_835
from bridge.billing.x12.validate import problems
from bridge.clinical.models import GroupNoteEntry, Note
from bridge.testing.browser import browser_login
from bridge.testing.personas import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALEX_PART = (
    "Alex described a tense weekend and a craving at a family dinner.",
    "Rehearsed a refusal with a peer; named a sponsor to call.",
    "Goal: sober evenings. Kept five of seven evenings alcohol-free.",
)


def _write_part_and_wait(page, note, participant):
    """Type the member's individualized part and wait for its autosaves to land with nothing in flight:
    the live test server shares one SQLite connection across threads (see the group-note browser test)."""
    part = page.locator(f"#part-{participant.pk}")
    part.get_by_label("Participation").fill(ALEX_PART[0])
    part.get_by_label("Response").fill(ALEX_PART[1])
    part.get_by_label("Progress on their goals").fill(ALEX_PART[2])
    page.get_by_role("region", name="Shared part").get_by_label("Topic").click()  # leave the part: autosave
    page.locator(f"#status-{participant.pk}").get_by_text(re.compile("Saved at")).wait_for()
    for _ in range(60):
        if GroupNoteEntry.objects.get(note=note, participant=participant).progress == ALEX_PART[2]:
            break
        time.sleep(0.5)
    for _ in range(2):
        page.wait_for_function("() => document.querySelectorAll('.htmx-request').length === 0")
        time.sleep(0.3)


def test_group_to_signed_note_to_charge_to_claim_to_payment(world, page, settings, tmp_path):
    page.set_default_timeout(30_000)  # a loaded machine; nothing here is timed
    settings.BRIDGE_CLEARINGHOUSE_DIR = str(tmp_path)
    day = timezone.localdate() - timedelta(days=2)
    f.billing_profile(world.program)
    payer = f.payer(world.program)
    f.fee(payer, code="H0015", modifiers="HF", rate="150.00")
    coverage = f.coverage(world.alex, f.plan(payer), effective_on=day - timedelta(days=30))
    Authorization.objects.create(
        participant=world.alex,
        coverage=coverage,
        units_approved=20,
        starts_on=day - timedelta(days=5),
        ends_on=day + timedelta(days=30),
        reference_number="DMC-77",
    )
    clinic.admit(world.alex, world.therapist_a, on=day - timedelta(days=30))
    f.tpo_consent(world.alex, world.director)
    series = clinic.series(world.program, world.therapist_a)
    session = clinic.group(
        world.program, world.therapist_a, day, participants=[world.alex], signed=False, series=series
    )

    browser_login(page, "billing", PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Billing").click()
    page.get_by_role("link", name="Held charges").click()
    page.get_by_text("Note not signed").first.wait_for()
    # The summary counts each reason in words, not by its code.
    summary = page.locator("ul.plain").first.inner_text()
    assert "Note not signed" in summary and "not_signed" not in summary

    page.context.clear_cookies()
    browser_login(page, "therapist_a", PASSWORD)
    page.goto(f"/groups/{session.pk}/")
    # The fixture's part for Alex is a placeholder ("Took part"): signing would be refused until the
    # facilitator writes an individualized part, which is what a facilitator does here.
    note = Note.objects.get(session=session)
    _write_part_and_wait(page, note, world.alex)
    page.get_by_role("button", name="Sign the group note").click()
    page.get_by_text("Signed and locked.").wait_for()
    note.refresh_from_db()
    assert note.signed_at is not None

    page.context.clear_cookies()
    browser_login(page, "billing", PASSWORD)
    page.goto("/billing/held/")
    page.get_by_role("button", name="Build charges now").click()
    page.get_by_text("1 charges created; 0 services held.").wait_for()
    page.get_by_role("link", name="Claims and remittances").click()
    page.get_by_role("button", name=re.compile("Write 837P")).click()
    page.get_by_text(re.compile("1 claims in 1 file")).wait_for()
    (written,) = (tmp_path / "837p").iterdir()
    assert problems(written.read_text()) == []

    claim = Claim.objects.get()
    charge = claim.lines.get()
    remit = tmp_path / "payment.835"
    remit.write_text(
        build_835(
            payer_name=payer.name,
            payer_id=payer.payer_id,
            payee_name="Harbor IOP",
            payee_npi="1234567893",
            trace="EFT-BROWSER-1",
            paid_on=timezone.localdate(),
            control=555,
            when=timezone.now(),
            claims=[
                PaidClaim(
                    claim.number,
                    coverage.member_id,
                    "Alex",
                    "Sample",
                    (PaidLine("H0015", ("HF",), charge.service_date, Decimal("150"), Decimal("150")),),
                )
            ],
        )
    )
    page.locator("#remit-file").set_input_files(str(remit))
    page.get_by_role("button", name="Post").click()
    page.get_by_text("Posted 1 payments, 0 adjustments, 0 denials.").wait_for()
    row = page.locator("table.data tbody tr", has_text=claim.number)
    assert "Paid" in row.inner_text()
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID and claim.paid == Decimal("150")
