"""Base views. Every application view is built on one of these (a test enforces it).

* :class:`AuthenticatedView` — any signed-in user; no object data.
* :class:`RoleRequiredMixin` — pages for given roles; otherwise 403 (no object is named).
* :class:`CaseScopedMixin` — the queryset is restricted by :mod:`access.policy`
  before anything else; an object out of scope is a 404, a visible object without
  the needed action is a 403. Successful reads and all denials are audited.
* :class:`ConsultationScopedMixin` — the same for pages of an art. 458ter consultation.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn, cast

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.views import View

from . import audit
from .models import AuditAction
from .parts import CasePart
from .policy import (
    Action,
    is_permitted,
    may_manage_consultation,
    may_work_with_cases,
    restrict,
    restrict_consultation_view,
    restrict_consultations,
    restrict_inbox,
    restrict_registrations,
    restrict_secrecy_page,
)
from .registry import consultation_models

if TYPE_CHECKING:
    from accounts.models import User


class AccessControlledView(View):
    """Marker base: the URL-walking test accepts only views built on this class."""

    @property
    def user(self) -> "User":
        # LoginRequiredMiddleware has already turned anonymous requests away.
        return cast("User", self.request.user)

    def request_changes(self) -> bool:
        """Whether this request may change something, so its audit row says CHANGE rather
        than VIEW. A view that only asks on a POST (common.views.ConfirmationMixin) says no."""
        return self.request.method not in ("GET", "HEAD", "OPTIONS")

    def audited_object(
        self,
        obj: Any,
        *,
        model: type[models.Model],
        pk: Any,
        action: Action,
        permitted: Callable[[], bool],
        purpose: str,
    ) -> Any:
        """The answer to fetching one object, audited in the same words by every base view:
        404 when ``obj`` is None (out of scope and "does not exist" alike), 403 when ``action``
        needs more than viewing and is not ``permitted``, else the read (or change) recorded."""
        request = self.request
        if obj is None:
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                request=request,
                object_type=model._meta.label_lower,
                object_id=pk or "",
                purpose="out of scope",
            )
            raise Http404
        if action != Action.VIEW and not permitted():
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                obj=obj,
                request=request,
                purpose=f"{action} not permitted",
            )
            raise PermissionDenied
        audit.record(
            user=request.user,
            action=AuditAction.CHANGE if self.request_changes() else AuditAction.VIEW,
            obj=obj,
            request=request,
            purpose=purpose,
        )
        return obj


class AuthenticatedView(AccessControlledView):
    """Any active, signed-in user (login itself is enforced by LoginRequiredMiddleware)."""


class RoleRequiredMixin(AccessControlledView):
    required_roles: ClassVar[frozenset[str]] = frozenset()

    def has_required_role(self) -> bool:
        user = self.request.user
        return bool(
            user.is_authenticated and user.is_active and user.has_role(*self.required_roles)
        )

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not self.has_required_role():
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                request=request,
                purpose="role required",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CaseWorkRequiredMixin(AccessControlledView):
    """Pages about case files in general (lists, registration): case-working roles only."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not may_work_with_cases(request.user):
            audit.record(
                user=request.user,
                action=AuditAction.DENIED,
                request=request,
                purpose="case work required",
            )
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CaseScopedMixin(AccessControlledView):
    """For views of one case-scoped object (``model`` is the case or lives inside one)."""

    model: type[models.Model]
    action: ClassVar[Action] = Action.VIEW
    # A stable English phrase, not translated: the audit trail must read the same in any language.
    audit_purpose: ClassVar[str] = ""
    pk_url_kwarg = "pk"
    # The part of the file the page shows, when it starts from the case but shows one part
    # of it (the journal, the risk list): a share whose scope lacks it answers 404. By
    # default the part of ``model`` itself (access.policy.case_part_of).
    case_part: ClassVar[CasePart | None] = None

    def base_queryset(self) -> models.QuerySet[Any]:
        return self.model._default_manager.all()

    def get_queryset(self) -> models.QuerySet[Any]:
        return restrict(self.base_queryset(), self.request.user, Action.VIEW, part=self.case_part)

    object_cache: models.Model | None = None

    def get_object(self, queryset: models.QuerySet[Any] | None = None) -> Any:
        if self.object_cache is not None:
            return self.object_cache
        pk = self.kwargs.get(self.pk_url_kwarg)
        user = self.request.user
        obj = (queryset if queryset is not None else self.get_queryset()).filter(pk=pk).first()
        self.object_cache = self.audited_object(
            obj,
            model=self.model,
            pk=pk,
            action=self.action,
            permitted=lambda: obj is not None and is_permitted(user, obj, self.action),
            purpose=self.audit_purpose,
        )
        return self.object_cache


class ConsultationScopedMixin(AccessControlledView):
    """For pages of one art. 458ter consultation (its pk in the URL as ``pk``).

    The consultation is fetched through :func:`access.policy.restrict_consultations` (or, for
    the secrecy page only, :func:`~access.policy.restrict_secrecy_page`): out of scope, or a
    participant who has not confirmed the duty of secrecy, is a 404; visible without the
    right to manage it is a 403. Agenda items go through
    :func:`~access.policy.restrict_consultation_view`, per item.
    """

    action: ClassVar[Action] = Action.VIEW
    audit_purpose: ClassVar[str] = ""
    # Only the page where a participant confirms the duty of secrecy sets this.
    secrecy_page: ClassVar[bool] = False
    consultation_cache: Any = None

    def _deny(
        self, *, status: int, object_type: str, object_id: object, case_id: Any = None
    ) -> NoReturn:
        audit.record(
            user=self.request.user,
            action=AuditAction.DENIED,
            request=self.request,
            object_type=object_type,
            object_id=object_id,
            case_id=case_id,
            purpose="out of scope" if status == 404 else f"{self.action} not permitted",
        )
        if status == 404:
            raise Http404
        raise PermissionDenied

    def item_denial(self, item: Any) -> int | None:
        """A further rule of this page for its agenda item, checked before anything is
        recorded as seen or changed: the status to answer (403/404), or None."""
        return None

    def get_consultation(self, *, record: bool = True) -> Any:
        """The consultation ``pk`` (404 out of scope, 403 when managing is needed and not
        permitted); ``record=False`` when the page records its own object instead."""
        if self.consultation_cache is not None:
            return self.consultation_cache
        user = self.request.user
        pk = self.kwargs.get("pk")
        base = consultation_models().consultation._default_manager.select_related(
            "legal_basis", "chair__organisation"
        )
        scoped = (
            restrict_secrecy_page(base, user)
            if self.secrecy_page
            else restrict_consultations(base, user)
        )
        consultation = scoped.filter(pk=pk).first()
        if consultation is None:
            self._deny(status=404, object_type="consultations.consultation", object_id=pk or "")
        if self.action != Action.VIEW and not may_manage_consultation(user, consultation):
            self._deny(status=403, object_type="consultations.consultation", object_id=pk)
        self.consultation_cache = consultation
        if not record:
            return consultation
        audit.record(
            user=user,
            action=AuditAction.CHANGE if self.request_changes() else AuditAction.VIEW,
            obj=consultation,
            request=self.request,
            purpose=self.audit_purpose,
        )
        return consultation

    def get_agenda_item(self, *, action: Action = Action.VIEW) -> Any:
        """The agenda item ``item_pk`` of this consultation whose consultation view the user may
        open (404 otherwise); with ``CHANGE``, its case team with change access (403 otherwise)."""
        consultation = self.get_consultation(record=False)
        user = self.request.user
        item_pk = self.kwargs.get("item_pk")
        items = consultation_models().agenda_item._default_manager.filter(
            consultation=consultation, pk=item_pk
        )
        item: Any = restrict_consultation_view(items.select_related("case"), user).first()
        if item is None:
            self._deny(status=404, object_type="consultations.agendaitem", object_id=item_pk or "")
        if action != Action.VIEW and not restrict(items, user, action).exists():
            self._deny(
                status=403,
                object_type="consultations.agendaitem",
                object_id=item_pk,
                case_id=item.case_id,
            )
        item.consultation = consultation
        status = self.item_denial(item)
        if status is not None:
            self._deny(
                status=status,
                object_type="consultations.agendaitem",
                object_id=item_pk,
                case_id=item.case_id,
            )
        audit.record(
            user=user,
            action=AuditAction.CHANGE if self.request_changes() else AuditAction.VIEW,
            obj=item,
            request=self.request,
            purpose=self.audit_purpose,
        )
        return item


class RegistrationScopedMixin(AccessControlledView):
    """For pages of one registration by a partner (its pk in the URL as ``registration_pk``).

    Fetched through :func:`access.policy.restrict_registrations`: out of scope is a 404 (the
    same for "does not exist"); visible without the right to screen or decide (the
    registrant's organisation) is a 403. Reads and denials are audited.
    """

    registration_model: ClassVar[type[models.Model]]
    action: ClassVar[Action] = Action.VIEW
    audit_purpose: ClassVar[str] = ""
    registration_cache: Any = None

    def get_registration(self) -> Any:
        if self.registration_cache is not None:
            return self.registration_cache
        user = self.request.user
        pk = self.kwargs.get("registration_pk")
        model = self.registration_model
        base = model._default_manager.select_related(
            "owner_organisation", "registrant_organisation", "registered_by", "municipality"
        )
        self.registration_cache = self.audited_object(
            restrict_registrations(base, user).filter(pk=pk).first(),
            model=model,
            pk=pk,
            action=self.action,
            permitted=lambda: restrict_registrations(
                model._default_manager.filter(pk=pk), user, self.action
            ).exists(),
            purpose=self.audit_purpose,
        )
        return self.registration_cache


class InboxScopedMixin(AccessControlledView):
    """For pages of one item of the partner inbox: a referral to, or an action assigned to,
    an organisation (``inbox_model``; its pk in the URL as ``pk_url_kwarg``).

    Fetched through :func:`access.policy.restrict_inbox`: out of scope is a 404 (the same
    for "does not exist"); visible without the right to answer (the case team) is a 403.
    Reads and denials are audited. The item never opens its case.
    """

    inbox_model: ClassVar[type[models.Model]]
    pk_url_kwarg: ClassVar[str] = "item_pk"
    action: ClassVar[Action] = Action.VIEW
    audit_purpose: ClassVar[str] = ""
    item_cache: Any = None

    def get_item(self) -> Any:
        if self.item_cache is not None:
            return self.item_cache
        user = self.request.user
        pk = self.kwargs.get(self.pk_url_kwarg)
        model = self.inbox_model
        base = model._default_manager.select_related(
            "case__owner_organisation", "case__case_director"
        )
        self.item_cache = self.audited_object(
            restrict_inbox(base, user).filter(pk=pk).first(),
            model=model,
            pk=pk,
            action=self.action,
            permitted=lambda: restrict_inbox(
                model._default_manager.filter(pk=pk), user, self.action
            ).exists(),
            purpose=self.audit_purpose,
        )
        return self.item_cache
