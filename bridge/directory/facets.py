"""The search filters, as data: each option names the service codes that satisfy it. No Django.

A listing (imported or live) is a set of today's codes (see codes.py). An option matches when the
listing has any of the option's codes (methadone: MU, MM, DM or METH). Within a facet, checked
options must all match ("Medicaid" and "Sliding fee" means both), except where the facet says
`any_of` (accreditation: accredited by any body you checked; setting: the one you chose).
Options marked `live_only` can only be met by programs on Bridge: SAMHSA's data has no hours,
alumni or step-down information.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Option:
    value: str  # what goes in the URL
    label: str
    codes: frozenset[str]
    live_only: bool = False


@dataclass(frozen=True)
class Facet:
    name: str  # the URL parameter
    label: str
    options: tuple[Option, ...]
    multiple: bool = True
    any_of: bool = False
    help: str = ""

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


def _o(value: str, label: str, *codes: str, live_only: bool = False) -> Option:
    return Option(value, label, frozenset(codes or (value,)), live_only)


FACETS: tuple[Facet, ...] = (
    Facet(
        "setting",
        "Type of program",
        (
            _o("iop", "Intensive outpatient (IOP)", "IOP"),
            _o("op", "Outpatient", "OP", "ORT", "OMB"),
            _o("php", "Partial hospitalization / day treatment", "PHP", "ODT"),
            _o("residential", "Residential", "RES", "RS", "RL"),
            _o("detox", "Withdrawal management (detox)", "DT", "HID", "RD", "OD"),
        ),
        multiple=False,
    ),
    Facet(
        "accreditation",
        "Accredited by",
        (
            _o("JC", "The Joint Commission"),
            _o("CARF", "CARF"),
            _o("COA", "Council on Accreditation (COA)"),
            _o("HFAP", "HFAP"),
            _o("NCQA", "NCQA"),
        ),
        any_of=True,
        help="Any of the bodies you check.",
    ),
    Facet(
        "license",
        "License",
        (_o("state", "Licensed by the state", "SSA", "STMH", "STDH", "HLA"),),
    ),
    Facet(
        "approach",
        "Treatment approach",
        (
            _o("CBT", "Cognitive behavioral therapy (CBT)"),
            _o("TWFA", "12-step facilitation"),
            _o("MI", "Motivational interviewing"),
            _o("DBT", "Dialectical behavior therapy (DBT)"),
            _o("RELP", "Relapse prevention"),
            _o("TRC", "Trauma-focused counseling"),
            _o("MXM", "Matrix Model"),
            _o("CMI", "Contingency management"),
            _o("CFT", "Couples and family therapy"),
            _o("HOLI", "Holistic (mindfulness, yoga, nutrition)", live_only=True),
        ),
    ),
    Facet(
        "dual",
        "Mental health care",
        (
            _o(
                "yes",
                "Treats mental health and substance use together (dual diagnosis)",
                "MHSU",
                "IDD",
                "SUMH",
            ),
        ),
    ),
    Facet(
        "mat",
        "Medication for opioid use disorder",
        (
            _o("buprenorphine", "Buprenorphine", "BU", "BUM", "DB", "UB", "BWN", "BWON", "BERI", "BSDM"),
            _o("naltrexone", "Naltrexone", "NU", "UN", "RPN", "NXN", "VTRL"),
            _o("methadone", "Methadone", "MU", "MM", "DM", "METH"),
        ),
    ),
    Facet(
        "aftercare",
        "After the program",
        (
            _o("aftercare", "Aftercare / continuing care", "ACC"),
            _o("stepdown", "Step-down to lower intensity", "STEP", live_only=True),
            _o("alumni", "Alumni program", "ALUM", live_only=True),
        ),
    ),
    Facet(
        "schedule",
        "Schedule",
        (
            _o("evening", "Evening groups", "EVE", live_only=True),
            _o("weekend", "Weekend groups", "WKND", live_only=True),
        ),
        help="Only programs on Bridge publish their hours.",
    ),
    Facet(
        "payment",
        "Payment",
        (
            _o("MD", "Medicaid"),
            _o("MC", "Medicare"),
            _o("PI", "Private insurance"),
            _o("SS", "Sliding fee scale"),
            _o("CASH", "Cash or self-pay"),
            _o("PA", "Payment assistance"),
        ),
    ),
    Facet(
        "language",
        "Services in",
        (
            _o("SP", "Spanish"),
            _o("ASL", "American Sign Language"),
            _o("NX", "American Indian or Alaska Native languages"),
            _o("F17", "Chinese"),
            _o("F92", "Vietnamese"),
            _o("F81", "Tagalog"),
            _o("F47", "Korean"),
            _o("F70", "Russian"),
            _o("F4", "Arabic"),
            _o("F25", "Farsi"),
            _o("F28", "French"),
            _o("F19", "Creole"),
            _o("F66", "Polish"),
            _o("F67", "Portuguese"),
            _o("F36", "Hindi"),
            _o("F37", "Hmong"),
        ),
        multiple=False,
    ),
    Facet(
        "age",
        "Age group",
        (
            _o("CH_AD", "Adolescents (17 and under)"),
            _o("YAD", "Young adults (18-25)"),
            _o("ADLT", "Adults (26-64)"),
            _o("SNR", "Seniors (65 and over)"),
        ),
        multiple=False,
    ),
)
BY_NAME: dict[str, Facet] = {f.name: f for f in FACETS}

# Facilities whose only type of care is mental health are left out unless asked for.
SUBSTANCE_USE_CODES = frozenset({"SA", "SUMH", "DT"})


@dataclass(frozen=True)
class Requirement:
    """One condition a listing must meet: any of `codes`. `label` says it in words."""

    facet: str
    label: str
    codes: frozenset[str]
    live_only: bool


def requirements(selected: Mapping[str, Sequence[str]]) -> list[Requirement]:
    """Turn the chosen filter values into conditions (unknown values are ignored; forms reject them)."""
    found: list[Requirement] = []
    for facet in FACETS:
        options = [o for o in (facet.option(v) for v in selected.get(facet.name, ())) if o is not None]
        if not options:
            continue
        if facet.any_of:
            found.append(
                Requirement(
                    facet.name,
                    " or ".join(o.label for o in options),
                    frozenset().union(*(o.codes for o in options)),
                    all(o.live_only for o in options),
                )
            )
        else:
            found.extend(Requirement(facet.name, o.label, o.codes, o.live_only) for o in options)
    return found


def matches(codes: Iterable[str], needs: Sequence[Requirement]) -> bool:
    have = codes if isinstance(codes, set | frozenset) else set(codes)
    return all(not need.codes.isdisjoint(have) for need in needs)
