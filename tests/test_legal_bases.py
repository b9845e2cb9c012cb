"""Legal bases are kept by the right people (issue 13, part 5).

Only the operations lead (and the roles in ``FJC_LEGAL_BASIS_ROLES``) manages them; a
prosecutor's reasoned authorisation is usable only once a prosecutor liaison of the office
that gave it confirmed it, or a signed copy was uploaded; widening it asks for that again;
a protocol links to the partner agreement that holds it. Each test tries to break a rule.
"""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import ModelChoiceField
from django.urls import reverse
from django.utils import timezone, translation

from access.models import AuditAction, AuditEvent
from accounts.roles import RoleCode
from consultations.forms.planning import ConsultationCreateForm
from consultations.models import Consultation, LegalBasis, LegalBasisKind
from consultations.services import legal_bases, planning
from partners.models import Agreement, AgreementKind, OrganisationKind

from .factories import make_organisation, make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 signed"
MIGRATION = importlib.import_module("consultations.migrations.0004_authorisations_to_be_confirmed")


def _authorisation(setting, *, document=None, **overrides):
    data = {
        "by": setting.users["opslead"],
        "kind": LegalBasisKind.AUTHORISATION,
        "reference": "PK 2026/12",
        "dated_on": timezone.localdate() - datetime.timedelta(days=5),
        "purpose": "Overleg over het gezin X.",
        "issuing_office": setting.orgs["parket"],
        "allowed_organisations": [setting.orgs["city"], setting.orgs["parket"]],
        "signed_document": document,
    }
    return legal_bases.legal_basis_create(**(data | overrides))


def _plan(setting, basis, **extra):
    return planning.consultation_create(
        by=setting.users["director"],
        legal_basis=basis,
        scheduled_at=timezone.now() + datetime.timedelta(days=3),
        location="Zaal 2",
        secrecy_confirmed=True,
        **extra,
    )


# --- who manages ---


@pytest.mark.parametrize("who", ["director", "liaison", "helper", "admin"])
def test_nobody_but_the_operations_lead_creates_changes_or_deactivates(setting, who):
    user = setting.users[who]
    with pytest.raises(PermissionDenied):
        _authorisation(setting, by=user)
    with pytest.raises(PermissionDenied):
        legal_bases.legal_basis_update(
            legal_basis=setting.basis,
            by=user,
            version=None,
            allowed_organisations=[*setting.basis.allowed_organisations.all(), setting.orgs["caw"]],
        )
    with pytest.raises(PermissionDenied):
        legal_bases.legal_basis_deactivate(legal_basis=setting.basis, by=user)
    setting.basis.refresh_from_db()
    assert setting.basis.is_active
    assert setting.orgs["caw"] not in setting.basis.allowed_organisations.all()
    assert not LegalBasis.objects.filter(reference="PK 2026/12").exists()


def test_an_administrator_holding_the_role_still_does_not_manage(setting):
    admin = make_user("admin_lead", setting.orgs["city"], RoleCode.ADMINISTRATOR)
    admin.roles.add(*admin.roles.model.objects.filter(code=RoleCode.OPERATIONS_LEAD))
    with pytest.raises(PermissionDenied):
        _authorisation(setting, by=admin)


def test_a_configured_role_manages_too(setting, settings):
    with pytest.raises(PermissionDenied):
        _authorisation(setting, by=setting.users["director"])
    settings.FJC_LEGAL_BASIS_ROLES = [RoleCode.CASE_DIRECTOR]
    assert _authorisation(setting, by=setting.users["director"]).pk


def test_a_case_director_gets_403_on_every_write_page_and_nothing_changes(setting, client):
    client.force_login(setting.users["director"])
    basis = setting.basis
    data = {
        "kind": "protocol",
        "reference": "Wider",
        "dated_on": "2020-01-01",
        "purpose": "p",
        "agreement": setting.agreement.pk,
        "allowed_organisations": [o.pk for o in setting.orgs.values()],
        "is_active": "on",
        "version": basis.version,
    }
    assert client.post(reverse("consultations:legal_basis_create"), data).status_code == 403
    edit = reverse("consultations:legal_basis_edit", kwargs={"legal_basis_pk": basis.pk})
    assert client.post(edit, data).status_code == 403
    deactivate = reverse(
        "consultations:legal_basis_deactivate", kwargs={"legal_basis_pk": basis.pk}
    )
    assert client.post(deactivate).status_code == 403
    fresh = LegalBasis.objects.get(pk=basis.pk)
    assert (fresh.reference, fresh.is_active, fresh.version) == (
        basis.reference,
        True,
        basis.version,
    )
    assert LegalBasis.objects.count() == 1
    # The list stays readable to a case director, without the keeper's buttons.
    page = client.get(reverse("consultations:legal_bases"))
    assert page.status_code == 200
    assert reverse("consultations:legal_basis_create").encode() not in page.content
    assert edit.encode() not in page.content


# --- what a basis needs ---


def test_an_authorisation_names_a_prosecutors_office(setting):
    with pytest.raises(ValidationError) as error:
        _authorisation(setting, issuing_office=None)
    assert "issuing_office" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        _authorisation(setting, issuing_office=setting.orgs["police"])
    assert "issuing_office" in error.value.error_dict


def test_a_protocol_links_the_458ter_agreement_that_holds_it(setting):
    common = {
        "by": setting.users["opslead"],
        "kind": LegalBasisKind.PROTOCOL,
        "reference": "Protocol 2",
        "dated_on": timezone.localdate(),
        "purpose": "p",
        "allowed_organisations": [setting.orgs["city"]],
    }
    with pytest.raises(ValidationError) as error:
        legal_bases.legal_basis_create(**common)
    assert "agreement" in error.value.error_dict
    other = Agreement.objects.create(
        organisation=setting.orgs["partner"],
        kind=AgreementKind.COOPERATION,
        title="Samenwerking",
        signed_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError) as error:
        legal_bases.legal_basis_create(**common, agreement=other)
    assert "agreement" in error.value.error_dict
    basis = legal_bases.legal_basis_create(**common, agreement=setting.agreement)
    assert basis.agreement == setting.agreement
    assert not basis.awaits_confirmation


# --- an authorisation is usable only when confirmed or backed by a signed copy ---


def test_an_unconfirmed_authorisation_cannot_be_used_for_a_consultation(setting):
    basis = _authorisation(setting)
    assert basis.awaits_confirmation
    before = Consultation.objects.count()
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        _plan(setting, basis)
    message = error.value.message_dict["legal_basis"][0]
    assert "niet bevestigd door het parket" in message
    assert Consultation.objects.count() == before
    # Nor is it offered on the planning form.
    field = ConsultationCreateForm().fields["legal_basis"]
    assert isinstance(field, ModelChoiceField) and field.queryset is not None
    offered = list(field.queryset)
    assert basis not in offered
    assert setting.basis in offered


def test_the_parkets_confirmation_makes_it_usable(setting):
    basis = _authorisation(setting)
    legal_bases.legal_basis_confirm(legal_basis=basis, by=setting.users["liaison"])
    basis.refresh_from_db()
    assert basis.confirmed_by == setting.users["liaison"]
    assert not basis.awaits_confirmation
    assert _plan(setting, basis).legal_basis == basis
    assert AuditEvent.objects.filter(
        action=AuditAction.CHANGE,
        object_type="consultations.legalbasis",
        object_id=str(basis.pk),
        purpose="legal basis confirmed by the parket",
    ).exists()


def test_a_signed_copy_makes_it_usable(setting):
    basis = _authorisation(setting, document=SimpleUploadedFile("machtiging.pdf", PDF))
    assert not basis.awaits_confirmation
    assert basis.signed_document.name.startswith("legal-bases/")
    assert _plan(setting, basis).legal_basis == basis


@pytest.mark.parametrize("who", ["other_liaison", "police_liaison", "director", "admin", "creator"])
def test_only_a_liaison_of_the_issuing_office_confirms(setting, who):
    other_parket = make_organisation("Parket Elders", OrganisationKind.PROSECUTOR)
    users = {
        "other_liaison": make_user("liaison2", other_parket, RoleCode.PROSECUTOR_LIAISON),
        # A liaison role in an organisation that is not a prosecutor's office.
        "police_liaison": make_user(
            "liaison3", setting.orgs["police"], RoleCode.PROSECUTOR_LIAISON
        ),
        "director": setting.users["director"],
        "admin": setting.users["admin"],
    }
    basis = _authorisation(setting)
    if who == "creator":
        # The liaison who also keeps the bases may not confirm what they recorded.
        creator = setting.users["liaison"]
        creator.roles.add(*creator.roles.model.objects.filter(code=RoleCode.OPERATIONS_LEAD))
        creator = type(creator).objects.get(pk=creator.pk)
        basis = _authorisation(setting, by=creator, reference="PK eigen")
        users["creator"] = creator
    with pytest.raises(PermissionDenied):
        legal_bases.legal_basis_confirm(legal_basis=basis, by=users[who])
    basis.refresh_from_db()
    assert basis.awaits_confirmation


def test_a_protocol_is_not_confirmed(setting):
    with pytest.raises(ValidationError):
        legal_bases.legal_basis_confirm(legal_basis=setting.basis, by=setting.users["liaison"])


def test_the_confirm_page(setting, client):
    basis = _authorisation(setting)
    url = reverse("consultations:legal_basis_confirm", kwargs={"authorisation_pk": basis.pk})
    client.force_login(setting.users["director"])
    assert client.post(url).status_code == 403
    basis.refresh_from_db()
    assert basis.awaits_confirmation
    assert AuditEvent.objects.filter(
        action=AuditAction.DENIED,
        object_id=str(basis.pk),
        purpose="confirm legal basis not permitted",
    ).exists()
    client.force_login(setting.users["liaison"])
    page = client.get(reverse("consultations:legal_bases"))
    assert url.encode() in page.content
    assert client.post(url).status_code == 302
    basis.refresh_from_db()
    assert basis.is_confirmed


def test_widening_a_confirmed_authorisation_asks_for_confirmation_again(setting):
    basis = _authorisation(setting)
    legal_bases.legal_basis_confirm(legal_basis=basis, by=setting.users["liaison"])
    consultation = _plan(setting, basis)
    # Narrowing (fewer organisations, an end date) keeps the confirmation.
    basis = legal_bases.legal_basis_update(
        legal_basis=basis,
        by=setting.users["opslead"],
        version=None,
        allowed_organisations=[setting.orgs["city"], setting.orgs["parket"]],
        valid_until=timezone.localdate() + datetime.timedelta(days=60),
    )
    assert basis.is_confirmed
    # Widening: another organisation may now hear professional secrets.
    basis = legal_bases.legal_basis_update(
        legal_basis=basis,
        by=setting.users["opslead"],
        version=None,
        allowed_organisations=[setting.orgs["city"], setting.orgs["parket"], setting.orgs["caw"]],
    )
    assert basis.awaits_confirmation
    # What it blocks on a planned consultation: nobody and no case is added under it, and the
    # meeting is not moved.
    outsider = setting.users["outsider"]
    with pytest.raises(ValidationError):
        planning.participant_add_user(
            consultation=consultation, by=setting.users["director"], user=outsider
        )
    with pytest.raises(ValidationError):
        planning.agenda_item_add(
            consultation=consultation, by=setting.users["director"], case=setting.cases["z"]
        )
    with pytest.raises(ValidationError):
        planning.consultation_update(
            consultation=consultation,
            by=setting.users["director"],
            version=None,
            scheduled_at=consultation.scheduled_at + datetime.timedelta(hours=2),
            location="Zaal 2",
        )
    assert not consultation.participants.filter(user=outsider).exists()


@pytest.mark.parametrize(
    "change",
    [
        {"valid_until": None},
        {"dated_on": datetime.date(2012, 1, 1)},
        {"purpose": "Een ander doel."},
        {"reference": "PK 2026/12-bis"},
    ],
    ids=["no end", "earlier", "purpose", "reference"],
)
def test_every_widening_ends_the_signed_copys_backing(setting, change):
    basis = _authorisation(
        setting,
        document=SimpleUploadedFile("machtiging.pdf", PDF),
        valid_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert not basis.awaits_confirmation
    basis = legal_bases.legal_basis_update(
        legal_basis=basis, by=setting.users["opslead"], version=None, **change
    )
    assert basis.awaits_confirmation
    # The earlier copy stays in the history.
    assert basis.history.filter(signed_document__startswith="legal-bases/").exists()


def test_a_new_signed_copy_with_the_widening_backs_it(setting):
    basis = _authorisation(setting, document=SimpleUploadedFile("a.pdf", PDF))
    basis = legal_bases.legal_basis_update(
        legal_basis=basis,
        by=setting.users["opslead"],
        version=None,
        purpose="Breder doel.",
        signed_document=SimpleUploadedFile("b.pdf", PDF),
    )
    assert not basis.awaits_confirmation


# --- the signed copy: upload rules and who downloads it ---


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("machtiging.pdf", b"MZ\x90\x00 a program"),
        ("machtiging.exe", PDF),
        ("machtiging.html", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_a_signed_copy_must_be_an_allowed_file(setting, name, content):
    with translation.override("nl"), pytest.raises(ValidationError) as error:
        _authorisation(setting, document=SimpleUploadedFile(name, content))
    assert "signed_document" in error.value.error_dict
    assert not LegalBasis.objects.filter(reference="PK 2026/12").exists()


def test_the_signed_copy_download(setting, client):
    basis = _authorisation(setting, document=SimpleUploadedFile("machtiging.pdf", PDF))
    url = reverse("consultations:legal_basis_document", kwargs={"authorisation_pk": basis.pk})
    for who, status in [("director", 403), ("helper", 403), ("liaison", 200), ("opslead", 200)]:
        client.force_login(setting.users[who])
        response = client.get(url)
        assert response.status_code == status, who
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, object_id=str(basis.pk), username="opslead"
    ).exists()


# --- the data migration ---


def test_the_migration_names_the_office_and_leaves_authorisations_to_be_confirmed(setting):
    opslead = setting.users["opslead"]
    other_parket = make_organisation("Parket Twee", OrganisationKind.PROSECUTOR)

    def old_authorisation(reference, organisations):
        # As the app used to store them: no office, no confirmation, no copy.
        basis = LegalBasis.objects.create(
            kind=LegalBasisKind.AUTHORISATION,
            reference=reference,
            dated_on=timezone.localdate() - datetime.timedelta(days=40),
            purpose="p",
            created_by=opslead,
        )
        basis.allowed_organisations.set(organisations)
        return basis

    one = old_authorisation("PK één", [setting.orgs["city"], setting.orgs["parket"]])
    two = old_authorisation("PK twee", [setting.orgs["parket"], other_parket])
    none = old_authorisation("PK geen", [setting.orgs["city"]])
    before = {
        b.pk: (b.reference, b.purpose, b.is_active, b.dated_on, b.valid_until)
        for b in LegalBasis.objects.all()
    }
    MIGRATION.name_issuing_offices(apps, None)
    MIGRATION.name_issuing_offices(apps, None)  # again: nothing more changes
    offices = dict(LegalBasis.objects.values_list("pk", "issuing_office_id"))
    assert offices[one.pk] == setting.orgs["parket"].pk
    assert offices[two.pk] is None
    assert offices[none.pk] is None
    assert offices[setting.basis.pk] is None  # the protocol is left alone
    after = {
        b.pk: (b.reference, b.purpose, b.is_active, b.dated_on, b.valid_until)
        for b in LegalBasis.objects.all()
    }
    assert after == before
    for basis in (one, two, none):
        basis.refresh_from_db()
        assert basis.awaits_confirmation
        with pytest.raises(ValidationError):
            _plan(setting, basis)
    # The protocol stays usable.
    assert not LegalBasis.objects.get(pk=setting.basis.pk).awaits_confirmation
    # And the issuing office's liaison can now confirm the first one.
    legal_bases.legal_basis_confirm(legal_basis=one, by=setting.users["liaison"])
    assert _plan(setting, one).pk
