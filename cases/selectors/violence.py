"""The relationship contexts and forms of violence recorded on a case, as the steering page
and the print view list them."""

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Value

from ..models import Case, FormOfViolence, RelationshipContext


@dataclass
class ViolenceFacts:
    contexts: list[RelationshipContext] = field(default_factory=list)
    forms: list[FormOfViolence] = field(default_factory=list)


def violence_facts(case: Case) -> ViolenceFacts:
    """The relationship contexts and forms of violence recorded on the case today, in the
    lists' order, in one query (the case's two fields would take two)."""
    rows = (
        _recorded(
            RelationshipContext, case.relationship_contexts.through, "relationshipcontext", case
        )
        .union(
            _recorded(FormOfViolence, case.forms_of_violence.through, "formofviolence", case),
            all=True,
        )
        .order_by("kind", "order", "pk")
    )
    facts = ViolenceFacts()
    for kind, name_nl, name_en, _order, pk in rows:
        if kind == "context":
            facts.contexts.append(RelationshipContext(pk=pk, name_nl=name_nl, name_en=name_en))
        else:
            facts.forms.append(FormOfViolence(pk=pk, name_nl=name_nl, name_en=name_en))
    return facts


def _recorded(model: Any, through: Any, column: str, case: Case) -> Any:
    kind = "context" if model is RelationshipContext else "form"
    return (
        model.objects.filter(pk__in=through.objects.filter(case_id=case.pk).values(f"{column}_id"))
        .annotate(kind=Value(kind))
        .values_list("kind", "name_nl", "name_en", "order", "pk")
        # No ordering of its own: SQLite refuses ORDER BY inside a compound statement's part.
        .order_by()
    )
