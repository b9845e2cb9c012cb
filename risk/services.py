"""Writes for risk assessment. Keyword-only, in a transaction, history attributed to ``by``.

Rules broken raise ``ValidationError`` with a message the form shows; nothing changes then.
"""

import datetime
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from access.policy import may_decide_on_risk
from accounts.models import User
from cases.models import Case, CaseParty, EventKind, Track
from cases.services import case_change_track, record_event
from common.history import attribute
from common.versioning import locked_for_update, save_versioned
from partners.models import Organisation

from . import escalation
from .current import current_risk, newest_first
from .instruments import export_version, load_instrument, parse_instrument
from .models import (
    Answer,
    Assessment,
    EscalationDismissal,
    InstrumentVersion,
    JointAssessment,
    Level,
    LevelRaise,
    RiskDecision,
    RiskGrade,
    VersionStatus,
    guard_version_unlocked,
)
from .scope import scope_problems, scope_text
from .scoring import score_answers
from .selectors import answer_differences


def _check_case_open_for_risk(case: Case) -> None:
    if case.is_anonymous_consult:
        raise ValidationError(_("An anonymous consult has no people whose risk can be assessed."))
    if case.is_closed:
        raise ValidationError(_("A closed case must be reopened before risk is assessed."))


def _check_date(day: datetime.date, case: Case) -> None:
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if day < case.opened_on:
        raise ValidationError(_("The date cannot be before the case was registered."))


def _resolve_level(
    *,
    version: InstrumentVersion,
    computed: Level | None,
    chosen: Level | None,
    reason: str,
    escalation: bool,
) -> Level:
    """The assessor may raise the computed level, never lower it."""
    if chosen is not None and chosen.version_id != version.pk:
        raise ValidationError(_("Choose a level of this instrument."))
    if computed is None:
        if chosen is None:
            raise ValidationError(
                _("This instrument has no total score: choose the level by professional judgement.")
            )
        if not reason.strip():
            raise ValidationError(_("Explain the level you chose."))
        return chosen
    if chosen is None or chosen.pk == computed.pk:
        return computed
    if chosen.order < computed.order:
        raise ValidationError(
            _(
                "The level cannot be lower than the computed level (%(level)s): professional "
                "judgement may raise the level, never lower it."
            )
            % {"level": computed.label}
        )
    if not reason.strip() and not escalation:
        raise ValidationError(
            _("Explain why you raise the level above the computed one, or record the escalation.")
        )
    return chosen


def _check_escalation(escalation: bool, incidents: int | None, note: str) -> None:
    if escalation:
        if incidents is None or incidents < 1:
            raise ValidationError(_("Give the number of incidents that show the escalation."))
    elif incidents is not None or note.strip():
        raise ValidationError(_("Tick 'escalation' to record incidents or a note about it."))


@transaction.atomic
def assessment_create(
    *,
    case: Case,
    by: User,
    instrument_version: InstrumentVersion,
    assessed_on: datetime.date,
    parties: Iterable[CaseParty],
    answers: Mapping[str, str],
    level: Level | None = None,
    judgement_reason: str = "",
    escalation: bool = False,
    escalation_incidents: int | None = None,
    escalation_note: str = "",
    notes: str = "",
    scope_reason: str = "",
) -> Assessment:
    """Record an assessment. ``answers``: item code -> answer code, for every item.

    ``scope_reason``: why the instrument is used outside the scope it declares (required
    then, see risk.scope; not kept when the use is within it).

    ``level``: the level the assessor sets by professional judgement (only above the
    computed level; required when the instrument has no total score).
    """
    _check_case_open_for_risk(case)
    if instrument_version.status != VersionStatus.PUBLISHED:
        raise ValidationError(_("Only a published instrument version can be used."))
    if by.organisation_id is None:
        raise ValidationError(
            _("An assessment is made on behalf of an organisation; you have none.")
        )
    _check_date(assessed_on, case)
    parties = list(parties)
    if not parties:
        raise ValidationError(_("Choose the people in the case this assessment is about."))
    if any(party.case_id != case.pk for party in parties):
        raise ValidationError(_("Only people in this case can be assessed."))
    _check_escalation(escalation, escalation_incidents, escalation_note)
    outside = scope_problems(
        instrument=instrument_version.instrument, case=case, parties=parties, on=assessed_on
    )
    scope_reason = scope_reason.strip() if outside else ""
    if outside and not scope_reason:
        raise ValidationError(
            {
                "scope_reason": " ".join(
                    [
                        _("This instrument is made for: %(scope)s.")
                        % {"scope": scope_text(instrument_version.instrument)},
                        *outside,
                        _("Give the reason to use it all the same."),
                    ]
                )
            }
        )

    items = list(instrument_version.items.prefetch_related("options"))
    missing = [item.code for item in items if item.code not in answers]
    if missing:
        raise ValidationError(
            _("Answer every question (missing: %(items)s).") % {"items": ", ".join(missing)}
        )
    unknown_items = set(answers) - {item.code for item in items}
    if unknown_items:
        raise ValidationError(
            _("Unknown questions: %(items)s.") % {"items": ", ".join(sorted(unknown_items))}
        )
    chosen = []
    for item in items:
        option = next((o for o in item.options.all() if o.code == answers[item.code]), None)
        if option is None:
            raise ValidationError(
                _("'%(answer)s' is not an answer to question %(item)s.")
                % {"answer": answers[item.code], "item": item.code}
            )
        chosen.append((item, option))

    thresholds = list(instrument_version.thresholds.select_related("level"))
    result = score_answers(
        has_total=instrument_version.has_total,
        chosen=[option for _item, option in chosen],
        thresholds=thresholds,
    )
    computed = result.level
    assert computed is None or isinstance(computed, Level)
    if instrument_version.has_total and computed is None:
        raise ValidationError(
            _("The instrument has no level for this score; check its thresholds.")
        )
    final = _resolve_level(
        version=instrument_version,
        computed=computed,
        chosen=level,
        reason=judgement_reason,
        escalation=escalation,
    )
    assessment = Assessment(
        case=case,
        instrument_version=instrument_version,
        assessor=by,
        organisation_id=by.organisation_id,
        assessed_on=assessed_on,
        score=result.score,
        unknown_count=result.unknown_count,
        computed_level=computed,
        level=final,
        judgement_reason=judgement_reason.strip(),
        escalation=escalation,
        escalation_incidents=escalation_incidents if escalation else None,
        escalation_note=escalation_note.strip(),
        notes=notes.strip(),
        scope_reason=scope_reason,
    )
    attribute(assessment, by)
    assessment.save()
    assessment.parties.set(parties)
    bulk_create_with_history(
        [Answer(assessment=assessment, item=item, option=option) for item, option in chosen],
        Answer,
        default_user=by,
    )
    record_event(
        case=case,
        kind=EventKind.RISK_ASSESSED,
        actor=by,
        summary=f"{instrument_version.instrument.name}: {final.label} ({by.organisation})",
    )
    return assessment


@transaction.atomic
def assessment_raise_level(
    *,
    assessment: Assessment,
    by: User,
    level: Level,
    reason: str,
    raised_on: datetime.date | None = None,
    expected_version: int | None = None,
) -> Assessment:
    """The assessor raises the level by professional judgement (never lowers it).

    The raise is a dated record (``LevelRaise``, from the level before to the new one), so
    the level on a past day stays what it was; ``raised_on`` defaults to today and may be
    earlier (not before the assessment, nor before its last raise, nor in the future).
    """
    if assessment.assessor_id != by.pk:
        raise ValidationError(_("Only the assessor can change the level of an assessment."))
    current = locked_for_update(assessment, expected_version)
    if level.version_id != current.instrument_version_id:
        raise ValidationError(_("Choose a level of this instrument."))
    computed = current.computed_level
    if computed is not None and level.order < computed.order:
        raise ValidationError(
            _(
                "The level cannot be lower than the computed level (%(level)s): professional "
                "judgement may raise the level, never lower it."
            )
            % {"level": computed.label}
        )
    if level.order <= current.level.order:
        raise ValidationError(
            _("A level can only be raised: choose a level above %(level)s.")
            % {"level": current.level.label}
        )
    if not reason.strip() and not current.escalation:
        raise ValidationError(_("Explain why you raise the level."))
    raised_on = raised_on or timezone.localdate()
    if raised_on > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    if raised_on < current.assessed_on:
        raise ValidationError(_("A level cannot be raised before the assessment was made."))
    last = current.raises.order_by("-raised_on", "-id").values_list("raised_on", flat=True)
    latest = last.first()
    if latest is not None and raised_on < latest:
        raise ValidationError(
            _("A level cannot be raised before its last raise (%(date)s).")
            % {"date": formats.date_format(latest, "SHORT_DATE_FORMAT")}
        )
    previous = current.level
    note = reason.strip()
    LevelRaise.objects.create(
        assessment=current,
        from_level=previous,
        to_level=level,
        raised_on=raised_on,
        reason=note,
        raised_by=by,
    )
    if note:
        dated = f"{raised_on.isoformat()}: {note}"
        current.judgement_reason = (
            f"{current.judgement_reason}\n\n{dated}" if current.judgement_reason else dated
        )
    current.level = level
    save_versioned(current, by)
    record_event(
        case=current.case,
        kind=EventKind.RISK_ASSESSED,
        actor=by,
        summary=f"{previous.label} → {level.label} ({current.organisation})",
    )
    return current


@transaction.atomic
def joint_assessment_create(
    *,
    case: Case,
    by: User,
    assessments: Sequence[Assessment],
    held_on: datetime.date,
    level: RiskGrade | int,
    lower_reason: str = "",
    differences_note: str = "",
    organisations: Iterable[Organisation] = (),
) -> JointAssessment:
    """Combine partners' assessments into one agreed level.

    Rule: the agreed level is at least the highest level among the combined assessments
    (each partner's own result, professional judgement included); a lower agreed level
    needs a written reason.
    """
    _check_case_open_for_risk(case)
    assessments = list({a.pk: a for a in assessments}.values())
    if len(assessments) < 2:
        raise ValidationError(_("A joint assessment combines at least two assessments."))
    if any(a.case_id != case.pk for a in assessments):
        raise ValidationError(_("Only assessments of this case can be combined."))
    _check_date(held_on, case)
    latest = max(a.assessed_on for a in assessments)
    if held_on < latest:
        raise ValidationError(
            _("The joint assessment cannot be dated before the assessments it combines.")
        )
    try:
        agreed = RiskGrade(int(level))
    except ValueError:
        raise ValidationError(_("Choose the agreed level.")) from None
    highest = max(RiskGrade(a.level.grade) for a in assessments)
    if agreed < highest and not lower_reason.strip():
        raise ValidationError(
            _(
                "The agreed level is lower than the highest level of the assessments "
                "(%(level)s): explain why."
            )
            % {"level": highest.label}
        )
    joint = JointAssessment(
        case=case,
        held_on=held_on,
        level=agreed,
        highest_level=highest,
        lower_reason=lower_reason.strip() if agreed < highest else "",
        differences=answer_differences(assessments),
        differences_note=differences_note.strip(),
        recorded_by=by,
    )
    attribute(joint, by)
    joint.save()
    joint.assessments.set(assessments)
    taking_part = {a.organisation_id for a in assessments} | {o.pk for o in organisations}
    joint.organisations.set(taking_part)
    names = ", ".join(
        sorted(Organisation.objects.filter(pk__in=taking_part).values_list("name", flat=True))
    )
    record_event(
        case=case,
        kind=EventKind.JOINT_ASSESSMENT,
        actor=by,
        summary=f"{agreed.label} ({names})",
    )
    return joint


@transaction.atomic
def risk_decision_record(
    *,
    case: Case,
    by: User,
    escalate: bool,
    consultation_wanted: bool,
    reason: str,
    decided_on: datetime.date | None = None,
) -> RiskDecision:
    """The case director's decision on the current risk level; "escalate" moves to track 3."""
    if not may_decide_on_risk(by, case):
        raise ValidationError(_("Only the case director or a co-director records this decision."))
    decided_on = decided_on or timezone.localdate()
    _check_date(decided_on, case)
    if not reason.strip():
        raise ValidationError(_("Give the reason for the decision."))
    current = current_risk(
        assessments=newest_first(Assessment.objects.filter(case=case).select_related("level"))[:1],
        joints=newest_first(JointAssessment.objects.filter(case=case))[:1],
    )
    if current is None:
        raise ValidationError(_("There is no risk assessment to decide on yet."))
    decision = RiskDecision(
        case=case,
        assessment=current.assessment,
        joint_assessment=current.joint,
        escalate=escalate,
        consultation_wanted=consultation_wanted,
        reason=reason.strip(),
        decided_on=decided_on,
        decided_by=by,
    )
    attribute(decision, by)
    decision.save()
    if escalate and case.track != Track.CHAIN:
        case_change_track(
            case=case, by=by, to_track=Track.CHAIN, changed_on=decided_on, reason=reason.strip()
        )
    record_event(
        case=case,
        kind=EventKind.RISK_DECISION,
        actor=by,
        summary=_("track 3: %(track)s; case consultation: %(consultation)s")
        % {
            "track": _("yes") if escalate else _("no"),
            "consultation": _("yes") if consultation_wanted else _("no"),
        },
    )
    return decision


@transaction.atomic
def escalation_dismiss(
    *,
    case: Case,
    by: User,
    reason: str,
    dismissed_on: datetime.date | None = None,
) -> EscalationDismissal:
    """The case director sets aside the suggestion to move ``case`` to track 3
    (``risk.escalation``): it stays hidden until a ground arises that is not listed here."""
    if not may_decide_on_risk(by, case):
        raise ValidationError(_("Only the case director or a co-director records this decision."))
    dismissed_on = dismissed_on or timezone.localdate()
    _check_date(dismissed_on, case)
    if not reason.strip():
        raise ValidationError(_("Give the reason why the case stays in its track."))
    locked = Case.objects.select_for_update().get(pk=case.pk)
    reasons = escalation.current_reasons(case=locked, user=by)
    if not reasons:
        raise ValidationError(_("This case is not suggested for track 3 (any more)."))
    dismissal = EscalationDismissal(
        case=locked,
        dismissed_on=dismissed_on,
        reason=reason.strip(),
        reason_codes=[r.code for r in reasons],
        reason_keys=sorted({key for r in reasons for key in r.keys}),
        dismissed_by=by,
    )
    attribute(dismissal, by)
    dismissal.save()
    record_event(
        case=locked,
        kind=EventKind.RISK_DECISION,
        actor=by,
        summary=_("suggestion for track 3 dismissed (%(reasons)s)")
        % {"reasons": "; ".join(r.label for r in reasons)},
    )
    return dismissal


# --- instrument versions (configuration, used by the admin) ---


@transaction.atomic
def version_publish(*, version: InstrumentVersion) -> InstrumentVersion:
    """Publish a draft after validating its content exactly as a loaded file is validated."""
    guard_version_unlocked(version.pk)
    parse_instrument(export_version(version))
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save()
    return version


@transaction.atomic
def version_new_draft(*, version: InstrumentVersion) -> InstrumentVersion:
    """A copy of ``version`` as the next draft: the way to change a published instrument."""
    data = export_version(version)
    latest = (
        InstrumentVersion.objects.filter(instrument=version.instrument)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    data["version"] = (latest or 0) + 1
    return load_instrument(data, publish=False).version
