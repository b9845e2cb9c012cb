"""On PostgreSQL the database itself refuses UPDATE and DELETE on the audit trail."""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION access_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER access_auditevent_no_update_delete
    BEFORE UPDATE OR DELETE ON access_auditevent
    FOR EACH ROW EXECUTE FUNCTION access_auditevent_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS access_auditevent_no_update_delete ON access_auditevent;
DROP FUNCTION IF EXISTS access_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("access", "0002_initial")]
    operations = [migrations.RunPython(forward, backward)]
