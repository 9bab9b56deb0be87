"""The PDMP check behind a controlled-substance order is kept as a moment and a person
(pdmp_checked_at, pdmp_checked_by), not only a day: the program's rule counts hours (California's
CURES: within 24 hours before the first prescription). Brixadi (weekly and monthly) joins the drugs.

Existing orders keep their check: the day becomes noon of that day in the server's time zone,
checked by the order's prescriber (who attested to it). Rebuilding the table on SQLite drops its
triggers, so the no-DELETE trigger of clinical_medicationorder is created again.
"""

from datetime import datetime, time

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone


def copy_checks(apps, schema_editor):
    MedicationOrder = apps.get_model("clinical", "MedicationOrder")
    tz = timezone.get_default_timezone()
    for pk, day, prescriber_id in MedicationOrder.objects.filter(pdmp_checked_on__isnull=False).values_list(
        "pk", "pdmp_checked_on", "prescriber_id"
    ):
        MedicationOrder.objects.filter(pk=pk).update(
            pdmp_checked_at=datetime.combine(day, time(12), tzinfo=tz), pdmp_checked_by_id=prescriber_id
        )


def copy_back(apps, schema_editor):
    MedicationOrder = apps.get_model("clinical", "MedicationOrder")
    tz = timezone.get_default_timezone()
    for pk, at in MedicationOrder.objects.filter(pdmp_checked_at__isnull=False).values_list(
        "pk", "pdmp_checked_at"
    ):
        MedicationOrder.objects.filter(pk=pk).update(pdmp_checked_on=at.astimezone(tz).date())


NO_DELETE = (
    "CREATE TRIGGER IF NOT EXISTS clinical_medicationorder_no_delete "
    "BEFORE DELETE ON clinical_medicationorder FOR EACH ROW BEGIN SELECT RAISE(ABORT, 'clinical records are never deleted (DELETE on "
    "clinical_medicationorder)'); END;"
)


def triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(NO_DELETE, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("clinical", "0005_i21_date_ranges"),
        ("participants", "0004_i14_criteria_edition"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="medicationorder",
            name="pdmp_checked_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="medicationorder",
            name="pdmp_checked_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(copy_checks, copy_back),
        migrations.RemoveConstraint(
            model_name="medicationorder",
            name="buprenorphine_order_has_pdmp_check",
        ),
        migrations.RemoveField(
            model_name="medicationorder",
            name="pdmp_checked_on",
        ),
        migrations.AlterField(
            model_name="medicationorder",
            name="drug",
            field=models.CharField(
                choices=[
                    ("buprenorphine", "Buprenorphine (sublingual)"),
                    (
                        "buprenorphine_naloxone",
                        "Buprenorphine/naloxone (sublingual film or tablet; dose as buprenorphine)",
                    ),
                    ("buprenorphine_er", "Buprenorphine extended-release injection, monthly (Sublocade)"),
                    ("brixadi_weekly", "Buprenorphine extended-release injection, weekly (Brixadi)"),
                    ("brixadi_monthly", "Buprenorphine extended-release injection, monthly (Brixadi)"),
                    ("naltrexone", "Naltrexone (oral)"),
                    ("naltrexone_xr", "Naltrexone extended-release injection"),
                    ("acamprosate", "Acamprosate"),
                    ("disulfiram", "Disulfiram"),
                    ("methadone", "Methadone (dispensed by an opioid treatment program: record only)"),
                    ("naloxone", "Naloxone overdose-reversal kit"),
                    ("sertraline", "Sertraline (SSRI)"),
                    ("fluoxetine", "Fluoxetine (SSRI)"),
                    ("escitalopram", "Escitalopram (SSRI)"),
                    ("citalopram", "Citalopram (SSRI)"),
                    ("venlafaxine", "Venlafaxine extended-release (SNRI)"),
                    ("duloxetine", "Duloxetine (SNRI)"),
                    ("gabapentin", "Gabapentin"),
                    ("hydroxyzine", "Hydroxyzine"),
                    ("trazodone", "Trazodone"),
                    ("clonidine", "Clonidine"),
                    ("lofexidine", "Lofexidine"),
                ],
                max_length=30,
            ),
        ),
        migrations.AddConstraint(
            model_name="medicationorder",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        (
                            "drug__in",
                            [
                                "buprenorphine",
                                "buprenorphine_naloxone",
                                "buprenorphine_er",
                                "brixadi_weekly",
                                "brixadi_monthly",
                                "methadone",
                            ],
                        ),
                        _negated=True,
                    ),
                    models.Q(("pdmp_checked_at__isnull", False), ("pdmp_checked_by__isnull", False)),
                    _connector="OR",
                ),
                name="controlled_order_has_pdmp_check",
            ),
        ),
        migrations.RunPython(triggers, migrations.RunPython.noop),
    ]
