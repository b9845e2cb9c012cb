from django.db import migrations


def forward(apps, schema_editor):
    # The JSON files in risk/instruments/ are the seed; loading is idempotent per version.
    from risk.instruments import load_shipped_instruments, migration_models

    load_shipped_instruments(models=migration_models(apps))


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
