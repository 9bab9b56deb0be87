"""Withdrawal scales, clinician-rated: CIWA-Ar (alcohol) and COWS (opioids) — reference §7-8."""

from __future__ import annotations

from bridge.instruments.definitions.common import options, scale, static_bands
from bridge.instruments.model import Band, CiwaScheme, Instrument, Item, ScoringSettings, Sex
from bridge.instruments.scoring import sum_scorer

_CIWA_ANCHORS = {0: "none", 1: "minimal", 4: "moderate", 7: "most severe"}
_CIWA_ITEMS = [
    "Nausea or vomiting",
    "Tremor",
    "Paroxysmal sweats",
    "Anxiety",
    "Agitation",
    "Tactile disturbances",
    "Auditory disturbances",
    "Visual disturbances",
    "Headache or fullness in the head",
]
CIWA_ORIENTATION = options(
    (0, "Oriented; can do serial additions"),
    (1, "Cannot do serial additions or unsure of the date"),
    (2, "Date off by 2 days or less"),
    (3, "Date off by more than 2 days"),
    (4, "Disoriented to place or person"),
)


def _ciwa_bands(settings: ScoringSettings, sex: Sex | None) -> tuple[Band, ...]:
    if settings.ciwa_scheme == CiwaScheme.CAMCOPS:
        return (
            Band("mild", "Mild (< 8)", 0),
            Band("moderate", "Moderate (8-14)", 8),
            Band("severe", "Severe (≥ 15)", 15),
        )
    return (
        Band("mild", "Mild (< 10)", 0),
        Band("moderate", "Moderate (10-18)", 10),
        Band("severe", "Severe (≥ 19)", 19),
    )


CIWA_AR = Instrument(
    code="CIWA-Ar",
    name="Clinical Institute Withdrawal Assessment for Alcohol, revised",
    summary="Alcohol withdrawal severity (clinician-rated)",
    period="Now",
    items=(
        *(
            Item(f"ciwa_{i}", str(i), text, scale(0, 7, _CIWA_ANCHORS))
            for i, text in enumerate(_CIWA_ITEMS, 1)
        ),
        Item("ciwa_10", "10", "Orientation and clouding of sensorium", CIWA_ORIENTATION),
    ),
    scorer=sum_scorer(),
    bands=_ciwa_bands,
    band_codes=("mild", "moderate", "severe"),
    total_range=(0, 67),
    clinician_rated=True,
    settings_used=("ciwa_scheme",),
    source="Sullivan et al. 1989 (PMID 2597811); ASAM Alcohol Withdrawal Management CPG 2020 Table 1. "
    "No CIWA-Ar LOINC panel or total was found [verify].",
    notes=("No alerts come from the score alone: 'complicated' withdrawal needs clinical signs.",),
    # The scale has no alerts of its own; the intake placement rules raise one (rules.DERIVED_ALERTS).
    guidance=(
        "At intake, a severe score, or a moderate one with past seizures or delirium tremens, raises an "
        "act-now alert for withdrawal care. Complicated withdrawal is also judged from clinical signs.",
    ),
)

# Allowed point values per item (Wesson & Ling 2003; VA VistA COWS spec). Entered as points, not index.
_COWS_ITEMS = [
    ("Resting pulse rate", ((0, "80 or below"), (1, "81-100"), (2, "101-120"), (4, "Over 120"))),
    (
        "Sweating (not from room temperature or activity)",
        (
            (0, "None"),
            (1, "Reports chills or flushing"),
            (2, "Face flushed or damp"),
            (3, "Beads of sweat on brow or face"),
            (4, "Sweat running off the face"),
        ),
    ),
    (
        "Restlessness",
        (
            (0, "Able to sit still"),
            (1, "Reports difficulty sitting still"),
            (3, "Frequent shifting or extra movements"),
            (5, "Cannot sit still for more than a few seconds"),
        ),
    ),
    (
        "Pupil size",
        (
            (0, "Normal for the room light"),
            (1, "Possibly larger than normal"),
            (2, "Moderately dilated"),
            (5, "Only the rim of the iris visible"),
        ),
    ),
    (
        "Bone or joint aches",
        (
            (0, "None"),
            (1, "Mild, diffuse discomfort"),
            (2, "Severe, diffuse aching"),
            (4, "Rubbing joints or muscles; cannot sit still"),
        ),
    ),
    (
        "Runny nose or tearing",
        (
            (0, "None"),
            (1, "Stuffy nose or unusually moist eyes"),
            (2, "Runny nose or tearing"),
            (4, "Constant running nose or streaming tears"),
        ),
    ),
    (
        "Stomach upset",
        (
            (0, "None"),
            (1, "Stomach cramps"),
            (2, "Nausea or loose stool"),
            (3, "Vomiting or diarrhoea"),
            (5, "Repeated vomiting or diarrhoea"),
        ),
    ),
    (
        "Tremor (hands outstretched)",
        ((0, "None"), (1, "Felt, not seen"), (2, "Slight tremor seen"), (4, "Gross tremor or twitching")),
    ),
    (
        "Yawning",
        (
            (0, "None"),
            (1, "Once or twice during the assessment"),
            (2, "Three or more times"),
            (4, "Several times a minute"),
        ),
    ),
    (
        "Anxiety or irritability",
        (
            (0, "None"),
            (1, "Reports growing irritability or anxiety"),
            (2, "Obviously irritable or anxious"),
            (4, "So irritable or anxious the assessment is hard"),
        ),
    ),
    (
        "Gooseflesh",
        ((0, "Skin smooth"), (3, "Gooseflesh can be felt; hairs standing up"), (5, "Prominent gooseflesh")),
    ),
]

COWS = Instrument(
    code="COWS",
    name="Clinical Opiate Withdrawal Scale",
    summary="Opioid withdrawal severity (clinician-rated)",
    period="Now",
    items=tuple(
        Item(f"cows_{i}", str(i), text, options(*opts)) for i, (text, opts) in enumerate(_COWS_ITEMS, 1)
    ),
    scorer=sum_scorer(),
    bands=static_bands(
        Band("none", "Below the mild range (< 5)", 0),
        Band("mild", "Mild (5-12)", 5),
        Band("moderate", "Moderate (13-24)", 13),
        Band("moderately_severe", "Moderately severe (25-36)", 25),
        Band("severe", "Severe (over 36)", 37),
    ),
    band_codes=("none", "mild", "moderate", "moderately_severe", "severe"),
    total_range=(0, 48),
    clinician_rated=True,
    source="Wesson & Ling 2003 (PMID 12924748); VA VistA COWS spec. No LOINC code was found [verify].",
    notes=(
        "Score only what is attributable to opioid withdrawal.",
        "Responses are point values (pulse 101-120 is entered as 2), never the option's position.",
    ),
    guidance=(
        "Score only what is attributable to opioid withdrawal.",
        "Each answer is worth the points shown beside it (a resting pulse of 101-120 scores 2).",
    ),
)
