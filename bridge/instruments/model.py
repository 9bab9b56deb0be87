"""The shape every instrument is written in: items, options with points, bands, and a result.

Pure Python (no Django): the same definition feeds the intake forms, the public JSON API, the
scorer and, later, the FHIR Questionnaire. Item wording is our own short summary, never the
published item text (several instruments are copyrighted).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

ResponseFormat = Literal["points", "answers", "criteria"]
Total = int | dict[str, int] | None
BandValue = str | dict[str, str]


class ResponseError(ValueError):
    """A response set that cannot be scored. `field` names what is wrong, e.g. "responses[3]"."""

    def __init__(self, message: str, field: str = "responses") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class UnknownInstrument(KeyError):
    """No instrument has this code."""


@dataclass(frozen=True)
class Option:
    """One answer choice: the `value` a person enters and the `points` it scores.

    They differ only for reverse-scored items (DAST-10 item 3: "Yes" is entered as 1 and scores 0).
    """

    value: int
    label: str
    points: int
    loinc: str | None = None  # LOINC answer code (LA…), where the reference gives one


@dataclass(frozen=True)
class Item:
    """One question. `key` is stable (a FHIR linkId later); `number` is how the form prints it."""

    key: str
    number: str
    text: str
    options: tuple[Option, ...]
    loinc: str | None = None
    scored: bool = True  # BAM item 7 is a placeholder: answered, never counted
    reverse_scored: bool = False
    ask: str | None = None  # our plain second-person question, where a person answers it themselves

    @property
    def allowed_values(self) -> tuple[int, ...]:
        return tuple(o.value for o in self.options)

    def points_for(self, value: int) -> int:
        for option in self.options:
            if option.value == value:
                return option.points
        raise ValueError(f"{value} is not an option of item {self.number}")

    @property
    def max_points(self) -> int:
        return max(o.points for o in self.options)


@dataclass(frozen=True)
class Band:
    """A severity band: `code` (the API's band code) from `minimum` (inclusive) upward."""

    code: str
    label: str
    minimum: int


def band_for(bands: Sequence[Band], total: int) -> Band:
    """The highest band whose lower bound the total reaches. Bands are never averaged or rounded."""
    chosen = bands[0]
    for band in bands:
        if total >= band.minimum:
            chosen = band
    return chosen


class Sex(StrEnum):
    """Only used where a published cut-off differs by sex (AUDIT-C)."""

    FEMALE = "female"
    MALE = "male"


class CiwaScheme(StrEnum):
    ASAM = "asam"  # ASAM 2020 guideline: < 10 mild, 10-18 moderate, >= 19 severe (default)
    CAMCOPS = "camcops"  # CamCOPS: < 8 mild, 8-14 moderate, >= 15 severe


class AuditCScheme(StrEnum):
    BRADLEY = "bradley"  # men >= 4, women >= 3 (Bush 1998, Bradley 2003, LOINC) — default
    MEN_5 = "men_5"  # men >= 5, women >= 3 (fpnotebook ">4 / >2"; the VA counselling threshold)


@dataclass(frozen=True)
class ScoringSettings:
    """A program's choice where published cut-offs disagree. The defaults are the first rule given.

    See reference/instruments.md §0 and §14.
    """

    ciwa_scheme: CiwaScheme = CiwaScheme.ASAM
    pcl5_cutoff: Literal[33, 31] = 33
    phq2_cutoff: Literal[3, 2] = 3
    gad2_cutoff: Literal[3, 2] = 3
    auditc_scheme: AuditCScheme = AuditCScheme.BRADLEY
    bam_use_cutoff: int = 1  # Use subscale >= this is "any_use"
    bam_risk_cutoff: int = 12  # Risk subscale >= this is "elevated"
    bam_protective_cutoff: int = 12  # Protective subscale <= this is "low"

    def __post_init__(self) -> None:
        problems = []
        if self.ciwa_scheme not in CiwaScheme.__members__.values():
            problems.append("ciwa_scheme must be asam or camcops")
        if self.auditc_scheme not in AuditCScheme.__members__.values():
            problems.append("auditc_scheme must be bradley or men_5")
        if self.pcl5_cutoff not in (33, 31):
            problems.append("pcl5_cutoff must be 33 or 31")
        if self.phq2_cutoff not in (3, 2):
            problems.append("phq2_cutoff must be 3 or 2")
        if self.gad2_cutoff not in (3, 2):
            problems.append("gad2_cutoff must be 3 or 2")
        if not 1 <= self.bam_use_cutoff <= 12:
            problems.append("bam_use_cutoff must be 1-12")
        if not 1 <= self.bam_risk_cutoff <= 24:
            problems.append("bam_risk_cutoff must be 1-24")
        if not 0 <= self.bam_protective_cutoff <= 23:
            problems.append("bam_protective_cutoff must be 0-23")
        if problems:
            raise ValueError("; ".join(problems))

    def as_dict(self) -> dict[str, Any]:
        return {
            "ciwa_scheme": str(self.ciwa_scheme),
            "pcl5_cutoff": self.pcl5_cutoff,
            "phq2_cutoff": self.phq2_cutoff,
            "gad2_cutoff": self.gad2_cutoff,
            "auditc_scheme": str(self.auditc_scheme),
            "bam_use_cutoff": self.bam_use_cutoff,
            "bam_risk_cutoff": self.bam_risk_cutoff,
            "bam_protective_cutoff": self.bam_protective_cutoff,
        }


DEFAULT_SETTINGS = ScoringSettings()


@dataclass(frozen=True)
class ScoreResult:
    """One administration's score, in the API's shape."""

    instrument: str
    total: Total
    band: BandValue
    alerts: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "instrument": self.instrument,
            "total": dict(self.total) if isinstance(self.total, dict) else self.total,
            "band": dict(self.band) if isinstance(self.band, dict) else self.band,
            "alerts": list(self.alerts),
        }


# (instrument, validated responses, settings, sex) -> result
Scorer = Callable[["Instrument", Any, ScoringSettings, Sex | None], ScoreResult]
BandScheme = Callable[[ScoringSettings, Sex | None], tuple[Band, ...]]


@dataclass(frozen=True)
class Subscale:
    """A BAM-style subscale: which items it sums and how its band is read."""

    code: str
    label: str
    item_numbers: tuple[int, ...]
    bands: tuple[str, str]  # (below the cut-off, at or beyond it)


@dataclass(frozen=True)
class CriteriaSpec:
    """The extra fields of a criteria-object instrument (DSM-5 SUD)."""

    class_field: str
    classes: tuple[str, ...]
    supervision_field: str
    supervision_classes: tuple[str, ...]  # where the medical-supervision exclusion applies
    no_withdrawal_classes: tuple[str, ...]  # where DSM-5 has no withdrawal criterion
    excludable: tuple[str, ...]  # criteria the exclusion removes (tolerance, withdrawal)


@dataclass(frozen=True)
class Instrument:
    """One validated instrument, defined once."""

    code: str
    name: str
    summary: str
    period: str
    items: tuple[Item, ...]
    scorer: Scorer
    bands: BandScheme
    band_codes: tuple[str, ...]
    response_format: ResponseFormat = "points"
    total_range: tuple[int, int] | None = None
    alert_codes: tuple[str, ...] = ()
    loinc_panel: str | None = None
    loinc_total: str | None = None
    needs_sex: bool = False
    clinician_rated: bool = False
    # Given the raw answers, the keys of the items the skip logic skips (they score 0, may be null).
    skip_rule: Callable[[Sequence[Any]], set[str]] | None = None
    subscales: tuple[Subscale, ...] = ()
    criteria: CriteriaSpec | None = None
    source: str = ""
    settings_used: tuple[str, ...] = ()  # the ScoringSettings fields that change this instrument's bands
    # For developers (the instruments API): response format, codes, field names.
    notes: tuple[str, ...] = field(default=())
    # For the clinician giving it (under the instrument on every page): plain words, no codes.
    guidance: tuple[str, ...] = field(default=())

    @property
    def item_count(self) -> int:
        return len(self.items)

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def band_label(
        self, code: str, settings: ScoringSettings = DEFAULT_SETTINGS, sex: Sex | None = None
    ) -> str:
        for band in self.bands(settings, sex):
            if band.code == code:
                return band.label
        return code.replace("_", " ")

    def score(
        self,
        responses: Any,
        *,
        sex: str | None = None,
        settings: ScoringSettings = DEFAULT_SETTINGS,
    ) -> ScoreResult:
        """Validate and score one administration; raises ResponseError naming the field at fault."""
        checked, checked_sex = self.validate(responses, sex=sex)
        return self.scorer(self, checked, settings, checked_sex)

    def validate(self, responses: Any, *, sex: str | None = None) -> tuple[Any, Sex | None]:
        """The responses as they are scored (skipped items as 0), or ResponseError naming the field."""
        from bridge.instruments.scoring import validate

        return validate(self, responses, sex)
