"""Existing legal bases after issue 13 (who keeps them, what an authorisation needs).

* Protocols stay usable as they are. They have no partner agreement linked yet; the list
  says so, and the operations lead links one the next time the basis is edited (the form
  requires it then).
* Reasoned authorisations of the public prosecutor were recorded by any case director,
  without the parket's confirmation or a signed copy. They stay, but are "to be confirmed by
  the parket" (no ``confirmed_at``, no ``signed_document``): no new consultation can be
  planned or moved under one, and no participant or case can be added to a planned one,
  until a prosecutor liaison of the issuing office confirms it or the operations lead uploads
  the signed copy. Consultations already planned or held keep their basis and their minutes.
* So that the right office can confirm it, an authorisation whose allowed organisations
  include exactly one prosecutor's office gets that office as ``issuing_office``; the others
  keep none until the operations lead names it.

Nothing is deleted or changed besides ``issuing_office``; backwards nothing is undone here
(reversing 0003 drops the column).
"""

from django.db import migrations


def name_issuing_offices(apps, schema_editor):
    LegalBasis = apps.get_model("consultations", "LegalBasis")
    for basis in LegalBasis.objects.filter(kind="authorisation", issuing_office__isnull=True):
        offices = list(
            basis.allowed_organisations.filter(kind="prosecutor").values_list("pk", flat=True)
        )
        if len(offices) == 1:
            LegalBasis.objects.filter(pk=basis.pk).update(issuing_office_id=offices[0])


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_legal_basis_agreement_office_and_confirmation"),
        ("partners", "0004_gap_status_changes_from_history"),
    ]

    operations = [migrations.RunPython(name_issuing_offices, migrations.RunPython.noop)]
