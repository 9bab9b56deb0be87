"""Privacy at `bridge demo --scale N`: the decision point, a disclosure package, the gated pages.

    .venv/bin/python -m bench.privacy [--scale 20] [--repeat 100] [--sessions 300] [--database-url postgres://...]

Measures (in-process, no network):
  * `policy.decide` for a participant with a TPO consent (permit) and for a refusal, audit event included;
  * `disclosure_prepare` of a year of attendance (`--sessions` sessions) plus episodes and demographics:
    the decision, the providers, the FHIR Bundle, the labels check, the row and its audit events;
  * the disclosure package as PDF and the participant's chart page for a clinician holding an
    emergency-access grant (the one access rule with the grant lookup), through the test client.
"""

from __future__ import annotations

import argparse
import os
import random
from datetime import datetime, time, timedelta

from bench.common import percentile, setup_django, summary, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"  # keep the output readable
    setup_django(args.database_url, args.scale)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bridge.accounts.models import User
    from bridge.participants.models import Participant
    from bridge.privacy import pdf, policy, services
    from bridge.privacy.models import Consent, Recipient
    from bridge.privacy.vocab import Channel, DataClass, Purpose, RecipientKind
    from bridge.scheduling.models import Attendance, Session, SessionKind

    rng = random.Random(11)
    consent = (
        Consent.objects.filter(consent_type="tpo", status="active")
        .select_related("participant__program")
        .first()
    )
    participant = consent.participant
    program = participant.program
    therapist = User.objects.get(username="therapist1")
    plan = Recipient.objects.get(program=program, kind=RecipientKind.HEALTH_PLAN)
    court = Recipient.objects.get(program=program, kind=RecipientKind.COURT)
    print(f"# {Participant.objects.count()} participants, {Consent.objects.count()} consents\n")

    today = timezone.localdate(timezone=program.tz)
    sessions = []
    for k in range(args.sessions):
        start = datetime.combine(today - timedelta(days=k + 1), time(18), tzinfo=program.tz)
        sessions.append(
            Session(
                program=program,
                kind=SessionKind.GROUP,
                title="Group",
                starts_at=start,
                ends_at=start + timedelta(hours=3),
                staff=therapist,
            )
        )
    Session.objects.bulk_create(sessions)
    Attendance.objects.bulk_create(
        [
            Attendance(session=s, participant=participant, status=rng.choice(["present", "late", "no_show"]))
            for s in sessions
        ]
    )
    Attendance.objects.filter(participant=participant, status__in=["present", "late"]).update(minutes=170)

    def decide(recipient, purpose):
        return lambda: policy.decide(
            actor=therapist,
            participant=participant,
            recipient=recipient,
            purpose=purpose,
            data_classes=[DataClass.ATTENDANCE],
            channel=Channel.ELECTRONIC,
        )

    print(f"{'operation':46} {'latency':50} queries")

    def report(label, fn, repeat):
        queries: list[int] = []

        def one():
            with CaptureQueriesContext(connection) as ctx:
                fn()
            queries.append(len(ctx.captured_queries))

        samples = timed(one, repeat)
        print(f"{label:46} {summary(samples):50} {percentile(queries, 50):.0f}")

    report("policy.decide, permit (TPO consent)", decide(plan, Purpose.PAYMENT), args.repeat)
    report("policy.decide, refusal", decide(court, Purpose.LEGAL), args.repeat)
    made = []

    def prepare():
        made.append(
            services.disclosure_prepare(
                actor=therapist,
                participant=participant,
                recipient=plan,
                purpose=Purpose.PAYMENT,
                data_classes=[DataClass.DEMOGRAPHICS, DataClass.EPISODES, DataClass.ATTENDANCE],
                date_from=today - timedelta(days=args.sessions + 1),
                date_to=today,
                channel=Channel.ELECTRONIC,
            )
        )

    report(f"disclosure_prepare ({args.sessions} attendance rows)", prepare, max(5, args.repeat // 10))
    package = made[-1].package
    print(f"#   bundle entries: {len(package['bundle']['entry'])}")
    report("package PDF (reportlab)", lambda: pdf.disclosure_pdf(package), max(5, args.repeat // 10))

    other = User.objects.get(username="therapist2")
    target = next(
        p
        for p in Participant.objects.filter(program=program, status="active")
        if not p.care_team.filter(staff=other, ended_at__isnull=True).exists()
    )
    services.emergency_access_open(actor=other, participant=target, reason="Benchmark: emergency access")
    client = Client()
    client.force_login(other)
    assert client.get(f"/participants/{target.pk}/").status_code == 200
    report(
        "chart page under emergency access", lambda: client.get(f"/participants/{target.pk}/"), args.repeat
    )


if __name__ == "__main__":
    main()
