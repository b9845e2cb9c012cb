"""A closing keeps its closing reason on its status change (issue 12, part 1).

The field is filled by 0009 and required for closings by 0010 (in three steps: PostgreSQL
cannot alter a table with pending deferred foreign-key checks from the data step)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0010_involved_since_required'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='statuschange',
            name='closing_reason',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='cases.closingreason', verbose_name='closing reason'),
        ),
        migrations.AddIndex(
            model_name='statuschange',
            index=models.Index(fields=['case', 'changed_on'], name='status_change_case_day'),
        ),
    ]
