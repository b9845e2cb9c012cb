"""Instruments as data: validate a JSON description, load it as a version, export it back.

The format (one file per instrument version; risk/instruments/README.md explains it)::

    {
      "code": "checklist-24", "version": 1, "scoring": "count_yes",
      "name": {"nl": "...", "en": "..."}, "description": {...}, "intro": {...},
      "escalation": {"incidents": 3, "months": 12},
      "options": [{"code": "yes", "label": {...}, "weight": 1}, ...,
                  {"code": "unknown", "label": {...}, "weight": 0, "unknown": true}],
      "levels": [{"code": "standard", "label": {...}, "grade": "low"}, ...],
      "thresholds": [{"min": 0, "max": 9, "level": "standard"}, ...],
      "sections": [{"code": "s1", "title": {...}, "kind": "questions",
                    "items": [{"code": "q01", "text": {...}, "help": {...},
                               "weights": {"yes": 3}, "options": [...]}]}]
    }

``options`` at the top are every item's answers unless an item lists its own; an item's
``weights`` overrides the weight of an answer by code. ``levels`` go from lowest to highest.
Keys starting with ``_`` are comments. A bad file is refused with every problem named.
"""

import hashlib
import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RiskGrade, ScoringRule, SectionKind, VersionStatus

SHIPPED_DIR = Path(__file__).resolve().parent / "instruments"
_SLUG = re.compile(r"^[-a-z0-9_]+$")
GRADES = {"low": RiskGrade.LOW, "medium": RiskGrade.MEDIUM, "high": RiskGrade.HIGH}
GRADE_NAMES = {value: name for name, value in GRADES.items()}


class InstrumentDataError(ValidationError):
    """The instrument description is not valid; ``messages`` says what is wrong."""


@dataclass
class OptionSpec:
    code: str
    label_nl: str
    label_en: str
    weight: int
    unknown: bool


@dataclass
class ItemSpec:
    code: str
    text_nl: str
    text_en: str
    help_nl: str
    help_en: str
    options: list[OptionSpec]


@dataclass
class SectionSpec:
    code: str
    title_nl: str
    title_en: str
    kind: str
    items: list[ItemSpec]


@dataclass
class LevelSpec:
    code: str
    label_nl: str
    label_en: str
    grade: int
    suggests_escalation: bool


@dataclass
class ThresholdSpec:
    min: int
    max: int
    level: str


@dataclass
class InstrumentSpec:
    code: str
    number: int
    scoring: str
    name_nl: str
    name_en: str
    description_nl: str = ""
    description_en: str = ""
    intro_nl: str = ""
    intro_en: str = ""
    escalation_incidents: int = 0
    escalation_months: int = 12
    levels: list[LevelSpec] = field(default_factory=list)
    thresholds: list[ThresholdSpec] = field(default_factory=list)
    sections: list[SectionSpec] = field(default_factory=list)
    min_score: int | None = None
    max_score: int | None = None
    checksum: str = ""
    # None: the file declares no scope (the instrument's stays as it is).
    scope: "ScopeSpec | None" = None


@dataclass
class ScopeSpec:
    contexts: list[str]
    min_age: int | None = None
    max_age: int | None = None


def checksum_of(data: Any) -> str:
    """The version's content; the scope is left out (it belongs to the instrument, not to
    a version: declaring or changing it makes no new version)."""
    if isinstance(data, dict):
        data = {key: value for key, value in data.items() if key != "scope"}
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class _Checker:
    """Collects every problem, so one run names all of them."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}" if where else message)

    def mapping(
        self, value: Any, where: str, required: set[str], optional: set[str]
    ) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(where, _("must be an object ({...})."))
            return {}
        for key in sorted(required - set(value)):
            self.fail(where, _("'%(key)s' is missing.") % {"key": key})
        unknown = {k for k in value if not str(k).startswith("_")} - required - optional
        for key in sorted(unknown):
            self.fail(where, _("unknown key '%(key)s'.") % {"key": key})
        return value

    def slug(self, value: Any, where: str) -> str:
        if not isinstance(value, str) or not _SLUG.match(value):
            self.fail(
                where,
                _("the code must be lower-case letters, digits, '-' or '_' (got %(value)r).")
                % {"value": value},
            )
            return ""
        return value

    def text(self, value: Any, where: str, *, required: bool = True) -> tuple[str, str]:
        if value is None and not required:
            return "", ""
        if not isinstance(value, dict) or set(value) - {"nl", "en"}:
            self.fail(where, _('must be {"nl": "...", "en": "..."}.'))
            return "", ""
        nl, en = value.get("nl", ""), value.get("en", "")
        if not isinstance(nl, str) or not isinstance(en, str):
            self.fail(where, _("the Dutch and English texts must be text."))
            return "", ""
        if required and not (nl.strip() and en.strip()):
            self.fail(where, _("needs both a Dutch and an English text."))
        return nl.strip(), en.strip()

    def whole_number(self, value: Any, where: str, *, minimum: int = 0) -> int | None:
        # bool is an int in Python; true/false is never a weight or a score.
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(
                where,
                _("must be a whole number of at least %(min)s (got %(value)r).")
                % {"min": minimum, "value": value},
            )
            return None
        if value < minimum:
            self.fail(
                where,
                _("must be a whole number of at least %(min)s (got %(value)r).")
                % {"min": minimum, "value": value},
            )
            return None
        return value


def _parse_options(c: _Checker, value: Any, where: str) -> list[OptionSpec]:
    if not isinstance(value, list) or len(value) < 2:
        c.fail(where, _("needs a list of at least two answer options."))
        return []
    options: list[OptionSpec] = []
    seen: set[str] = set()
    for index, raw in enumerate(value):
        at = f"{where}[{index}]"
        data = c.mapping(raw, at, {"code", "label"}, {"weight", "unknown"})
        code = c.slug(data.get("code"), at)
        if code in seen:
            c.fail(at, _("answer code '%(code)s' is used twice.") % {"code": code})
        seen.add(code)
        nl, en = c.text(data.get("label"), f"{at}.label")
        weight = c.whole_number(data.get("weight", 0), f"{at}.weight")
        unknown = data.get("unknown", False)
        if not isinstance(unknown, bool):
            c.fail(f"{at}.unknown", _("must be true or false."))
            unknown = False
        if unknown and weight:
            c.fail(at, _("a 'don't know' answer must weigh 0: not knowing adds no risk points."))
        options.append(OptionSpec(code, nl, en, weight or 0, unknown))
    return options


def _item_options(
    c: _Checker, raw: dict[str, Any], at: str, default: list[OptionSpec]
) -> list[OptionSpec]:
    options = (
        _parse_options(c, raw["options"], f"{at}.options")
        if "options" in raw
        else [OptionSpec(**vars(o)) for o in default]
    )
    if not options and "options" not in raw:
        c.fail(at, _("has no answer options, and there are no default 'options'."))
    weights = raw.get("weights", {})
    if not isinstance(weights, dict):
        c.fail(f"{at}.weights", _('must be {"answer code": weight}.'))
        return options
    by_code = {o.code: o for o in options}
    for code, weight in weights.items():
        if code not in by_code:
            c.fail(f"{at}.weights", _("there is no answer '%(code)s'.") % {"code": code})
            continue
        value = c.whole_number(weight, f"{at}.weights.{code}")
        if value is not None:
            if by_code[code].unknown and value:
                c.fail(f"{at}.weights.{code}", _("a 'don't know' answer must weigh 0."))
            by_code[code].weight = value
    return options


def _check_thresholds(
    c: _Checker,
    thresholds: list[ThresholdSpec],
    levels: list[LevelSpec],
    low: int,
    high: int,
) -> None:
    """Every possible score gets exactly one level, and a higher score never a lower level."""
    if not thresholds:
        c.fail("thresholds", _("a scored instrument needs thresholds that map scores to levels."))
        return
    order = {level.code: index for index, level in enumerate(levels)}
    ranges = sorted(thresholds, key=lambda t: (t.min, t.max))
    for t in ranges:
        if t.min < low or t.max > high:
            c.fail(
                "thresholds",
                _(
                    "%(min)s-%(max)s (%(level)s) reaches outside the possible scores "
                    "%(low)s-%(high)s."
                )
                % {"min": t.min, "max": t.max, "level": t.level, "low": low, "high": high},
            )
    for before, after in itertools.pairwise(ranges):
        if after.min <= before.max:
            c.fail(
                "thresholds",
                _(
                    "%(a_min)s-%(a_max)s (%(a)s) and %(b_min)s-%(b_max)s (%(b)s) overlap: "
                    "scores %(from)s-%(to)s would have two levels."
                )
                % {
                    "a_min": before.min,
                    "a_max": before.max,
                    "a": before.level,
                    "b_min": after.min,
                    "b_max": after.max,
                    "b": after.level,
                    "from": after.min,
                    "to": min(before.max, after.max),
                },
            )
        elif after.min > before.max + 1:
            c.fail(
                "thresholds",
                _("gap: scores %(from)s-%(to)s have no level.")
                % {"from": before.max + 1, "to": after.min - 1},
            )
        if (
            before.level in order
            and after.level in order
            and order[after.level] < order[before.level]
        ):
            c.fail(
                "thresholds",
                _("%(min)s-%(max)s gives a lower level (%(level)s) than lower scores do.")
                % {"min": after.min, "max": after.max, "level": after.level},
            )
    if ranges[0].min > low:
        c.fail(
            "thresholds",
            _("gap: scores %(from)s-%(to)s have no level (the lowest possible score is %(low)s).")
            % {"from": low, "to": ranges[0].min - 1, "low": low},
        )
    if ranges[-1].max < high:
        c.fail(
            "thresholds",
            _("gap: scores %(from)s-%(to)s have no level (the highest possible score is %(high)s).")
            % {"from": ranges[-1].max + 1, "to": high, "high": high},
        )


TOP_KEYS = {"code", "version", "scoring", "name", "levels", "sections"}
OPTIONAL_TOP_KEYS = {"description", "intro", "escalation", "options", "thresholds", "scope"}


def _parse_scope(c: "_Checker", value: Any) -> ScopeSpec:
    from cases.models import RelationshipContextCode

    scope = c.mapping(value, "scope", set(), {"contexts", "min_age", "max_age"})
    contexts = scope.get("contexts", [])
    if not isinstance(contexts, list) or not all(isinstance(code, str) for code in contexts):
        c.fail("scope.contexts", _("must be a list of relationship context codes."))
        contexts = []
    for code in contexts:
        if code not in RelationshipContextCode.values:
            c.fail(
                "scope.contexts",
                _("unknown relationship context %(code)r (known: %(choices)s).")
                % {"code": code, "choices": ", ".join(RelationshipContextCode.values)},
            )
    if len(set(contexts)) != len(contexts):
        c.fail("scope.contexts", _("a relationship context is named twice."))
    bounds = {
        key: c.whole_number(scope[key], f"scope.{key}") if key in scope else None
        for key in ("min_age", "max_age")
    }
    low, high = bounds["min_age"], bounds["max_age"]
    if low is not None and high is not None and low > high:
        c.fail(
            "scope",
            _("'min_age' (%(min)s) is above 'max_age' (%(max)s).") % {"min": low, "max": high},
        )
    return ScopeSpec(sorted(set(contexts), key=contexts.index), low, high)


def parse_instrument(data: Any) -> InstrumentSpec:
    """Validate ``data`` (a decoded JSON object); raise InstrumentDataError naming every problem."""
    c = _Checker()
    top = c.mapping(data, "", TOP_KEYS, OPTIONAL_TOP_KEYS)
    if not top:
        raise InstrumentDataError(c.problems or [_("The instrument description is empty.")])
    code = c.slug(top.get("code"), "code")
    number = c.whole_number(top.get("version"), "version", minimum=1) or 0
    scoring = top.get("scoring")
    if scoring not in ScoringRule.values:
        c.fail(
            "scoring",
            _("must be one of %(choices)s (got %(value)r).")
            % {"choices": ", ".join(ScoringRule.values), "value": scoring},
        )
    name_nl, name_en = c.text(top.get("name"), "name")
    description_nl, description_en = c.text(top.get("description"), "description", required=False)
    intro_nl, intro_en = c.text(top.get("intro"), "intro", required=False)
    spec = InstrumentSpec(
        code=code,
        number=number,
        scoring=str(scoring),
        name_nl=name_nl,
        name_en=name_en,
        description_nl=description_nl,
        description_en=description_en,
        intro_nl=intro_nl,
        intro_en=intro_en,
        checksum=checksum_of(data),
    )
    if "scope" in top:
        spec.scope = _parse_scope(c, top["scope"])
    if "escalation" in top:
        esc = c.mapping(top["escalation"], "escalation", {"incidents"}, {"months"})
        spec.escalation_incidents = (
            c.whole_number(esc.get("incidents"), "escalation.incidents") or 0
        )
        spec.escalation_months = (
            c.whole_number(esc.get("months", 12), "escalation.months", minimum=1) or 12
        )

    # Levels, lowest first.
    raw_levels = top.get("levels")
    if not isinstance(raw_levels, list) or not raw_levels:
        c.fail("levels", _("needs at least one level."))
        raw_levels = []
    seen_levels: set[str] = set()
    for index, raw in enumerate(raw_levels):
        at = f"levels[{index}]"
        level = c.mapping(raw, at, {"code", "label", "grade"}, {"suggests_escalation"})
        level_code = c.slug(level.get("code"), at)
        if level_code in seen_levels:
            c.fail(at, _("level code '%(code)s' is used twice.") % {"code": level_code})
        seen_levels.add(level_code)
        nl, en = c.text(level.get("label"), f"{at}.label")
        grade_name = level.get("grade")
        grade = GRADES.get(grade_name) if isinstance(grade_name, str) else None
        if grade is None:
            c.fail(
                f"{at}.grade",
                _("must be one of %(choices)s (got %(value)r).")
                % {"choices": ", ".join(GRADES), "value": level.get("grade")},
            )
        elif spec.levels and grade < spec.levels[-1].grade:
            c.fail(
                f"{at}.grade",
                _("levels go from lowest to highest, but this grade is lower than the one before."),
            )
        suggests = level.get("suggests_escalation", index == len(raw_levels) - 1)
        if not isinstance(suggests, bool):
            c.fail(f"{at}.suggests_escalation", _("must be true or false."))
            suggests = False
        spec.levels.append(LevelSpec(level_code, nl, en, int(grade or 1), suggests))

    # Sections and items.
    default_options = _parse_options(c, top["options"], "options") if "options" in top else []
    raw_sections = top.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        c.fail("sections", _("needs at least one section."))
        raw_sections = []
    seen_sections: set[str] = set()
    seen_items: set[str] = set()
    for s_index, raw_section in enumerate(raw_sections):
        at = f"sections[{s_index}]"
        section = c.mapping(raw_section, at, {"code", "title", "items"}, {"kind"})
        section_code = c.slug(section.get("code"), at)
        if section_code in seen_sections:
            c.fail(at, _("section code '%(code)s' is used twice.") % {"code": section_code})
        seen_sections.add(section_code)
        title_nl, title_en = c.text(section.get("title"), f"{at}.title")
        kind = section.get("kind", SectionKind.QUESTIONS)
        if kind not in SectionKind.values:
            c.fail(
                f"{at}.kind",
                _("must be one of %(choices)s (got %(value)r).")
                % {"choices": ", ".join(SectionKind.values), "value": kind},
            )
        spec_section = SectionSpec(section_code, title_nl, title_en, str(kind), [])
        raw_items = section.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            c.fail(
                at,
                _("section '%(code)s' is empty: it needs at least one item.")
                % {"code": section_code},
            )
            raw_items = []
        for i_index, raw_item in enumerate(raw_items):
            item_at = f"{at}.items[{i_index}]"
            item = c.mapping(raw_item, item_at, {"code", "text"}, {"help", "options", "weights"})
            item_code = c.slug(item.get("code"), item_at)
            if item_code in seen_items:
                c.fail(item_at, _("item code '%(code)s' is used twice.") % {"code": item_code})
            seen_items.add(item_code)
            text_nl, text_en = c.text(item.get("text"), f"{item_at}.text")
            help_nl, help_en = c.text(item.get("help"), f"{item_at}.help", required=False)
            options = _item_options(c, item, item_at, default_options) if item else []
            spec_section.items.append(
                ItemSpec(item_code, text_nl, text_en, help_nl, help_en, options)
            )
        spec.sections.append(spec_section)

    items = [entry for section in spec.sections for entry in section.items]
    if scoring == ScoringRule.COUNT_YES:
        for entry in items:
            weights = {o.code: o.weight for o in entry.options}
            if weights.get("yes") != 1 or any(w for code, w in weights.items() if code != "yes"):
                c.fail(
                    f"item {entry.code}",
                    _(
                        "with count_yes scoring every item has a 'yes' answer that weighs 1, "
                        "and every other answer weighs 0."
                    ),
                )
    raw_thresholds = top.get("thresholds") or []
    if not isinstance(raw_thresholds, list):
        c.fail("thresholds", _("must be a list."))
        raw_thresholds = []
    level_codes = {spec_level.code for spec_level in spec.levels}
    for index, raw in enumerate(raw_thresholds):
        at = f"thresholds[{index}]"
        threshold = c.mapping(raw, at, {"min", "max", "level"}, set())
        low = c.whole_number(threshold.get("min"), f"{at}.min")
        high = c.whole_number(threshold.get("max"), f"{at}.max")
        target = threshold.get("level")
        if target not in level_codes:
            c.fail(f"{at}.level", _("unknown level code %(code)r.") % {"code": target})
        if low is not None and high is not None:
            if low > high:
                c.fail(
                    at, _("'min' (%(min)s) is above 'max' (%(max)s).") % {"min": low, "max": high}
                )
            else:
                spec.thresholds.append(ThresholdSpec(low, high, str(target)))

    if scoring == ScoringRule.JUDGEMENT:
        if raw_thresholds:
            c.fail(
                "thresholds",
                _("an instrument without a total score (judgement) has no thresholds."),
            )
    elif scoring in ScoringRule.values and items and all(entry.options for entry in items):
        spec.min_score = sum(min(o.weight for o in entry.options) for entry in items)
        spec.max_score = sum(max(o.weight for o in entry.options) for entry in items)
        if len(spec.thresholds) == len(raw_thresholds):
            _check_thresholds(c, spec.thresholds, spec.levels, spec.min_score, spec.max_score)

    if c.problems:
        raise InstrumentDataError(c.problems)
    return spec


def read_instrument_file(path: Path | str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise InstrumentDataError(
            _("%(file)s is not valid JSON: %(error)s") % {"file": path, "error": error}
        ) from error


@dataclass
class Loaded:
    version: Any
    created: bool


def _real_models() -> SimpleNamespace:
    from . import models

    return SimpleNamespace(
        Instrument=models.Instrument,
        InstrumentVersion=models.InstrumentVersion,
        Level=models.Level,
        Threshold=models.Threshold,
        Section=models.Section,
        Item=models.Item,
        AnswerOption=models.AnswerOption,
        Assessment=models.Assessment,
    )


def migration_models(apps: Any) -> SimpleNamespace:
    """The historical models of a data migration, in the shape ``load_instrument`` takes."""
    names = [
        "Instrument",
        "InstrumentVersion",
        "Level",
        "Threshold",
        "Section",
        "Item",
        "AnswerOption",
        "Assessment",
    ]
    return SimpleNamespace(**{name: apps.get_model("risk", name) for name in names})


@transaction.atomic
def load_instrument(data: Any, *, publish: bool = True, models: Any = None) -> Loaded:
    """Validate and store one instrument version. Loading the same content again is a no-op.

    A draft with the same number is replaced; a published version is never touched.
    """
    spec = parse_instrument(data)
    m = models or _real_models()
    instrument, created = m.Instrument.objects.get_or_create(
        code=spec.code,
        defaults={
            "name_nl": spec.name_nl,
            "name_en": spec.name_en,
            "description_nl": spec.description_nl,
            "description_en": spec.description_en,
        },
    )
    set_scope(instrument, spec.scope)
    existing = m.InstrumentVersion.objects.filter(instrument=instrument, number=spec.number).first()
    if existing is not None:
        if existing.checksum == spec.checksum and (
            existing.status == VersionStatus.PUBLISHED or not publish
        ):
            return Loaded(existing, created=False)
        if (
            existing.status == VersionStatus.PUBLISHED
            or m.Assessment.objects.filter(instrument_version=existing).exists()
        ):
            raise InstrumentDataError(
                _(
                    "Version %(number)s of '%(code)s' is already published with other content. "
                    "Give the file a new version number."
                )
                % {"number": spec.number, "code": spec.code}
            )
        existing.delete()
    if not created:
        # Names are not versioned: the newest file names the instrument.
        instrument.name_nl, instrument.name_en = spec.name_nl, spec.name_en
        instrument.description_nl = spec.description_nl
        instrument.description_en = spec.description_en
        instrument.save()
    version = m.InstrumentVersion.objects.create(
        instrument=instrument,
        number=spec.number,
        status=VersionStatus.DRAFT,
        scoring_rule=spec.scoring,
        intro_nl=spec.intro_nl,
        intro_en=spec.intro_en,
        min_score=spec.min_score,
        max_score=spec.max_score,
        escalation_incidents=spec.escalation_incidents,
        escalation_months=spec.escalation_months,
        checksum=spec.checksum,
    )
    levels = {}
    for order, level in enumerate(spec.levels, start=1):
        levels[level.code] = m.Level.objects.create(
            version=version,
            code=level.code,
            label_nl=level.label_nl,
            label_en=level.label_en,
            order=order,
            grade=level.grade,
            suggests_escalation=level.suggests_escalation,
        )
    for threshold in spec.thresholds:
        m.Threshold.objects.create(
            version=version,
            min_score=threshold.min,
            max_score=threshold.max,
            level=levels[threshold.level],
        )
    for s_order, section in enumerate(spec.sections, start=1):
        section_row = m.Section.objects.create(
            version=version,
            code=section.code,
            title_nl=section.title_nl,
            title_en=section.title_en,
            kind=section.kind,
            order=s_order,
        )
        for i_order, item in enumerate(section.items, start=1):
            item_row = m.Item.objects.create(
                version=version,
                section=section_row,
                code=item.code,
                text_nl=item.text_nl,
                text_en=item.text_en,
                help_nl=item.help_nl,
                help_en=item.help_en,
                order=i_order,
            )
            m.AnswerOption.objects.bulk_create(
                [
                    m.AnswerOption(
                        item=item_row,
                        code=option.code,
                        label_nl=option.label_nl,
                        label_en=option.label_en,
                        weight=option.weight,
                        is_unknown=option.unknown,
                        order=o_order,
                    )
                    for o_order, option in enumerate(item.options, start=1)
                ]
            )
    if publish:
        version.status = VersionStatus.PUBLISHED
        version.published_at = timezone.now()
        version.save()
    return Loaded(version, created=True)


def set_scope(instrument: Any, scope: ScopeSpec | None) -> None:
    """Store the scope the file declares on the instrument (a model of a migration before
    the scope existed has no such fields: nothing to store)."""
    fields = {f.name for f in instrument._meta.get_fields()}
    if scope is None or "scope_contexts" not in fields:
        return
    instrument.scope_contexts = scope.contexts
    instrument.scope_min_age, instrument.scope_max_age = scope.min_age, scope.max_age
    instrument.save(update_fields=["scope_contexts", "scope_min_age", "scope_max_age"])


def shipped_instrument_files() -> list[Path]:
    return sorted(SHIPPED_DIR.glob("*.json"))


def load_shipped_instruments(*, models: Any = None) -> list[Loaded]:
    """The instruments that come with the software (the data migration and tests call this)."""
    return [
        load_instrument(read_instrument_file(path), models=models)
        for path in shipped_instrument_files()
    ]


def _text(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


def export_version(version: Any) -> dict[str, Any]:
    """The version as instrument data (the same format ``load_instrument`` reads)."""
    levels = list(version.levels.order_by("order"))
    sections = list(version.sections.order_by("order").prefetch_related("items__options"))
    data: dict[str, Any] = {
        "code": version.instrument.code,
        "version": version.number,
        "scoring": version.scoring_rule,
        "name": _text(version.instrument.name_nl, version.instrument.name_en),
    }
    if version.instrument.description_nl or version.instrument.description_en:
        data["description"] = _text(
            version.instrument.description_nl, version.instrument.description_en
        )
    instrument = version.instrument
    if (
        instrument.scope_contexts
        or instrument.scope_min_age is not None
        or (instrument.scope_max_age is not None)
    ):
        data["scope"] = {
            "contexts": list(instrument.scope_contexts),
            **(
                {"min_age": instrument.scope_min_age}
                if instrument.scope_min_age is not None
                else {}
            ),
            **(
                {"max_age": instrument.scope_max_age}
                if instrument.scope_max_age is not None
                else {}
            ),
        }
    if version.intro_nl or version.intro_en:
        data["intro"] = _text(version.intro_nl, version.intro_en)
    if version.escalation_incidents:
        data["escalation"] = {
            "incidents": version.escalation_incidents,
            "months": version.escalation_months,
        }
    data["levels"] = [
        {
            "code": level.code,
            "label": _text(level.label_nl, level.label_en),
            "grade": GRADE_NAMES[RiskGrade(level.grade)],
            "suggests_escalation": level.suggests_escalation,
        }
        for level in levels
    ]
    if version.has_total:
        data["thresholds"] = [
            {"min": t.min_score, "max": t.max_score, "level": t.level.code}
            for t in version.thresholds.select_related("level").order_by("min_score")
        ]
    data["sections"] = []
    for section in sections:
        items = []
        for item in sorted(section.items.all(), key=lambda i: i.order):
            entry: dict[str, Any] = {"code": item.code, "text": _text(item.text_nl, item.text_en)}
            if item.help_nl or item.help_en:
                entry["help"] = _text(item.help_nl, item.help_en)
            entry["options"] = [
                {
                    "code": o.code,
                    "label": _text(o.label_nl, o.label_en),
                    "weight": o.weight,
                    **({"unknown": True} if o.is_unknown else {}),
                }
                for o in sorted(item.options.all(), key=lambda o: o.order)
            ]
            items.append(entry)
        data["sections"].append(
            {
                "code": section.code,
                "title": _text(section.title_nl, section.title_en),
                "kind": section.kind,
                "items": items,
            }
        )
    return data
