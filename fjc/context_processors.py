from django.conf import settings
from django.http import HttpRequest

from access.policy import (
    may_read_break_glass_reviews,
    may_register,
    may_request_break_glass,
    may_triage,
    may_use_annual_reports,
    may_use_inbox,
    may_work_with_cases,
)
from accounts.roles import (
    AUDIT_ROLES,
    DASHBOARD_ROLES,
    DIRECTORY_READ_ROLES,
    FUNDING_ROLES,
    NETWORK_ROLES,
    WORKLOAD_ROLES,
    RoleCode,
)
from accounts.types import AnyUser

REGISTRANT_PAGES = frozenset({"mine", "create", "correct", "withdraw", "attachment"})


def installation(request: HttpRequest) -> dict[str, object]:
    # getattr: a request that did not pass the authentication middleware has no user.
    user: AnyUser | None = getattr(request, "user", None)
    # The signed-in user, or None: every entry below is False for None.
    staff = user if user is not None and user.is_authenticated else None
    triage = staff is not None and may_triage(staff)
    return {
        "installation_name": settings.FJC_INSTALLATION_NAME,
        # The unread notices of the signed-in user, for the badge in the navigation: a
        # column of the user's row (accounts.User.unread_notices), read anyway, no query.
        "notices_unread": getattr(staff, "unread_notices", 0) if staff is not None else 0,
        "nav": {
            "cases": staff is not None and may_work_with_cases(staff),
            # The deadline board (cases.views.board): for everyone who works with cases.
            "board": staff is not None and may_work_with_cases(staff),
            "admin": staff is not None and staff.is_staff and staff.is_active,
            "partners": staff is not None and staff.has_role(*DIRECTORY_READ_ROLES),
            "network": staff is not None and staff.has_role(*NETWORK_ROLES),
            "network_dashboard": staff is not None and staff.has_role(*DASHBOARD_ROLES),
            # Everyone who can take part in an art. 458ter consultation (case-working roles).
            "consultations": staff is not None and may_work_with_cases(staff),
            # The prosecutor liaison's own page (consultations.views.liaison).
            "liaison": staff is not None
            and may_work_with_cases(staff)
            and staff.has_role(RoleCode.PROSECUTOR_LIAISON),
            "annual_reports": staff is not None and may_use_annual_reports(staff),
            "funding": staff is not None and staff.has_role(*FUNDING_ROLES),
            # The case directors' workload (reporting.views.workload), issue 19.
            "workload": staff is not None and staff.has_role(*WORKLOAD_ROLES),
            "break_glass": staff is not None and may_request_break_glass(staff),
            "break_glass_reviews": staff is not None and may_read_break_glass_reviews(staff),
            "audit": staff is not None and staff.has_role(*AUDIT_ROLES),
            # Registrations by partners (issue 19): the registrant's list, the triage queue.
            "registrations": staff is not None and may_register(staff),
            "triage": triage,
            # The partner inbox (issue 19, part 3): the organisation's case-working users.
            "inbox": staff is not None and may_use_inbox(staff),
        },
        # The registration pages "My registrations" stands for in the menu; the others (the
        # queue, a decision, a screening note) are the triage's, and so is a registration's
        # page for whoever triages.
        "registrant_pages": REGISTRANT_PAGES if triage else REGISTRANT_PAGES | {"detail"},
    }
