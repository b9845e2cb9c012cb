"""The family position and roles in the violence that tests give a person, named after the one
role a person had before migration cases/0030 (the same mapping as that migration): pass them
as keyword arguments, ``person_create_in_case(..., **pr.VICTIM)`` or ``CaseParty(..., **pr.CHILD)``.
"""

from typing import Any

from cases.models import FamilyPosition, ViolenceRole

VICTIM: dict[str, Any] = {"roles": [ViolenceRole.VICTIM]}
PERPETRATOR: dict[str, Any] = {"roles": [ViolenceRole.PERPETRATOR]}
CHILD: dict[str, Any] = {"position": FamilyPosition.CHILD}
FAMILY: dict[str, Any] = {"position": FamilyPosition.OTHER, "roles": [ViolenceRole.INVOLVED]}
OTHER: dict[str, Any] = {"roles": [ViolenceRole.INVOLVED]}
WITNESS_CHILD: dict[str, Any] = {"position": FamilyPosition.CHILD, "roles": [ViolenceRole.WITNESS]}
VICTIM_CHILD: dict[str, Any] = {"position": FamilyPosition.CHILD, "roles": [ViolenceRole.VICTIM]}
