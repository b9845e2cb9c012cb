"""Turn every existing share (a group grant on a case to an organisation other than its
owner) into a disclosure record, so that no access is lost and none stays without an end.

Before issue 13 "Delen" granted ``view_case`` to another organisation's group on a free-text
reason, for ever. Each such (case, organisation) becomes one open ``CaseShare``:

* ground "legacy": shared before grounds were recorded, to be confirmed. The case page flags
  it, so a director confirms a ground (by sharing again) or stops sharing;
* scope: the whole file, which is what the grant opened (nothing is taken away silently);
* from: the day of the last grant recorded in the audit trail for that case and organisation
  (else the day of this migration); shared by: whoever made that grant; its free-text reason
  is kept in ``legacy_reason``;
* until: the day of this migration plus ``FJC_SHARE_DEFAULT_DAYS``.

The grant rows themselves are kept and now carry their share, so access is the same the day
after the migration; it ends on the end date unless a director confirms it. Grants to groups
that are no organisation's are left alone (they are no share). The application only ever
granted other organisations ``view_case``; a share gives read access only. A second run changes nothing:
a grant that carries a share is skipped. Backwards, the grants drop their share (they keep
the access they gave) and the legacy records are removed.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import migrations
from django.utils import timezone

LEGACY = "legacy"
WHOLE_FILE = "whole_file"


def forward(apps: Any, schema_editor: Any) -> None:
    Grant = apps.get_model("cases", "CaseGroupObjectPermission")
    CaseShare = apps.get_model("cases", "CaseShare")
    Organisation = apps.get_model("partners", "Organisation")
    AuditEvent = apps.get_model("access", "AuditEvent")
    today = timezone.localdate()
    ends_on = today + datetime.timedelta(days=getattr(settings, "FJC_SHARE_DEFAULT_DAYS", 90))
    organisation_of_group = dict(Organisation.objects.values_list("group_id", "pk"))
    grants = (
        Grant.objects.filter(share__isnull=True)
        .select_related("content_object")
        .order_by("content_object_id", "group_id", "pk")
    )
    pairs: dict[tuple[int, int], list[Any]] = {}
    for grant in grants:
        organisation_id = organisation_of_group.get(grant.group_id)
        case = grant.content_object
        if organisation_id is None or organisation_id == case.owner_organisation_id:
            continue  # the owner's grant, or a group that is no organisation
        pairs.setdefault((case.pk, organisation_id), []).append(grant)
    for (case_id, organisation_id), pair_grants in pairs.items():
        granted = (
            AuditEvent.objects.filter(
                action="grant", case_id=case_id, detail__organisation=organisation_id
            )
            .order_by("-at", "-pk")
            .first()
        )
        starts_on = timezone.localdate(granted.at) if granted is not None else today
        share = CaseShare.objects.create(
            case_id=case_id,
            organisation_id=organisation_id,
            ground=LEGACY,
            legacy_reason=(granted.purpose if granted is not None else "")[:200],
            scope=WHOLE_FILE,
            starts_on=min(starts_on, today),
            ends_on=ends_on,
            shared_by_id=granted.user_id if granted is not None else None,
        )
        Grant.objects.filter(pk__in=[g.pk for g in pair_grants]).update(share=share)


def backward(apps: Any, schema_editor: Any) -> None:
    Grant = apps.get_model("cases", "CaseGroupObjectPermission")
    CaseShare = apps.get_model("cases", "CaseShare")
    Grant.objects.filter(share__isnull=False).update(share=None)
    CaseShare.objects.filter(ground=LEGACY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0014_case_shares"),
        ("access", "0003_audit_append_only"),
    ]

    operations = [migrations.RunPython(forward, backward)]
