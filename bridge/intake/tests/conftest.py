"""Intake fixtures: Casey (the world's prospect) in screening, and answer sets."""

from __future__ import annotations

import pytest

from bridge.intake import services

CRITERIA = [
    "c1_larger_or_longer",
    "c2_cut_down_unsuccessful",
    "c3_time_spent",
    "c4_craving",
    "c5_role_failure",
    "c6_social_problems",
    "c7_activities_given_up",
    "c8_hazardous_use",
    "c9_physical_or_psych_problem",
    "c10_tolerance",
    "c11_withdrawal",
]
GOOD_HOME = {
    "home_active_substance_use": False,
    "domestic_violence": False,
    "stable_housing": True,
    "supportive_relationships": True,
    "medical_condition": "none",
    "daily_functioning": "intact",
    "readiness": "preparation",
}


def dsm(met: int, substance: str = "alcohol") -> dict:
    return {
        "substance_class": substance,
        "taken_solely_under_appropriate_medical_supervision": False,
        **{name: i < met for i, name in enumerate(CRITERIA)},
    }


@pytest.fixture
def screening(world):
    """Casey, a prospect, with a screening just started by the intake coordinator."""
    return services.screening_start(actor=world.intake, participant=world.casey)


@pytest.fixture
def iop_ready(world, screening):
    """Casey's screening with a moderate alcohol use disorder and a supportive home: recommends 2.1."""
    services.administration_record(
        actor=world.intake, screening=screening, instrument="DSM-5-SUD", responses=dsm(4)
    )
    services.administration_record(
        actor=world.intake, screening=screening, instrument="PHQ-9", responses=[1, 1, 1, 1, 0, 0, 0, 0, 0]
    )
    # The minimum assessment set for admission: a suicide-risk screen and, for alcohol, the CIWA-Ar.
    services.administration_record(
        actor=world.intake, screening=screening, instrument="C-SSRS-Screener", responses=[0] * 7
    )
    services.administration_record(
        actor=world.intake, screening=screening, instrument="CIWA-Ar", responses=[0] * 10
    )
    services.screening_update(actor=world.intake, screening=screening, **GOOD_HOME)
    return screening
