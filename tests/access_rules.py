"""The hand-written expectation of who may do what: the oracle the matrix test checks.

It is written from the domain rules, not computed by ``access.policy``.
"""

from dataclasses import dataclass

CASE_KEYS = ("city_a", "city_b", "caw_a", "caw_b", "city_a_shared")


@dataclass(frozen=True)
class Expect:
    views: frozenset[str] = frozenset()  # case keys the user may read
    changes: frozenset[str] = frozenset()  # case keys the user may change
    works_with_cases: bool = False  # may open lists and exports
    registers_cases: bool = False  # may register a case


def _director(*cases: str) -> Expect:
    return Expect(
        views=frozenset(cases),
        changes=frozenset(cases),
        works_with_cases=True,
        registers_cases=True,
    )


EXPECTED = {
    "director_city_a": _director("city_a", "city_a_shared"),
    "director_city_b": _director("city_b"),
    "director_caw_a": _director("caw_a"),
    "director_caw_b": _director("caw_b"),
    "opslead_city_a": Expect(),
    "opslead_city_b": Expect(),
    "netcoord_vo_a": Expect(),
    "netcoord_vo_b": Expect(),
    # The prosecutor's office reads what was shared with it, and changes nothing.
    "liaison_parket_a": Expect(views=frozenset({"city_a_shared"}), works_with_cases=True),
    "liaison_parket_b": Expect(works_with_cases=True),
    "partner_police_a": Expect(works_with_cases=True),
    "partner_police_b": Expect(works_with_cases=True),
    "partner_partner_a": Expect(works_with_cases=True),
    "partner_partner_b": Expect(works_with_cases=True),
    # Administrators manage accounts and never read case content.
    "admin_city_a": Expect(),
    "admin_caw_b": Expect(),
    "superuser": Expect(),
    # Inactive users cannot log in; covered separately.
}


# The world's art. 458ter consultation on the shared case (tests/conftest.py _consultation):
# what each user is in it. Everyone else, administrators and the superuser included, gets 404
# on its pages: nothing tells them it exists.
CHAIR = "chair"
PARTICIPANT = "participant"  # took part and confirmed the duty of secrecy
IN_CONSULTATION = {
    "director_city_a": CHAIR,
    "liaison_parket_a": PARTICIPANT,
}


def consultation_status(username: str, *, manage: bool, ok: int) -> int:
    """A page of the world's consultation. ``manage``: changes it (the chair; for an agenda
    item, its case team with change access)."""
    role = IN_CONSULTATION.get(username)
    if role is None:
        return 404
    if manage and role != CHAIR:
        return 403
    return ok


# The world's hit notices (tests/conftest.py _hit_notice): one per case, to its director. A
# hit notice is its recipient's alone: anyone else, colleagues on the case included, gets 404.
NOTICE_RECIPIENTS = {
    "city_a": "director_city_a",
    "city_b": "director_city_b",
    "caw_a": "director_caw_a",
    "caw_b": "director_caw_b",
    "city_a_shared": "director_city_a",
}
