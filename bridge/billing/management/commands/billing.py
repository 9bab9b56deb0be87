"""`bridge billing …`: the revenue cycle from the console (automation, the worker's nightly job).

  bridge billing charges --through YYYY-MM-DD [--from YYYY-MM-DD] [--program NAME]
  bridge billing claims --format 837p|837i --out DIR [--program NAME]
      (needs BRIDGE_BILLING_DISCLOSER: the username of the director or billing staff member
      responsible for claim sending, named in each participant's accounting of disclosures)
  bridge billing resubmit --claim ID|NUMBER --reason TEXT --out DIR [--action replace|void|resend]
      [--diagnosis ICD10]   (a corrected claim: by default a replacement, frequency 7, naming the
      payer's claim number; a claim the payer never accepted goes again as a fresh original)
  bridge billing remit FILE.835 [--program NAME]
  bridge billing ack FILE.999|FILE.277 [--program NAME]
  bridge billing eligibility --participant UUID --out FILE.270
  bridge billing eligibility --read FILE.271

Bad files are refused with the segment and the reason, and change nothing (exit status 1).
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import date, timedelta
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from bridge.billing.models import Claim, ClaimFormat, Coverage
from bridge.billing.services.acknowledgements import acknowledgement_post
from bridge.billing.services.charges import Reason, charges_build
from bridge.billing.services.claims import claims_build, console_discloser
from bridge.billing.services.corrections import Correction, claim_resubmit, corrections_for
from bridge.billing.services.eligibility import eligibility_read, profile_for, subscriber_of
from bridge.billing.services.remittance import remittance_post
from bridge.billing.x12.eligibility import build_270
from bridge.billing.x12.validate import X12Error, problems
from bridge.core.refusal import as_command_error
from bridge.programs.models import Program


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Build charges, write claims (837), read 999/277CA, post remittances (835), eligibility (270/271)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="subcommand", required=True)
        charges = sub.add_parser("charges", help="Build charges from signed, attended, qualifying services.")
        charges.add_argument("--through", required=True)
        charges.add_argument("--from", dest="first")
        charges.add_argument("--program")
        claims = sub.add_parser("claims", help="Write the ready claims as X12 837 files.")
        claims.add_argument("--format", required=True, choices=ClaimFormat.values)
        claims.add_argument("--out", required=True)
        claims.add_argument("--program")
        resubmit = sub.add_parser("resubmit", help="Correct a rejected or denied claim and send it again.")
        resubmit.add_argument("--claim", required=True, help="The claim's id or number")
        resubmit.add_argument("--reason", required=True, help="What was corrected and why")
        resubmit.add_argument("--out", required=True)
        resubmit.add_argument("--action", choices=Correction.values)
        resubmit.add_argument("--diagnosis", default="")
        remit = sub.add_parser("remit", help="Post an 835 remittance.")
        remit.add_argument("file")
        remit.add_argument("--program")
        ack = sub.add_parser("ack", help="Read a 999 or 277CA: claims accepted or rejected.")
        ack.add_argument("file")
        ack.add_argument("--program")
        elig = sub.add_parser("eligibility", help="Write a 270 request or read a 271 answer.")
        elig.add_argument("--participant")
        elig.add_argument("--out")
        elig.add_argument("--read")

    def _program(self, name: str | None) -> Program:
        programs = Program.objects.order_by("name")
        if name:
            programs = programs.filter(name=name)
        program = programs.first()
        if program is None:
            raise CommandError(f"No program {name!r}" if name else "No program yet")
        return program

    def handle(self, *args, subcommand: str, **options):
        try:
            with as_command_error():
                getattr(self, f"_{subcommand}")(**options)
        except X12Error as exc:
            for problem in exc.problems:
                self.stderr.write(f"refused: {problem}")
            raise CommandError("The file was refused; nothing changed.") from exc

    def _charges(self, through, first=None, program=None, **_):
        end = _day(through)
        start = _day(first) if first else end - timedelta(days=30)
        result = charges_build(actor=None, program=self._program(program), first=start, through=end)
        self.stdout.write(f"created {len(result.created)}")
        held = result.held_by_reason()
        self.stdout.write(f"held {len(result.held)}")
        for reason, n in held.items():
            self.stdout.write(f"  {n}  {Reason.LABELS[reason]}")

    def _claims(self, format, out, program=None, **_):
        chosen = self._program(program)
        # Checked first: every claim sent is entered in the accounting under a responsible person.
        discloser = console_discloser(chosen)
        written = claims_build(
            actor=None, program=chosen, claim_format=format, out_dir=out, discloser=discloser
        )
        for where, claims in written:
            self.stdout.write(f"{where} ({len(claims)} claims)")
        if not written:
            self.stdout.write("no ready charges")

    def _resubmit(self, claim, reason, out, action=None, diagnosis="", **_):
        found = Claim.objects.filter(number=claim.strip().upper())
        with contextlib.suppress(ValueError):
            found = found | Claim.objects.filter(pk=uuid.UUID(claim))
        old = found.select_related("program").first()
        if old is None:
            raise CommandError(f"No claim {claim}")
        allowed = corrections_for(old)
        if action is None:
            # A corrected claim: a replacement (frequency 7) when the payer knows the claim.
            action = allowed[0] if allowed else Correction.REPLACE
        discloser = console_discloser(old.program)
        new = claim_resubmit(
            actor=None,
            claim=old,
            action=action,
            reason=reason,
            diagnosis=diagnosis,
            out_dir=out,
            discloser=discloser,
        )
        self.stdout.write(
            f"claim {new.number} (frequency {new.frequency}) follows {old.number}: "
            f"{Path(out) / new.file_name}"
        )

    def _remit(self, file, program=None, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}")
        text = path.read_text(encoding="ascii", errors="replace").strip()
        result = remittance_post(actor=None, program=self._program(program), text=text, file_name=path.name)
        self.stdout.write(f"posted {result.posted} adjusted {result.adjusted} denied {result.denied}")
        for note in result.notes:
            self.stdout.write(note)

    def _ack(self, file, program=None, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file {file}")
        text = path.read_text(encoding="ascii", errors="replace").strip()
        result = acknowledgement_post(
            actor=None, program=self._program(program), text=text, file_name=path.name
        )
        kind = result.acknowledgement.kind
        self.stdout.write(
            f"{kind}: accepted {len(result.accepted)} rejected {len(result.rejected)}"
            f" unchanged {len(result.unchanged)}"
        )
        for claim in result.rejected:
            self.stdout.write(f"  {claim.number}: {claim.status_reason}")

    def _eligibility(self, participant=None, out=None, read=None, **_):
        if read:
            summary, _check = eligibility_read(
                actor=None, text=Path(read).read_text(encoding="ascii").strip()
            )
            if summary["rejected"]:
                self.stdout.write(f"rejected: {summary['rejection']}")
            else:
                self.stdout.write("active" if summary["active"] else "not active")
            for line in summary["benefits"]:
                self.stdout.write(f"  {line}")
            if summary["prior_authorization_required"] is not None:
                needed = "yes" if summary["prior_authorization_required"] else "no"
                self.stdout.write(f"  prior authorization required: {needed}")
            return
        if not (participant and out):
            raise CommandError("Give --participant UUID --out FILE.270, or --read FILE.271")
        coverage = (
            Coverage.objects.filter(participant_id=participant, ends_on__isnull=True)
            .select_related("participant__program", "plan__payer")
            .order_by("order")
            .first()
        )
        if coverage is None:
            raise CommandError("That participant has no open coverage")
        from django.utils import timezone

        from bridge.billing.services.eligibility import control_number

        profile = profile_for(coverage.participant.program)
        when = timezone.localtime(timezone.now(), coverage.participant.program.tz)
        payer = coverage.plan.payer
        text = build_270(
            sender=profile.submitter_id,
            receiver=payer.payer_id,
            payer_name=payer.name,
            payer_id=payer.payer_id,
            provider_name=profile.organization_name,
            provider_npi=profile.npi,
            provider_tax_id=profile.tax_id,
            subscriber=subscriber_of(coverage, when.date()),
            control=control_number(),
            when=when,
        )
        found = problems(text)
        if found:
            raise X12Error(found)
        Path(out).write_text(text, encoding="ascii")
        self.stdout.write(out)
