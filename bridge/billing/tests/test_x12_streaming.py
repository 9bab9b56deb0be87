"""The 837 writer streams: segments go to the file one at a time, so the memory it uses does not grow
with the number of claims, and the file is the same as the one built as a string."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date, datetime, timedelta
from decimal import Decimal

from bridge.billing.x12.claims import ClaimData, Line, Person, Provider, build_837, write_837
from bridge.billing.x12.validate import file_problems, problems

PROVIDER = Provider(
    "Harbor Light IOP",
    "1234567893",
    "123456789",
    "261QR0405X",
    "100 Main St",
    "Oakland",
    "CA",
    "94612",
    "HARBORLIGHT",
    "5105550100",
)
WHEN = datetime(2026, 11, 2, 9, 30)


def _claims(count: int, per_claim: int = 10):
    """A generator: each claim is made when the writer asks for it."""
    start = date(2026, 10, 1)
    for i in range(count):
        person = Person(f"First{i}", f"Last{i}", date(1980, 1, 1 + i % 28), gender="F")
        yield ClaimData(
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


class _Sink(io.TextIOBase):
    """A file that keeps only how much was written (so the test measures the writer, not the file)."""

    def __init__(self) -> None:
        self.size = 0

    def write(self, s: str) -> int:
        self.size += len(s)
        return len(s)


def _peak(count: int) -> tuple[int, int]:
    sink = _Sink()
    tracemalloc.start()
    try:
        write_837(sink, provider=PROVIDER, claims=_claims(count), institutional=False, control=42, when=WHEN)
        return tracemalloc.get_traced_memory()[1], sink.size
    finally:
        tracemalloc.stop()


def test_streamed_file_is_the_built_string_and_valid(tmp_path):
    path = tmp_path / "837p.x12"
    with open(path, "w", encoding="ascii") as out:
        write_837(out, provider=PROVIDER, claims=_claims(3), institutional=False, control=7, when=WHEN)
    text = build_837(provider=PROVIDER, claims=list(_claims(3)), institutional=False, control=7, when=WHEN)
    assert path.read_text(encoding="ascii") == text
    assert file_problems(path) == []
    assert problems(text) == []
    assert f"SE*{text.count('~') - 4}*0007~" in text  # every segment from ST to SE counted


def test_memory_stays_flat_as_the_batch_grows():
    small_peak, small_size = _peak(200)  # 2,000 lines
    large_peak, large_size = _peak(2000)  # 20,000 lines
    assert large_size > 9 * small_size
    # Ten times the file, not ten times the memory: the peak stays within a small constant.
    assert large_peak < small_peak * 1.5 + 50_000, (small_peak, large_peak)
