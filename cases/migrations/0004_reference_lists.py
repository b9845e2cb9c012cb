from django.db import migrations

VIOLENCE_FORMS = [
    "partner",
    "ex_partner",
    "child_abuse",
    "against_parents",
    "elder_abuse",
    "honour_related",
    "other",
]

# Defaults; an administrator manages the list.
CLOSING_REASONS = [
    ("Doelen bereikt", "Goals achieved"),
    ("Doorverwezen naar reguliere hulpverlening", "Referred to regular care"),
    ("Cliënt wenst geen verdere hulp", "Client wants no further help"),
    ("Geen contact mogelijk", "No contact possible"),
    ("Verhuisd buiten de regio", "Moved out of the region"),
    ("Andere reden", "Other reason"),
]


def forward(apps, schema_editor):
    ViolenceForm = apps.get_model("cases", "ViolenceForm")
    ClosingReason = apps.get_model("cases", "ClosingReason")
    for code in VIOLENCE_FORMS:
        ViolenceForm.objects.get_or_create(code=code)
    for order, (nl, en) in enumerate(CLOSING_REASONS):
        ClosingReason.objects.get_or_create(name_nl=nl, defaults={"name_en": en, "order": order})


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_case_work")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
