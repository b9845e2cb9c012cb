from django.db import migrations

ROLE_CODES = [
    "case_director",
    "operations_lead",
    "network_coordinator",
    "prosecutor_liaison",
    "partner_professional",
    "administrator",
]


def create_roles(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    for code in ROLE_CODES:
        Role.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
