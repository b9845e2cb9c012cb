"""Reads for cases. Every one starts from ``access.policy.restrict``."""

from django.db.models import QuerySet

from partners.models import Organisation

from ..models import Case, CaseGroupObjectPermission


def organisations_with_access(*, case: Case) -> QuerySet[Organisation]:
    group_ids = CaseGroupObjectPermission.objects.filter(
        content_object=case, permission__codename="view_case"
    ).values("group_id")
    return Organisation.objects.filter(group_id__in=group_ids).order_by("name")
