from django.apps import AppConfig
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        # access cannot import cases (it is the layer below): tell it the models it restricts.
        from access.registry import CaseModels, register_case_models

        from .models import (
            Case,
            CaseGroupObjectPermission,
            CaseUserObjectPermission,
            CoDirector,
            EventKind,
            ReferralDirection,
            RepeatMatch,
            Visibility,
        )

        register_case_models(
            CaseModels(
                case=Case,
                user_permission=CaseUserObjectPermission,
                group_permission=CaseGroupObjectPermission,
                co_director=CoDirector,
                journal_open_to_viewers=Q(visibility=Visibility.ALL),
                repeat_match=RepeatMatch,
                event_about_another_case=Q(kind=EventKind.MARKED_REPEAT),
                inbox_items={
                    "cases.referral": (
                        Q(direction=ReferralDirection.OUTGOING),
                        "partner_id",
                    ),
                    "cases.caseaction": (
                        Q(assignee_organisation__isnull=False),
                        "assignee_organisation_id",
                    ),
                },
            )
        )
