"""What access control needs to know about the domain's models, told by the apps themselves.

``access`` is the foundation the domain apps are built on, so it imports none of them (an
import-linter contract keeps it so). Instead, ``cases`` and ``consultations`` register their
models here in ``AppConfig.ready()``, and :mod:`access.policy`, :mod:`access.views` and
:mod:`access.audit` read them. The rules themselves stay in :mod:`access.policy`.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class CaseModels:
    case: type[models.Model]
    # guardian's direct foreign-key permission tables of the case: the grants.
    user_permission: type[models.Model]
    group_permission: type[models.Model]
    # Who co-directs a case (``case_id``, ``user_id``), beside ``Case.case_director``.
    co_director: type[models.Model]
    # The journal entries anyone who may see the case may read; the others are "case team
    # only", which access.policy reserves for change access.
    journal_open_to_viewers: Q
    # Every (later, earlier) pair of cases that the repeat rule matched (``later_id``,
    # ``earlier_id``), system-wide: access.policy tells each user only the matches they may see.
    repeat_match: type[models.Model]
    # Timeline lines about another case (``about_case_id``), shown only to who may see it.
    event_about_another_case: Q
    # The partner inbox (issue 19, part 3): per model label, the rows that are inbox items
    # and the field naming the organisation they are addressed to.
    inbox_items: Mapping[str, tuple[Q, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsultationModels:
    consultation: type[models.Model]
    participant: type[models.Model]
    agenda_item: type[models.Model]
    # Time-boxed access of a participant to one agenda item's consultation view.
    access: type[models.Model]


_cases: CaseModels | None = None
_consultations: ConsultationModels | None = None


def register_case_models(case_models: CaseModels) -> None:
    global _cases
    _cases = case_models


def register_consultation_models(consultation_models: ConsultationModels) -> None:
    global _consultations
    _consultations = consultation_models


def case_models() -> CaseModels:
    if _cases is None:
        raise ImproperlyConfigured("The cases app has not registered its models with access.")
    return _cases


def consultation_models() -> ConsultationModels:
    if _consultations is None:
        raise ImproperlyConfigured(
            "The consultations app has not registered its models with access."
        )
    return _consultations
