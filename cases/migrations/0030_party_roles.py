"""Roles that say what happened (issue 18, part 2): a person's one role in a case becomes a
family position and roles in the violence. Nothing is lost.

Each involvement (and each of its historical rows, so the history reads the same before and
after) is mapped from its old role:

========================  ====================  ====================
old role                  family position       roles in the violence
========================  ====================  ====================
victim                    (not known)           victim
perpetrator               (not known)           perpetrator
child                     child                 none
other family member       other family member   involved / support
other                     (not known)           involved / support
========================  ====================  ====================

"Child" said who the person was in the family, not what happened to them: whether a child was a
direct victim or a witness was never recorded, so the migration claims neither. The case team
completes it (docs/architecture.md). The family position of a victim or a perpetrator was not
recorded either (a relation may say it, but only towards one other person).

The old column is not dropped: it is renamed ``legacy_role`` and keeps the old code on the
involvement and on every historical row (empty for people added later), so the history still
shows what was recorded then. Backwards, ``role`` gets ``legacy_role`` back, or for people added
since, the nearest old role (victim, perpetrator, child, other family member, other).
"""

from typing import Any

from django.db import migrations, models

# old role -> (family position, roles in the violence as their columns)
MAPPING: dict[str, tuple[str, tuple[str, ...]]] = {
    "victim": ("", ("is_victim",)),
    "perpetrator": ("", ("is_perpetrator",)),
    "child": ("child", ()),
    "family": ("other", ("is_involved",)),
    "other": ("", ("is_involved",)),
}
ROLE_COLUMNS = ("is_victim", "is_perpetrator", "is_witness", "is_involved")
MODELS = ("CaseParty", "HistoricalCaseParty")


def _forwards(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        model = apps.get_model("cases", name)
        for role, (position, columns) in MAPPING.items():
            # One UPDATE per old role: the mapping is the same for every row of a role, and a
            # queryset update writes no new history row (the migration changes no one's data).
            model.objects.filter(role=role).update(
                position=position, **{column: column in columns for column in ROLE_COLUMNS}
            )


def _old_role(row: Any) -> str:
    if row.is_victim:
        return "victim"
    if row.is_perpetrator:
        return "perpetrator"
    if row.position == "child":
        return "child"
    if row.position:
        return "family"
    return "other"


def _backwards(apps: Any, schema_editor: Any) -> None:
    for name in MODELS:
        model = apps.get_model("cases", name)
        for row in model.objects.filter(role=""):
            model.objects.filter(pk=row.pk).update(role=_old_role(row))


def _role_fields() -> list[tuple[str, models.Field]]:
    return [
        (
            "position",
            models.CharField(
                blank=True,
                choices=[
                    ("partner", "Partner"),
                    ("ex_partner", "Ex-partner"),
                    ("parent", "Parent"),
                    ("child", "Child"),
                    ("sibling", "Sibling"),
                    ("grandparent", "Grandparent"),
                    ("other", "Other family member"),
                ],
                max_length=20,
                verbose_name="family position",
            ),
        ),
        ("is_victim", models.BooleanField(default=False, verbose_name="victim")),
        ("is_perpetrator", models.BooleanField(default=False, verbose_name="perpetrator")),
        ("is_witness", models.BooleanField(default=False, verbose_name="witness")),
        ("is_involved", models.BooleanField(default=False, verbose_name="involved / support")),
    ]


def _legacy_field() -> models.CharField:
    return models.CharField(
        blank=True,
        choices=[
            ("victim", "Victim"),
            ("perpetrator", "Perpetrator"),
            ("child", "Child"),
            ("family", "Other family member"),
            ("other", "Other"),
        ],
        default="",
        editable=False,
        max_length=20,
        verbose_name="former role in the case",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0029_violence_dimensions"),
    ]

    operations = [
        *(
            migrations.AddField(model_name=model, name=name, field=field)
            for model in ("caseparty", "historicalcaseparty")
            for name, field in _role_fields()
        ),
        migrations.RunPython(_forwards, _backwards),
        *(
            migrations.RenameField(model_name=model, old_name="role", new_name="legacy_role")
            for model in ("caseparty", "historicalcaseparty")
        ),
        *(
            migrations.AlterField(model_name=model, name="legacy_role", field=_legacy_field())
            for model in ("caseparty", "historicalcaseparty")
        ),
        migrations.AlterModelOptions(
            name="caseparty",
            options={
                "ordering": ["-is_victim", "-is_perpetrator", "position", "person__last_name"],
                "verbose_name": "person in a case",
                "verbose_name_plural": "people in a case",
            },
        ),
        migrations.AddConstraint(
            model_name="caseparty",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("position", ""), _negated=True),
                    ("is_victim", True),
                    ("is_perpetrator", True),
                    ("is_witness", True),
                    ("is_involved", True),
                    _connector="OR",
                ),
                name="party_has_position_or_role",
            ),
        ),
    ]
