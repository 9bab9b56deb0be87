"""The measures demo: series over weeks, improving and not, one open item-9 alert, pages render."""

from __future__ import annotations

from django.urls import reverse

from bridge.intake.models import InstrumentAdministration
from bridge.measures.models import AlertAcknowledgement, MeasureLink
from bridge.measures.queries import summary_for
from bridge.participants.models import EpisodeOfCare


def test_demo_has_series_an_open_alert_and_renders(demo, client):
    measures = InstrumentAdministration.objects.filter(screening__isnull=True)
    assert measures.filter(instrument="PHQ-9").count() >= 30 and measures.filter(instrument="BAM").exists()
    assert MeasureLink.objects.filter(completed_at__isnull=False).exists()
    open_alerts = [
        r
        for r in InstrumentAdministration.objects.filter(acknowledgement__isnull=True)
        if r.alerts
        and any(a == "phq9_item9_positive" or a.startswith("cssrs_") for a in r.alerts)
        and EpisodeOfCare.objects.filter(participant=r.participant, status="active").exists()
    ]
    assert len(open_alerts) == 1, open_alerts
    assert AlertAcknowledgement.objects.exists()
    p = open_alerts[0].participant
    summary = summary_for(p)
    assert summary.alerts and {t.code for t in summary.trends} >= {"PHQ-9", "GAD-7", "BAM"}
    changes = []
    for e in EpisodeOfCare.objects.filter(status="active").select_related("participant__program"):
        phq = [t for t in summary_for(e.participant).trends if t.code == "PHQ-9"]
        if phq and len(phq[0].rows) > 1:
            changes.append(phq[0].subscales[0]["change"])
    assert sum(c < 0 for c in changes) > len(changes) / 2 and any(c > 0 for c in changes)
    from bridge.clinical.services.common import primary_clinician

    client.force_login(primary_clinician(p))
    html = client.get(reverse("participants:detail", args=[p.pk])).content.decode()
    assert "Safety alert — not yet acknowledged" in html
    assert client.get(reverse("measures:overview", args=[p.pk])).status_code == 200
    assert "Measures due" in client.get("/").content.decode()
