"""One read of a case's rows, for selectors the steering page shares with other pages."""

from django.db import models

from access.parts import CasePart
from access.policy import CaseAccess, restrict
from accounts.models import User


def case_rows[M: models.Model](
    rows: models.QuerySet[M],
    user: User,
    access: CaseAccess | None,
    *,
    part: CasePart | None = None,
) -> models.QuerySet[M]:
    """``rows`` (of one case) as the user may see them: through the case's access decided for
    this request when the caller has it (``access.policy.decide_case_access``: the steering
    page and its print), else through ``access.policy.restrict``."""
    if access is None:
        return restrict(rows, user, part=part)
    return access.children(rows)
