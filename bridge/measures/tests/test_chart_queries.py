"""The chart stays within a fixed number of queries as measure history grows."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridge.intake.models import InstrumentAdministration
from bridge.measures import services


def _grow(w, rounds: int, rng: random.Random):
    for i in range(rounds):
        for code, n, top in (("PHQ-9", 9, 3), ("GAD-7", 7, 3)):
            values = [rng.randint(0, top) for _ in range(n)]
            row = services.measure_record(
                actor=w.nurse, participant=w.alex, instrument=code, responses=values
            )
            InstrumentAdministration.objects.filter(pk=row.pk).update(
                administered_at=timezone.now() - timedelta(days=2 + i)
            )
        bam = [rng.choice([0, 1, 2, 3, 4]) for _ in range(17)]
        bam[13] = rng.choice([0, 4])
        services.measure_record(actor=w.nurse, participant=w.alex, instrument="BAM", responses=bam)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_chart_and_measures_page_queries_do_not_grow_with_history(admitted, login):
    w = admitted
    rng = random.Random(5)
    client = login(w.therapist_a)
    # The chart's measures section loads after the page's first paint, from its own URL.
    chart, section, page = (
        reverse("participants:detail", args=[w.alex.pk]),
        reverse("participants:section", args=[w.alex.pk, "measures"]),
        reverse("measures:overview", args=[w.alex.pk]),
    )
    _grow(w, 1, rng)
    client.get(chart)
    urls = (chart, section, page, "/")
    small = tuple(_queries(client, url) for url in urls)
    _grow(w, 15, rng)
    large = tuple(_queries(client, url) for url in urls)
    assert small == large, (small, large)
    assert 'aria-labelledby="chart-bam-title' in client.get(section).content.decode()
