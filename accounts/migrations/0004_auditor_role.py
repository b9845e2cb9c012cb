from django.db import migrations


def create_auditor_role(apps, schema_editor):
    Role = apps.get_model("accounts", "Role")
    Role.objects.get_or_create(code="auditor")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_roles")]
    operations = [migrations.RunPython(create_auditor_role, migrations.RunPython.noop)]
