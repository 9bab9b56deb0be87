"""Accounting of disclosures: every disclosure made with consent in the 3 years before the request."""

from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from pypdf import PdfReader

from bridge.privacy import labels, queries, services
from bridge.privacy.vocab import Channel, DataClass, Purpose

REQUEST_DAY = date(2026, 11, 26)


def _local(world, day: date, at: time = time(12)) -> datetime:
    return datetime.combine(day, at, tzinfo=world.program.tz)


@pytest.fixture
def history(world, make_consent, recipients):
    """Disclosures to the employer at the window's edges, and one refusal, made on their own days."""
    with time_machine.travel(_local(world, date(2023, 1, 2)), tick=False):
        make_consent(
            recipients=[recipients["employer"]], signed_on=date(2023, 1, 1), expires_on=date(2027, 12, 31)
        )
    moments = {
        # 3 years before the request day, at 00:30 local time (07:30 or 08:30 UTC): the first day is in.
        "first_day": _local(world, date(2023, 11, 26), time(0, 30)),
        "2y364d": _local(world, date(2024, 11, 26) - timedelta(days=364)),
        "3y1d": _local(world, date(2023, 11, 25)),
        "day_before_at_night": _local(world, date(2023, 11, 25), time(23, 30)),
        "recent": _local(world, date(2026, 11, 20)),
        "request_day_evening": _local(world, REQUEST_DAY, time(11)),
    }
    made = {}
    for name, moment in moments.items():
        with time_machine.travel(moment, tick=False):
            made[name] = services.disclosure_prepare(
                actor=world.therapist_a,
                participant=world.alex,
                recipient=recipients["employer"],
                purpose=Purpose.EMPLOYMENT,
                data_classes=[DataClass.ATTENDANCE],
                date_from=moment.date() - timedelta(days=7),
                date_to=moment.date(),
                channel=Channel.SECURE_EMAIL,
            )
    with time_machine.travel(_local(world, date(2026, 11, 1)), tick=False):
        made["refused"] = services.disclosure_prepare(
            actor=world.therapist_a,
            participant=world.alex,
            recipient=recipients["court"],
            purpose=Purpose.LEGAL,
            data_classes=[DataClass.ATTENDANCE],
            date_from=date(2026, 10, 1),
            date_to=date(2026, 11, 1),
            channel=Channel.MAIL,
        )
    return made


def test_window_starts_on_the_same_date_three_years_earlier():
    assert queries.accounting_window_start(REQUEST_DAY) == date(2023, 11, 26)
    assert queries.accounting_window_start(date(2028, 2, 29)) == date(2025, 2, 28)


def test_accounting_holds_2y364d_and_drops_3y1d(world, history):
    entries = list(queries.accounting_for(world.alex, REQUEST_DAY))
    names = {d.pk: name for name, d in history.items()}
    assert [names[d.pk] for d in entries] == ["first_day", "2y364d", "recent", "request_day_evening"]


def test_every_entry_has_every_field(world, history):
    for d in queries.accounting_for(world.alex, REQUEST_DAY):
        assert d.created_at and d.recipient_name and d.recipient_address and d.description and d.purpose
        assert d.consent_id is not None


def test_accounting_page_and_pdf_for_the_participant(world, login, history):
    client = login(world.therapist_a)
    with time_machine.travel(_local(world, REQUEST_DAY, time(15)), tick=False):
        page = client.get(reverse("privacy:accounting", args=[world.alex.pk]))
        pdf = client.get(
            reverse("privacy:accounting_pdf", args=[world.alex.pk]), {"as_of": REQUEST_DAY.isoformat()}
        )
    assert page.status_code == 200
    report = page.context["report"]
    assert report["window_start"] == "2023-11-26" and report["as_of"] == "2026-11-26"
    assert [e["date"] for e in report["entries"]] == ["2023-11-26", "2023-11-28", "2026-11-20", "2026-11-26"]
    html = page.content.decode()
    assert "County Drug Court" not in html  # the refusal released nothing, so it is not accounted for
    assert labels.PRINT_LABEL in html
    assert pdf.status_code == 200
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "2023-11-28" in text and "2023-11-25" not in text and "Acme Freight HR" in text
    assert labels.PRINT_LABEL in text


def test_an_earlier_request_date_moves_the_window(world, login, history):
    client = login(world.therapist_a)
    page = client.get(reverse("privacy:accounting", args=[world.alex.pk]), {"as_of": "2024-01-01"})
    # Everything from 2023 (the 3y1d one too: it is inside this window), nothing from 2026.
    dates = [e["date"] for e in page.context["report"]["entries"]]
    assert dates == ["2023-11-25", "2023-11-25", "2023-11-26", "2023-11-28"]


def test_a_request_date_in_the_future_is_a_field_error(world, login):
    client = login(world.therapist_a)
    response = client.get(reverse("privacy:accounting", args=[world.alex.pk]), {"as_of": "2999-01-01"})
    assert response.status_code == 400 and "as_of" in response.context["form"].errors


def test_accounting_page_query_count_is_constant(world, login, history, django_assert_max_num_queries):
    client = login(world.therapist_a)
    url = reverse("privacy:accounting", args=[world.alex.pk])
    with django_assert_max_num_queries(40) as first:
        client.get(url, {"as_of": REQUEST_DAY.isoformat()})
    for d in list(history.values())[:3]:
        d.pk = None
        d.save()
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, {"as_of": REQUEST_DAY.isoformat()})
