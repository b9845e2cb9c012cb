"""Where a person lives and how to reach them safely become part of their involvement in one
case (``CaseParty``); 0015 moves the values there, 0016 removes them from the shared person."""

from django.db import migrations, models


def _fields() -> list[tuple[str, models.Field]]:
    return [
        ("address", models.TextField(blank=True, verbose_name="address")),
        (
            "address_confidential",
            models.BooleanField(
                default=False,
                help_text="Never share this address with other parties.",
                verbose_name="confidential address",
            ),
        ),
        (
            "safe_contact",
            models.TextField(blank=True, verbose_name="safe way and moment to make contact"),
        ),
        ("version", models.PositiveIntegerField(default=1, editable=False)),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0015_legacy_shares"),
    ]

    operations = [
        migrations.AddField(model_name=model, name=name, field=field)
        for model in ("caseparty", "historicalcaseparty")
        for name, field in _fields()
    ]
