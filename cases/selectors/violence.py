"""The relationship contexts and forms of violence recorded on a case, as the steering page
and the print view list them."""

import functools
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, connections, router

from ..models import Case, FormOfViolence, RelationshipContext


@dataclass
class ViolenceFacts:
    contexts: list[RelationshipContext] = field(default_factory=list)
    forms: list[FormOfViolence] = field(default_factory=list)


def violence_facts(case: Case) -> ViolenceFacts:
    """The relationship contexts and forms of violence recorded on the case today, in the
    lists' order, in one query (the case's two fields would take two)."""
    facts = ViolenceFacts()
    # The database the ORM would read these tables from (the replica inside a reporting read).
    with connections[router.db_for_read(RelationshipContext)].cursor() as cursor:
        cursor.execute(_facts_sql(), [case.pk, case.pk])
        rows = cursor.fetchall()
    for kind, name_nl, name_en, _order, pk in rows:
        if kind == "context":
            facts.contexts.append(RelationshipContext(pk=pk, name_nl=name_nl, name_en=name_en))
        else:
            facts.forms.append(FormOfViolence(pk=pk, name_nl=name_nl, name_en=name_en))
    return facts


@functools.cache
def _facts_sql() -> str:
    """Plain SQL made once per process from the models (table and column names only; the
    case's id is a parameter): as an ORM union of two ``IN`` subqueries it took longer to
    build and compile on every request than the database took to answer it."""
    qn = connection.ops.quote_name

    def column(model: Any, name: str) -> str:
        return f"{qn(model._meta.db_table)}.{qn(model._meta.get_field(name).column)}"

    parts = []
    for kind, name in (("context", "relationship_contexts"), ("form", "forms_of_violence")):
        m2m: Any = Case._meta.get_field(name)
        model, through = m2m.related_model, m2m.remote_field.through
        columns = ", ".join(column(model, f) for f in ("name_nl", "name_en", "order"))
        pk = column(model, model._meta.pk.name)
        to_case = column(through, m2m.m2m_field_name())
        to_row = column(through, m2m.m2m_reverse_field_name())
        # Names from the models and a fixed kind, no value: nothing to inject.
        parts.append(
            f"SELECT '{kind}', {columns}, {pk} FROM {qn(model._meta.db_table)} "  # noqa: S608
            f"WHERE {pk} IN (SELECT {to_row} FROM {qn(through._meta.db_table)} "
            f"WHERE {to_case} = %s)"
        )
    # No parentheses around the parts: SQLite refuses them in a compound statement.
    return " UNION ALL ".join(parts) + " ORDER BY 1, 4, 5"
