"""Every person in a case has the date their involvement began (filled by 0009)."""

from django.db import migrations, models

HELP = (
    "The day this person's involvement in the case began: today when they are added now, "
    "or an earlier day, not before the case was registered."
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_fill_involvement_and_repeat_dates"),
    ]

    operations = [
        migrations.AlterField(
            model_name="caseparty",
            name="involved_since",
            field=models.DateField(help_text=HELP, verbose_name="involved since"),
        ),
        migrations.AlterField(
            model_name="historicalcaseparty",
            name="involved_since",
            field=models.DateField(help_text=HELP, verbose_name="involved since"),
        ),
    ]
