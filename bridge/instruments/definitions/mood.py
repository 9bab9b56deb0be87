"""Depression, anxiety and trauma: PHQ-9, PHQ-2, GAD-7, GAD-2, PCL-5 (reference §1-3, §11)."""

from __future__ import annotations

from bridge.instruments.definitions.common import options, static_bands
from bridge.instruments.model import Band, BandScheme, Instrument, Item, Option, ScoringSettings, Sex
from bridge.instruments.scoring import sum_scorer

# "Over the last 2 weeks, how often…" — LOINC answer list LL358-3.
PHQ_FREQUENCY = (
    Option(0, "Not at all", 0, "LA6568-5"),
    Option(1, "Several days", 1, "LA6569-3"),
    Option(2, "More than half the days", 2, "LA6570-1"),
    Option(3, "Nearly every day", 3, "LA6571-9"),
)
# GAD-7 uses the same anchors; the reference gives no LOINC answer codes for it, so none are claimed.
GAD_FREQUENCY = options(
    (0, "Not at all"), (1, "Several days"), (2, "More than half the days"), (3, "Nearly every day")
)

_PHQ9_ITEMS = [
    ("1", "Little interest or pleasure in things", "44250-9"),
    ("2", "Feeling down or hopeless", "44255-8"),
    ("3", "Sleep problems (too little or too much)", "44259-0"),
    ("4", "Tired or low on energy", "44254-1"),
    ("5", "Appetite change (poor or overeating)", "44251-7"),
    ("6", "Feeling bad about oneself", "44258-2"),
    ("7", "Trouble concentrating", "44252-5"),
    ("8", "Moving or speaking slowly, or restless", "44253-3"),
    ("9", "Thoughts of being better off dead or of self-harm", "44260-8"),
]


# Self-check wording (ours), asked about the last 2 weeks.
_PHQ2_ASK = (
    "How often have you had little interest or enjoyment in the things you do?",
    "How often have you felt down, low or hopeless?",
)


def _phq9_alerts(values: list[int], total: int, settings: ScoringSettings) -> list[str]:
    # Item 9 at "several days" or more flags suicidality whatever the total.
    return ["phq9_item9_positive"] if values[8] >= 1 else []


PHQ9 = Instrument(
    code="PHQ-9",
    name="Patient Health Questionnaire-9",
    summary="Depression symptoms",
    period="Last 2 weeks",
    items=tuple(Item(f"phq9_{n}", n, text, PHQ_FREQUENCY, loinc) for n, text, loinc in _PHQ9_ITEMS),
    scorer=sum_scorer(_phq9_alerts),
    bands=static_bands(
        Band("minimal", "Minimal", 0),
        Band("mild", "Mild", 5),
        Band("moderate", "Moderate", 10),
        Band("moderately_severe", "Moderately severe", 15),
        Band("severe", "Severe", 20),
    ),
    band_codes=("minimal", "mild", "moderate", "moderately_severe", "severe"),
    total_range=(0, 27),
    alert_codes=("phq9_item9_positive",),
    loinc_panel="44249-1",
    loinc_total="44261-6",
    source="Kroenke, Spitzer & Williams 2001 (PMID 11556941); LOINC 44249-1, LL358-3, LL382-3",
    notes=(
        "Item 9 of 1 or more raises phq9_item9_positive: follow with a C-SSRS screen or clinician review.",
    ),
    guidance=(
        "Any answer above “Not at all” to question 9 (thoughts of being better off dead or of self-harm) "
        "raises an alert: follow with a C-SSRS screen or a clinician's review the same day.",
    ),
)


def _two_item_bands(setting: str) -> BandScheme:
    def scheme(settings: ScoringSettings, sex: Sex | None) -> tuple[Band, ...]:
        cutoff = getattr(settings, setting)
        return (Band("negative", "Negative", 0), Band("positive", f"Positive (≥ {cutoff})", cutoff))

    return scheme


PHQ2 = Instrument(
    code="PHQ-2",
    name="Patient Health Questionnaire-2",
    summary="Depression screen (PHQ-9 items 1-2)",
    period="Last 2 weeks",
    items=tuple(
        Item(f"phq2_{n}", n, text, PHQ_FREQUENCY, loinc, ask=ask)
        for (n, text, loinc), ask in zip(_PHQ9_ITEMS[:2], _PHQ2_ASK, strict=True)
    ),
    scorer=sum_scorer(),
    bands=_two_item_bands("phq2_cutoff"),
    band_codes=("negative", "positive"),
    total_range=(0, 6),
    loinc_panel="55757-9",
    loinc_total="55758-7",
    settings_used=("phq2_cutoff",),
    source="Kroenke 2003 (≥ 3); Arroll 2010 PMC2906530 (≥ 2 alternative); LOINC 55757-9",
    notes=("A positive screen is followed by the full PHQ-9.",),
    guidance=("A positive screen is followed by the full PHQ-9.",),
)

_GAD7_ITEMS = [
    ("1", "Nervous, anxious or on edge", "69725-0"),
    ("2", "Cannot stop or control worrying", "68509-9"),
    ("3", "Worrying too much about different things", "69733-4"),
    ("4", "Trouble relaxing", "69734-2"),
    ("5", "So restless it is hard to sit still", "69735-9"),
    ("6", "Easily annoyed or irritable", "69689-8"),
    ("7", "Afraid something awful might happen", "69736-7"),
]

GAD7 = Instrument(
    code="GAD-7",
    name="Generalized Anxiety Disorder-7",
    summary="Anxiety symptoms",
    period="Last 2 weeks",
    items=tuple(Item(f"gad7_{n}", n, text, GAD_FREQUENCY, loinc) for n, text, loinc in _GAD7_ITEMS),
    scorer=sum_scorer(),
    bands=static_bands(
        Band("minimal", "Minimal", 0),
        Band("mild", "Mild", 5),
        Band("moderate", "Moderate", 10),
        Band("severe", "Severe", 15),
    ),
    band_codes=("minimal", "mild", "moderate", "severe"),
    total_range=(0, 21),
    loinc_panel="69737-5",
    loinc_total="70274-6",
    source="Spitzer et al. 2006 (PMID 16717171); LOINC 69737-5",
    notes=('The zero option is "Not at all" (not "Not at all sure").',),
)

GAD2 = Instrument(
    code="GAD-2",
    name="Generalized Anxiety Disorder-2",
    summary="Anxiety screen (GAD-7 items 1-2)",
    period="Last 2 weeks",
    items=tuple(Item(f"gad2_{n}", n, text, GAD_FREQUENCY, loinc) for n, text, loinc in _GAD7_ITEMS[:2]),
    scorer=sum_scorer(),
    bands=_two_item_bands("gad2_cutoff"),
    band_codes=("negative", "positive"),
    total_range=(0, 6),
    settings_used=("gad2_cutoff",),
    source="Kroenke et al. 2007 (≥ 3; ≥ 2 sensitive alternative). No GAD-2 panel or total LOINC code found.",
)

PCL5_OPTIONS = options(
    (0, "Not at all"), (1, "A little bit"), (2, "Moderately"), (3, "Quite a bit"), (4, "Extremely")
)
_PCL5_ITEMS = [
    "Repeated disturbing memories of the event",
    "Repeated disturbing dreams",
    "Feeling as if it were happening again",
    "Very upset when reminded",
    "Strong physical reactions to reminders",
    "Avoiding memories, thoughts or feelings about it",
    "Avoiding outside reminders",
    "Trouble remembering important parts",
    "Strong negative beliefs about self, others or the world",
    "Blaming self or others for it",
    "Strong negative feelings (fear, anger, guilt, shame)",
    "Loss of interest in activities",
    "Feeling distant or cut off from others",
    "Trouble having positive feelings",
    "Irritable or angry outbursts",
    "Taking too many risks or doing harmful things",
    "Being super-alert or on guard",
    "Jumpy or easily startled",
    "Difficulty concentrating",
    "Trouble falling or staying asleep",
]
# DSM-5 clusters by item number: B intrusion, C avoidance, D cognition/mood, E arousal/reactivity.
PCL5_CLUSTERS = {"B": range(1, 6), "C": range(6, 8), "D": range(8, 15), "E": range(15, 21)}
PCL5_CLUSTER_NEEDS = {"B": 1, "C": 1, "D": 2, "E": 2}


def _pcl5_alerts(values: list[int], total: int, settings: ScoringSettings) -> list[str]:
    # An item rated 2 ("moderately") or more counts as endorsed; independent of the total.
    endorsed = {
        cluster: sum(1 for n in numbers if values[n - 1] >= 2) for cluster, numbers in PCL5_CLUSTERS.items()
    }
    met = all(endorsed[c] >= need for c, need in PCL5_CLUSTER_NEEDS.items())
    return ["pcl5_dsm5_provisional_ptsd"] if met else []


def _pcl5_bands(settings: ScoringSettings, sex: Sex | None) -> tuple[Band, ...]:
    cutoff = settings.pcl5_cutoff
    return (
        Band("below_cutoff", f"Below the cut-off ({cutoff})", 0),
        Band("probable_ptsd", f"Probable PTSD (≥ {cutoff})", cutoff),
    )


PCL5 = Instrument(
    code="PCL-5",
    name="PTSD Checklist for DSM-5",
    summary="Post-traumatic stress symptoms",
    period="Past month",
    items=tuple(Item(f"pcl5_{i}", str(i), text, PCL5_OPTIONS) for i, text in enumerate(_PCL5_ITEMS, start=1)),
    scorer=sum_scorer(_pcl5_alerts),
    bands=_pcl5_bands,
    band_codes=("below_cutoff", "probable_ptsd"),
    total_range=(0, 80),
    alert_codes=("pcl5_dsm5_provisional_ptsd",),
    # Seen only on LOINC mirror sites [verify on loinc.org] — reference §11.
    loinc_panel="101697-1",
    loinc_total="101698-9",
    settings_used=("pcl5_cutoff",),
    source="Blevins 2015 (PMID 26606250); National Center for PTSD (31-33); CamCOPS pcl5.py (33)",
    notes=("The DSM-5 cluster rule (≥1 B, ≥1 C, ≥2 D, ≥2 E items rated ≥ 2) is an alert, not the band.",),
    guidance=(
        "Meeting the DSM-5 symptom pattern (at least 1 B, 1 C, 2 D and 2 E symptoms rated 2 or more) raises "
        "an alert; it does not change the severity band.",
    ),
)
