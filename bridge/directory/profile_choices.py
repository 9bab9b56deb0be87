"""What a director may say in the program's directory profile: the allowed values. No Django.

The same values drive the profile form, the model's validation and the live listing's codes.
"""

from __future__ import annotations

from bridge.directory import facets

# Profile value -> (what the listing says, the service code it stands for).
MEDICATIONS: dict[str, tuple[str, str]] = {
    "buprenorphine": ("Buprenorphine", "BU"),
    "naltrexone": ("Naltrexone (pill or monthly injection)", "NU"),
    "methadone": ("Methadone, with an opioid treatment program", "MU"),
    "acamprosate": ("Acamprosate (for alcohol)", "ACM"),
    "disulfiram": ("Disulfiram (for alcohol)", "DSF"),
}
AFTERCARE: dict[str, tuple[str, str]] = {
    "aftercare": ("Aftercare / continuing care", "ACC"),
    "stepdown": ("Step-down to lower intensity", "STEP"),
    "alumni": ("Alumni program", "ALUM"),
}
EXTRA_PAYMENT = (("TRICARE", "Military insurance (TRICARE)"),)


def facet_choices(name: str) -> list[tuple[str, str]]:
    return [(o.value, o.label) for o in facets.BY_NAME[name].options]


CHOICES: dict[str, list[tuple[str, str]]] = {
    "approaches": facet_choices("approach"),
    "payment": [*facet_choices("payment"), *EXTRA_PAYMENT],
    "languages": facet_choices("language"),
    "medications": [(k, label) for k, (label, _) in MEDICATIONS.items()],
    "aftercare": [(k, label) for k, (label, _) in AFTERCARE.items()],
}
ALLOWED: dict[str, frozenset[str]] = {name: frozenset(v for v, _ in pairs) for name, pairs in CHOICES.items()}
