"""Issue 19: the reasons for not taking a registration on become a managed list; a
registration can be withdrawn; a decision records the triage-table consultation it was taken at.

The reasons were a fixed list of codes stored in ``RegistrationStatusRecord.reason``. The
column keeps holding the code and becomes a foreign key to the new list on its code
(``to_field="code"``), so no value moves: ``seed_reasons`` creates the shipped reasons, and
``keep_every_reason`` makes an (inactive) entry for any other value found in the column, named
after it, so the foreign key can never lose a row. An empty reason (every status but "not
taken on") becomes NULL. Idempotent: a second run adds nothing.
"""

import django.db.models.deletion
from django.db import migrations, models

# The shipped reasons: code, Dutch name, English name, needs an explanation.
REASONS = [
    ("no_family_violence", "Geen intrafamiliaal geweld", "No intrafamily violence", False),
    (
        "outside_area",
        "Buiten het werkgebied van dit Veilig Huis",
        "Outside the area of this Veilig Huis",
        False,
    ),
    ("regular_care", "Doorverwezen naar reguliere hulp", "Referred to regular care", False),
    ("already_followed", "Al gevolgd door een partner", "Already followed by a partner", False),
    ("client_refuses", "De cliënt weigert", "The client refuses", False),
    ("other", "Andere reden", "Other reason", True),
]


def seed_reasons(apps, schema_editor):
    reason_model = apps.get_model("cases", "NotTakenOnReason")
    for order, (code, name_nl, name_en, needs_explanation) in enumerate(REASONS, start=1):
        reason_model.objects.get_or_create(
            code=code,
            defaults={
                "name_nl": name_nl,
                "name_en": name_en,
                "order": order * 10,
                "needs_explanation": needs_explanation,
            },
        )


def keep_every_reason(apps, schema_editor):
    """Every value the column holds gets an entry; empty ones become NULL."""
    record_model = apps.get_model("cases", "RegistrationStatusRecord")
    reason_model = apps.get_model("cases", "NotTakenOnReason")
    record_model.objects.filter(reason="").update(reason=None)
    known = set(reason_model.objects.values_list("code", flat=True))
    found = (
        record_model.objects.exclude(reason__isnull=True)
        .order_by()
        .values_list("reason", flat=True)
        .distinct()
    )
    last = reason_model.objects.aggregate(last=models.Max("order"))["last"] or 0
    for value in sorted(set(found) - known):
        last += 10
        reason_model.objects.create(
            code=value, name_nl=value, name_en=value, is_active=False, order=last
        )


def forward(apps, schema_editor):
    seed_reasons(apps, schema_editor)
    keep_every_reason(apps, schema_editor)


def backward(apps, schema_editor):
    record_model = apps.get_model("cases", "RegistrationStatusRecord")
    record_model.objects.filter(reason__isnull=True).update(reason="")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0033_query_indexes"),
        ("consultations", "0006_consultation_craft"),
    ]

    operations = [
        migrations.CreateModel(
            name="NotTakenOnReason",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name_nl", models.CharField(max_length=120, verbose_name="name (Dutch)")),
                ("name_en", models.CharField(max_length=120, verbose_name="name (English)")),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Only active entries can be chosen on a case.",
                        verbose_name="active",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "code",
                    models.SlugField(
                        help_text="A fixed short code (letters, digits, underscores); it cannot be changed.",
                        max_length=30,
                        unique=True,
                        verbose_name="code",
                    ),
                ),
                (
                    "needs_explanation",
                    models.BooleanField(
                        default=False,
                        help_text="The triage table must explain a decision with this reason.",
                        verbose_name="needs an explanation",
                    ),
                ),
            ],
            options={
                "verbose_name": "reason for not taking on",
                "verbose_name_plural": "reasons for not taking on",
                "ordering": ["order", "id"],
                "abstract": False,
            },
        ),
        migrations.RemoveConstraint(
            model_name="registrationstatusrecord",
            name="registration_not_taken_on_has_reason",
        ),
        # First nullable, so the empty reasons can become NULL.
        migrations.AlterField(
            model_name="registrationstatusrecord",
            name="reason",
            field=models.CharField(blank=True, max_length=30, null=True, verbose_name="reason"),
        ),
        migrations.RunPython(forward, backward),
        migrations.AlterField(
            model_name="registrationstatusrecord",
            name="reason",
            field=models.ForeignKey(
                blank=True,
                db_column="reason",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="cases.nottakenonreason",
                to_field="code",
                verbose_name="reason",
            ),
        ),
        migrations.AddConstraint(
            model_name="registrationstatusrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "not_taken_on"), _negated=True)
                | models.Q(("reason__isnull", False)),
                name="registration_not_taken_on_has_reason",
            ),
        ),
        migrations.AddField(
            model_name="registrationstatusrecord",
            name="consultation",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="triage_decisions",
                to="consultations.consultation",
                verbose_name="decided at the triage table of",
            ),
        ),
        migrations.AlterField(
            model_name="registrationstatusrecord",
            name="status",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("in_triage", "In triage"),
                    ("taken_on", "Taken on"),
                    ("not_taken_on", "Not taken on"),
                    ("waiting_list", "Waiting list"),
                    ("withdrawn", "Withdrawn"),
                ],
                max_length=20,
                verbose_name="status",
            ),
        ),
        migrations.AddConstraint(
            model_name="registrationstatusrecord",
            constraint=models.CheckConstraint(
                condition=models.Q(("status", "withdrawn"), _negated=True)
                | models.Q(("reason_text__gt", "")),
                name="registration_withdrawn_has_reason",
            ),
        ),
    ]
