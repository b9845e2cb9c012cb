"""Dates for the people's involvement in a case and for a case becoming a repeat (issue 12).

Added empty here, filled by 0009 (from what the rows already hold) and made required by 0010
(for ``involved_since``): three steps, so no migration alters a table that has pending
updates in the same transaction.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0007_recompute_repeats'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='repeat_since',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='repeat since'),
        ),
        migrations.AddField(
            model_name='caseparty',
            name='involved_since',
            field=models.DateField(help_text="The day this person's involvement in the case began: today when they are added now, or an earlier day, not before the case was registered.", null=True, verbose_name='involved since'),
        ),
        migrations.AddField(
            model_name='historicalcase',
            name='repeat_since',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='repeat since'),
        ),
        migrations.AddField(
            model_name='historicalcaseparty',
            name='involved_since',
            field=models.DateField(help_text="The day this person's involvement in the case began: today when they are added now, or an earlier day, not before the case was registered.", null=True, verbose_name='involved since'),
        ),
    ]
