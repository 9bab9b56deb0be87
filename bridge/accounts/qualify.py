"""What a staff member's credentials qualify them to lead. Plain data, no Django.

The session types' required credential (scheduling.RequiredCredential values) is matched against
the credential types table (bridge.accounts.credentials): a clinician holds a clinical license
or certification, "licensed" needs a clinical state license, a prescriber is an MD/DO/NP/PA, and a
nurse visit may be led by a nurse or a prescriber.
"""

from __future__ import annotations

from collections.abc import Iterable

from bridge.accounts.credentials import BY_CODE

NURSE_CODES = frozenset({"RN", "LVN"})


def qualifications(credential_codes: Iterable[str]) -> frozenset[str]:
    """The qualifications (RequiredCredential values) that current credentials of these types give."""
    found = {"none"}
    for code in credential_codes:
        kind = BY_CODE.get(code)
        if kind is None:
            continue
        if kind.clinical:
            found.add("clinician")
            if kind.licensed:
                found.add("licensed")
        if kind.prescriber:
            found |= {"prescriber", "nurse"}
        if code in NURSE_CODES:
            found.add("nurse")
    return frozenset(found)
