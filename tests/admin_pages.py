"""The Django admin's pages as a test fills them in: the data a page sends as opened, an
account added through the admin's form."""

from typing import Any

from django.test import TestCase
from django.urls import reverse

from accounts.models import Role
from partners.models import Organisation


def role_ids(*codes: str) -> list[int]:
    """The ids of these roles, as the admin's role checkboxes send them."""
    return list(Role.objects.filter(code__in=codes).values_list("pk", flat=True))


def form_initial_data(form: Any) -> dict[str, Any]:
    """A form's values as opened, ready to post under its prefix (related objects by id, a
    ticked box as "on", an unticked one left out, as a browser does)."""
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            value = [getattr(v, "pk", v) for v in value]
        data[form.add_prefix(name)] = "on" if value is True else getattr(value, "pk", value)
    return data


def admin_form_data(client: Any, url: str) -> dict[str, Any]:
    """The change page at ``url`` as opened by ``client``: its form's values, ready to post."""
    return form_initial_data(client.get(url).context["adminform"].form)


def add_account_in_admin(
    client: Any, *, username: str, email: str, organisation: Organisation, roles: list[str]
) -> Any:
    """The admin's "add account" form, filled in and posted by whoever ``client`` is signed in
    as; the invitation's mail is sent (the commit's callbacks run)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            reverse("admin:accounts_user_add"),
            {
                "username": username,
                "first_name": "Nieuw",
                "last_name": "Regisseur",
                "email": email,
                "organisation": organisation.pk,
                "roles": role_ids(*roles),
            },
        )
