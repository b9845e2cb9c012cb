"""A closing record has its closing reason, and no other status change has one (0009 filled
them)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_closings_as_records"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="statuschange",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("closing_reason__isnull", False), ("to_status", "closed")),
                    models.Q(
                        models.Q(("to_status", "closed"), _negated=True),
                        ("closing_reason__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="status_change_closing_has_reason",
            ),
        ),
    ]
