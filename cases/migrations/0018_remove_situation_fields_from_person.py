"""The shared person keeps only who they are (0015 moved the situation to the involvements)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0017_move_situation_to_involvements"),
    ]

    operations = [
        migrations.RemoveField(model_name=model, name=name)
        for model in ("person", "historicalperson")
        for name in ("address", "address_confidential", "safe_contact")
    ]
