"""On PostgreSQL the database itself refuses UPDATE and DELETE on published reports.

The same pattern as the audit trail's trigger (access/0003_audit_append_only); the tests run
``forward`` on the tables they make from the models (tests/conftest.py DATABASE_RULES).
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION reporting_publishedreport_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'a published report is frozen';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER reporting_publishedreport_no_update_delete
    BEFORE UPDATE OR DELETE ON reporting_publishedreport
    FOR EACH ROW EXECUTE FUNCTION reporting_publishedreport_frozen();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS reporting_publishedreport_no_update_delete ON reporting_publishedreport;
DROP FUNCTION IF EXISTS reporting_publishedreport_frozen();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_report_run_figures_and_published_report")]
    operations = [migrations.RunPython(forward, backward)]
