"""Revenue-cycle benchmarks at `bridge demo --scale N`: a month of charges, the 837 files, an 835.

    .venv/bin/python -m bench.billing [--scale 50] [--lines 20000] [--remit-lines 5000]

1. Charges. The demo has already built its month; every live charge of that month is voided (with a
   reason, as the product does) so the builder makes the whole month again. Timed twice: the dry run
   the held-charges work list uses (reads only) and the committing build. Read queries are counted
   for a half month and the full month: they must not grow with the number of participant-days.
2. 837 files. `claims_build` writes the rebuilt ready charges as 837P and 837I files (pyx12 validates
   each). Then a synthetic batch of `--lines` service lines goes through the pure builder (time and
   peak memory by tracemalloc) and through pyx12's validator on its own.
3. 835. A remittance paying `--remit-lines` lines of submitted claims (the demo's claims, topped up
   with copies of their lines when there are fewer) is written, validated and posted.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta
from decimal import Decimal

from bench.common import setup_django


def _count(fn):
    """Run `fn`: (its result, wall seconds, read queries, write queries, CPU seconds). Queries are
    counted by an execute wrapper (Django's query log keeps only the last 9,000)."""
    from django.db import connection

    counts = {"reads": 0, "writes": 0}

    def wrapper(execute, sql, params, many, context):
        counts["reads" if sql.lstrip().upper().startswith("SELECT") else "writes"] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        start, cpu = time.perf_counter(), time.process_time()
        result = fn()
        seconds = time.perf_counter() - start
        used = time.process_time() - cpu
    return result, seconds, counts["reads"], counts["writes"], used


def _synthetic_claims(lines: int, per_claim: int = 10):
    from bridge.billing.x12.claims import ClaimData, Line, Person

    start = datetime(2026, 10, 1).date()
    for i in range(lines // per_claim):
        person = Person(f"First{i}", f"Last{i}", datetime(1980, 1, 1 + i % 28).date(), gender="F")
        yield (
            ClaimData(
                number=f"B{i:09d}",
                payer_name="Medi-Cal DMC-ODS",
                payer_id="MCDCA",
                payer_kind="medicaid",
                member_id=f"9{i:08d}A",
                group_number="",
                relationship="18",
                subscriber=person,
                patient=person,
                diagnosis="F1020",
                lines=[
                    Line(start + timedelta(days=k), "H0015", ("HF",), "0906", 1, Decimal("150.00"), "57")
                    for k in range(per_claim)
                ],
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=50)
    parser.add_argument("--lines", type=int, default=20000)
    parser.add_argument("--remit-lines", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    setup_django(args.database_url, args.scale)

    from django.utils import timezone

    from bridge.accounts.models import User
    from bridge.billing.models import Charge, Claim, ClaimFormat
    from bridge.billing.services.charges import charges_build
    from bridge.billing.services.claims import _provider, claims_build
    from bridge.billing.services.eligibility import profile_for
    from bridge.billing.services.remittance import remittance_post
    from bridge.billing.x12.claims import write_837
    from bridge.billing.x12.remittance import PaidClaim, PaidLine, build_835
    from bridge.billing.x12.validate import file_problems
    from bridge.programs.models import Program

    program = Program.objects.order_by("name").first()
    assert program is not None
    today = timezone.localdate()
    first, through = today - timedelta(days=30), today - timedelta(days=1)

    # 1. A month of charges, built afresh.
    voided = (
        Charge.objects.filter(program=program, service_date__gte=first, service_date__lte=through)
        .exclude(status=Charge.Status.VOID)
        .update(status=Charge.Status.VOID, void_reason="benchmark: the month is built again")
    )
    _half, _s, half_reads, _w, _c = _count(
        lambda: charges_build(
            actor=None, program=program, first=first, through=first + timedelta(days=14), commit=False
        )
    )
    _dry, dry_s, dry_reads, _w, dry_cpu = _count(
        lambda: charges_build(actor=None, program=program, first=first, through=through, commit=False)
    )
    built, build_s, build_reads, build_writes, build_cpu = _count(
        lambda: charges_build(actor=None, program=program, first=first, through=through)
    )
    days = {(c.participant_id, c.service_date) for c in built.created} | {
        (h.participant_id, h.day) for h in built.held
    }
    print(f"# voided {voided} demo charges of {first} to {through}; {len(days)} participant-days\n")
    print("## Charges for a month")
    print(
        f"dry run (work list): {dry_s:6.2f} s (cpu {dry_cpu:.2f} s), {dry_reads} reads "
        f"({half_reads} for half the month)"
    )
    print(
        f"build: {build_s:6.2f} s (cpu {build_cpu:.2f} s), {len(built.created)} charges, "
        f"{len(built.held)} held, "
        f"{build_reads} reads, {build_writes} writes (charges and their audit events inserted in batches)"
    )
    print(f"held by reason: {built.held_by_reason()}")

    # 2. 837 files: the month's ready charges, then a synthetic batch through the pure builder.
    print("\n## 837 files")
    out = tempfile.mkdtemp(prefix="bench-837-")
    for fmt in (ClaimFormat.PROFESSIONAL, ClaimFormat.INSTITUTIONAL):
        ready = Charge.objects.filter(
            program=program, status=Charge.Status.READY, coverage__plan__payer__claim_format=fmt
        ).count()
        written, seconds, reads, writes, used = _count(
            lambda fmt=fmt: claims_build(
                actor=None,
                program=program,
                claim_format=fmt,
                out_dir=out,
                discloser=User.objects.filter(username="director").first(),
            )
        )
        n = sum(len(c) for _w, c in written)
        print(
            f"claims_build {fmt}: {ready} lines, {n} claims, {len(written)} files in {seconds:.2f} s "
            f"(cpu {used:.2f} s; pyx12 validation included), {reads} reads, {writes} writes"
        )
    provider = _provider(profile_for(program))
    when = timezone.localtime(timezone.now(), program.tz)
    path = f"{out}/synthetic-837p.x12"
    # Streamed to a file from a generator of claims: peak memory at a quarter of the size and at the
    # full size shows whether it grows with the batch (it should not).
    for n in sorted({max(args.lines // 4, 10), args.lines}):
        tracemalloc.start()
        start, cpu = time.perf_counter(), time.process_time()
        with open(path, "w", encoding="ascii") as fh:
            size = write_837(
                fh,
                provider=provider,
                claims=_synthetic_claims(n),
                institutional=False,
                control=900001,
                when=when,
            )
        write_seconds, write_cpu = time.perf_counter() - start, time.process_time() - cpu
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"write_837 {n} lines ({n // 10} claims) to a file: {write_seconds:.2f} s "
            f"(cpu {write_cpu:.2f} s), {size / 1e6:.1f} MB of X12, peak traced memory {peak / 1e6:.2f} MB"
        )
    start, cpu = time.perf_counter(), time.process_time()
    found = file_problems(path)
    print(
        f"pyx12 validation of the {args.lines}-line file (not part of writing): "
        f"{time.perf_counter() - start:.2f} s (cpu {time.process_time() - cpu:.2f} s), {len(found)} problems"
    )

    # 3. An 835 paying `--remit-lines` lines.
    print("\n## 835 remittance")
    submitted = list(
        Claim.objects.filter(program=program, status=Claim.Status.SUBMITTED)
        .select_related("participant", "coverage__plan__payer")
        .prefetch_related("lines")
    )
    lines = sum(len(c.lines.all()) for c in submitted)
    copies = 0
    if submitted and lines < args.remit_lines:
        # Top up with copies of the claims' lines (per session, so no per-diem constraint applies).
        template = submitted[0].lines.all()[0]
        extra = []
        claim_cycle = iter(submitted * (args.remit_lines // max(len(submitted), 1) + 1))
        for _ in range(args.remit_lines - lines):
            claim = next(claim_cycle)
            extra.append(
                Charge(
                    program=program,
                    participant_id=claim.participant_id,
                    coverage_id=claim.coverage_id,
                    service_date=template.service_date,
                    per_diem=False,
                    code=template.code,
                    modifiers=template.modifiers,
                    amount=template.amount,
                    diagnosis=template.diagnosis,
                    level_of_care=template.level_of_care,
                    rendering_id=template.rendering_id,
                    rendering_credential=template.rendering_credential,
                    status=Charge.Status.BILLED,
                    claim=claim,
                )
            )
        Charge.objects.bulk_create(extra, batch_size=500)
        copies = len(extra)
        submitted = list(
            Claim.objects.filter(pk__in=[c.pk for c in submitted])
            .select_related("participant", "coverage__plan__payer")
            .prefetch_related("lines")
        )
    paid = [
        PaidClaim(
            c.number,
            c.coverage.member_id,
            c.participant.first_name,
            c.participant.last_name,
            tuple(
                PaidLine(
                    ch.code,
                    tuple(m for m in ch.modifiers.split(":") if m),
                    ch.service_date,
                    ch.amount,
                    ch.amount,
                )
                for ch in c.lines.all()
            ),
        )
        for c in submitted
    ]
    n_lines = sum(len(p.lines) for p in paid)
    text = build_835(
        payer_name="Medi-Cal DMC-ODS",
        payer_id="MCDCA",
        payee_name="Harbor Light IOP",
        payee_npi="1234567893",
        trace="BENCH-835",
        paid_on=today,
        control=900002,
        when=when,
        claims=paid,
    )
    result, seconds, reads, writes, post_cpu = _count(
        lambda: remittance_post(actor=None, program=program, text=text, file_name="bench.835")
    )
    print(
        f"835 of {n_lines} lines ({len(paid)} claims; {copies} copied lines): posted in {seconds:.2f} s "
        f"(cpu {post_cpu:.2f} s) "
        f"(validate, read, post: {result.posted} payments), {reads} reads, {writes} writes"
    )


if __name__ == "__main__":
    main()
