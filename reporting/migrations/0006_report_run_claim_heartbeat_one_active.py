"""Report runs get a claim token, an attempt count, a heartbeat and a kind, and at most one
queued or running run per (year, kind) (issue 15).

Before the constraint, a year with several queued or running runs (possible before) keeps
the newest one active; the older ones are marked failed with the "background processing
stopped" message. No run is deleted and nothing else about them changes.
"""

from django.conf import settings
from django.db import migrations, models

STALE_MESSAGE = (
    "The report was not finished: the background processing stopped. Please ask again."
)


def fail_older_active_runs(apps, schema_editor):
    ReportRun = apps.get_model("reporting", "ReportRun")
    active = ReportRun.objects.filter(status__in=["queued", "running"]).order_by(
        "year", "kind", "-created_at", "-pk"
    )
    seen = set()
    for run in active:
        key = (run.year, run.kind)
        if key in seen:
            ReportRun.objects.filter(pk=run.pk).update(
                status="failed", error=STALE_MESSAGE, finished_at=models.functions.Now()
            )
        seen.add(key)


class Migration(migrations.Migration):

    dependencies = [
        ('reporting', '0005_published_report_frozen'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='reportrun',
            name='attempts',
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name='attempts'),
        ),
        migrations.AddField(
            model_name='reportrun',
            name='claim_token',
            field=models.UUIDField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='reportrun',
            name='heartbeat_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='last sign of life'),
        ),
        migrations.AddField(
            model_name='reportrun',
            name='kind',
            field=models.CharField(choices=[('annual_figures', 'Annual figures')], default='annual_figures', max_length=20, verbose_name='kind'),
        ),
        migrations.RunPython(fail_older_active_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='reportrun',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['queued', 'running'])), fields=('year', 'kind'), name='reportrun_one_active_per_year_and_kind'),
        ),
    ]
