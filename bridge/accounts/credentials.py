"""The license and certification types Bridge knows, and what each one allows.

Plain data, no Django: the scheduler and the directory read the same table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CredentialType:
    code: str
    label: str
    licensed: bool  # a state license (vs. a certification)
    clinical: bool  # may lead or document psychotherapy, alone or with supervision
    prescriber: bool = False


CREDENTIAL_TYPES: tuple[CredentialType, ...] = (
    CredentialType("MD", "Physician (MD)", licensed=True, clinical=True, prescriber=True),
    CredentialType("DO", "Physician (DO)", licensed=True, clinical=True, prescriber=True),
    CredentialType("NP", "Nurse practitioner (NP)", licensed=True, clinical=True, prescriber=True),
    CredentialType("PA", "Physician assistant (PA)", licensed=True, clinical=True, prescriber=True),
    CredentialType("PSYD", "Psychologist (PsyD)", licensed=True, clinical=True),
    CredentialType("PHD", "Psychologist (PhD)", licensed=True, clinical=True),
    CredentialType("LCSW", "Licensed clinical social worker (LCSW)", licensed=True, clinical=True),
    CredentialType("LMFT", "Licensed marriage and family therapist (LMFT)", licensed=True, clinical=True),
    CredentialType("LPCC", "Licensed professional clinical counselor (LPCC)", licensed=True, clinical=True),
    CredentialType("LPC", "Licensed professional counselor (LPC)", licensed=True, clinical=True),
    CredentialType("LMHC", "Licensed mental health counselor (LMHC)", licensed=True, clinical=True),
    CredentialType(
        "LAADC", "Licensed advanced alcohol and drug counselor (LAADC)", licensed=True, clinical=True
    ),
    CredentialType("RN", "Registered nurse (RN)", licensed=True, clinical=False),
    CredentialType("LVN", "Licensed vocational nurse (LVN)", licensed=True, clinical=False),
    CredentialType("CADC", "Certified alcohol and drug counselor (CADC)", licensed=False, clinical=True),
    CredentialType(
        "CADC_II", "Certified alcohol and drug counselor II (CADC-II)", licensed=False, clinical=True
    ),
    CredentialType(
        "CAADC", "Certified advanced alcohol and drug counselor (CAADC)", licensed=False, clinical=True
    ),
    CredentialType("CPRS", "Certified peer recovery specialist (CPRS)", licensed=False, clinical=False),
    CredentialType("DEA", "DEA registration", licensed=False, clinical=False),
)

BY_CODE = {c.code: c for c in CREDENTIAL_TYPES}
CHOICES = [(c.code, c.label) for c in CREDENTIAL_TYPES]
