"""999 and 277CA acknowledgements set claims accepted or rejected with the reason in words; shipped
sample files (validated by pyx12); refusals change nothing; the claims page and the console."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from bridge.audit.models import AuditEvent
from bridge.billing.models import Claim, ClaimAcknowledgement
from bridge.billing.services.acknowledgements import acknowledgement_post
from bridge.billing.tests import factories as f
from bridge.billing.x12.validate import X12Error

pytestmark = pytest.mark.django_db
SAMPLES = Path(__file__).parent / "samples"


def sample(name: str) -> str:
    return (SAMPLES / name).read_text().strip()


@pytest.fixture
def claims(world):
    """Alex's two submitted claims in file 4711 (as in the shipped 999 and 277CA) and Blair's in 4712."""
    payer = f.payer(world.program)
    alex = f.coverage(world.alex, f.plan(payer))
    blair = f.coverage(world.blair, f.plan(payer), member_id="99887766B")
    rows = [("C100000001", alex, "837P-4711.x12"), ("C100000002", alex, "837P-4711.x12")]
    rows.append(("C100000003", blair, "837P-4712.x12"))
    return [
        Claim.objects.create(
            program=world.program,
            participant=coverage.participant,
            coverage=coverage,
            claim_format="837p",
            number=number,
            status=Claim.Status.SUBMITTED,
            total=Decimal("150"),
            file_name=name,
        )
        for number, coverage, name in rows
    ]


def _post(world, name: str):
    return acknowledgement_post(actor=world.billing, program=world.program, text=sample(name), file_name=name)


def _statuses() -> dict[str, str]:
    return dict(Claim.objects.values_list("number", "status"))


def test_an_accepted_999_leaves_the_claims_waiting_for_the_payer(world, claims):
    result = _post(world, "ack-accepted.999")
    assert sorted(c.number for c in result.accepted) == ["C100000001", "C100000002"]
    assert not result.rejected
    assert _statuses() == {"C100000001": "submitted", "C100000002": "submitted", "C100000003": "submitted"}
    claim = Claim.objects.get(number="C100000001")
    assert claim.status_reason == "999 for file 4711: Accepted"
    record = ClaimAcknowledgement.objects.get()
    assert (record.kind, record.control_number, record.accepted) == ("999", "000071001", 2)


def test_a_rejected_999_rejects_every_claim_in_the_file_with_the_errors(world, claims):
    result = _post(world, "ack-rejected.999")
    assert [c.number for c in result.rejected] == ["C100000003"]
    claim = Claim.objects.get(number="C100000003")
    assert claim.status == Claim.Status.REJECTED
    assert claim.status_reason.startswith("999 for file 4712: Rejected: NM1 (segment 21)")
    assert "element 9: Invalid code value ('91234567')" in claim.status_reason
    assert Claim.objects.get(number="C100000001").status == Claim.Status.SUBMITTED
    assert AuditEvent.objects.filter(
        action="update", object_type="claim", object_id=str(claim.pk), participant=world.blair
    ).exists()


def test_a_277ca_accepts_one_claim_and_rejects_the_other_with_the_reason(world, claims):
    result = _post(world, "claims-ack.277")
    assert [c.number for c in result.accepted] == ["C100000001"]
    assert [c.number for c in result.rejected] == ["C100000002"]
    accepted, rejected = Claim.objects.get(number="C100000001"), Claim.objects.get(number="C100000002")
    assert accepted.status == Claim.Status.ACCEPTED
    assert (
        accepted.status_reason
        == "277CA: Accepted into adjudication: Accepted for processing (payer claim 26314000123)"
    )
    assert rejected.status == Claim.Status.REJECTED
    assert rejected.status_reason == (
        "277CA: Rejected for invalid information: Entity's contract/member number (subscriber)"
    )


def test_a_paid_claim_is_not_reopened_by_a_late_acknowledgement(world, claims):
    Claim.objects.filter(number="C100000002").update(status=Claim.Status.PAID)
    result = _post(world, "claims-ack.277")
    assert [c.number for c in result.unchanged] == ["C100000002"]
    assert Claim.objects.get(number="C100000002").status == Claim.Status.PAID


def test_unknown_claims_repeats_and_broken_files_are_refused_and_change_nothing(world, claims):
    Claim.objects.filter(number="C100000002").update(number="C900000002")
    with pytest.raises(X12Error) as refused:
        _post(world, "claims-ack.277")
    assert "TRN: Claim C100000002 is not one of this program's claims" in str(refused.value)
    assert set(_statuses().values()) == {"submitted"} and not ClaimAcknowledgement.objects.exists()
    Claim.objects.filter(number="C900000002").update(number="C100000002")

    broken = sample("claims-ack.277").replace("DTP*472*RD8*20261102-20261102~\n", "")
    with pytest.raises(X12Error) as refused:
        acknowledgement_post(actor=world.billing, program=world.program, text=broken, file_name="b.277")
    assert refused.value.problems  # pyx12 names the segment and the reason
    assert set(_statuses().values()) == {"submitted"}

    with pytest.raises(X12Error) as refused:
        acknowledgement_post(
            actor=world.billing, program=world.program, text=sample("remit-medi-cal.835"), file_name="x"
        )
    assert "Not a 999 or 277CA" in str(refused.value)

    _post(world, "claims-ack.277")
    with pytest.raises(X12Error) as refused:
        _post(world, "claims-ack.277")
    assert "was received already" in str(refused.value)
    assert ClaimAcknowledgement.objects.count() == 1


def test_billing_reads_a_277ca_on_the_claims_page(world, login, claims):
    url = reverse("billing:ack_upload")
    upload = SimpleUploadedFile("claims-ack.277", sample("claims-ack.277").encode())
    response = login(world.billing).post(url, {"file": upload}, follow=True)
    body = response.content.decode()
    assert "277CA: 1 claims accepted, 1 rejected." in body
    assert "Claim C100000002 rejected: 277CA: Rejected for invalid information" in body
    assert login(world.billing).post(url).status_code == 400  # no file: the field is named
    upload = SimpleUploadedFile("claims-ack.277", sample("claims-ack.277").encode())
    assert login(world.frontdesk).post(url, {"file": upload}).status_code == 403
    assert set(_statuses().values()) == {"accepted", "rejected", "submitted"}
    # A director of another program: the claims are not theirs; refused, nothing changes.
    upload = SimpleUploadedFile("again.277", sample("claims-ack.277").encode())
    body = login(world.outsider).post(url, {"file": upload}, follow=True).content.decode()
    assert "not one of this program&#x27;s claims" in body and ClaimAcknowledgement.objects.count() == 1


def test_console_reads_999_and_277ca(world, claims):
    out = StringIO()
    call_command("billing", "ack", str(SAMPLES / "ack-rejected.999"), "--program", "Harbor", stdout=out)
    assert "999: accepted 0 rejected 1 unchanged 0" in out.getvalue()
    assert "C100000003: 999 for file 4712: Rejected" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "billing", "ack", str(SAMPLES / "ack-rejected.999"), "--program", "Harbor", stderr=StringIO()
        )
