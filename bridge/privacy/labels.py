"""Security labels and Part 2 origin for everything that leaves the program. Pure Python, one place.

Every record Bridge holds comes from a Part 2 program (an SUD treatment program), so every resource it
exports carries the same three labels (reference section 1.8, HL7 DS4P):
  * Confidentiality `R` (restricted),
  * ActCode `42CFRPart2` (the law that protects it),
  * ActCode `SUD` (substance use disorder information sensitivity),
and its Part 2 origin (`meta.source` names the program it came from). The refrain `NORDSCLCD` ("no
redisclosure without consent directive") goes on the entries, never on the Bundle itself: the DS4P
guide forbids privacy-revealing obligation and refrain tags in a Bundle's high-watermark labels.
"""

from __future__ import annotations

import copy
from typing import Any

CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"

RESTRICTED = {"system": CONFIDENTIALITY, "code": "R", "display": "restricted"}
PART2_POLICY = {"system": ACT_CODE, "code": "42CFRPart2", "display": "42 CFR Part2"}
SUD_SENSITIVITY = {
    "system": ACT_CODE,
    "code": "SUD",
    "display": "substance use disorder information sensitivity",
}
NO_REDISCLOSURE = {
    "system": ACT_CODE,
    "code": "NORDSCLCD",
    "display": "no redisclosure without consent directive",
}

# The three labels every exported resource carries, as (system, code) pairs for checks.
REQUIRED = frozenset((c["system"], c["code"]) for c in (RESTRICTED, PART2_POLICY, SUD_SENSITIVITY))

# What a person reads at the top of every printed page that leaves the program.
PRINT_LABEL = (
    "CONFIDENTIAL · Restricted (R) · Protected by 42 CFR Part 2 · Substance use disorder (SUD) record"
)


def security_labels() -> list[dict[str, str]]:
    """The labels for a Part 2 record, as FHIR Codings (fresh copies, safe to mutate)."""
    return [dict(RESTRICTED), dict(PART2_POLICY), dict(SUD_SENSITIVITY)]


def origin_uri(program_id: Any) -> str:
    """`meta.source` of a record: the Part 2 program it came from."""
    return f"urn:uuid:{program_id}"


def label_resource(
    resource: dict[str, Any], *, program_id: Any, entry: bool = True, refrain: bool = True
) -> dict[str, Any]:
    """A copy of `resource` carrying the Part 2 labels and origin; `entry=False` for a Bundle itself.

    `refrain=False` leaves off "no redisclosure" where redisclosure is not prohibited (a TPO release to
    a covered entity or business associate, which HIPAA lets redisclose for TPO)."""
    labelled = copy.deepcopy(resource)
    meta = labelled.setdefault("meta", {})
    wanted = security_labels() + ([dict(NO_REDISCLOSURE)] if entry and refrain else [])
    have = {(c.get("system"), c.get("code")) for c in meta.get("security", [])}
    meta["security"] = meta.get("security", []) + [c for c in wanted if (c["system"], c["code"]) not in have]
    meta.setdefault("source", origin_uri(program_id))
    return labelled


def carries_labels(resource: dict[str, Any]) -> bool:
    """True when `resource` has all three required labels (used by tests and by the package guard)."""
    have = {(c.get("system"), c.get("code")) for c in resource.get("meta", {}).get("security", [])}
    return have >= REQUIRED


# DS4P: text a receiving system must show whenever it renders the resource (reference section 1.3).
MUST_DISPLAY = "http://hl7.org/fhir/uv/security-label-ds4p/StructureDefinition/extension-must-display"


def with_must_display(resource: dict[str, Any], text: str) -> dict[str, Any]:
    """`resource` with `text` in a DS4P must-display extension on its meta (once)."""
    meta = resource.setdefault("meta", {})
    extensions = meta.setdefault("extension", [])
    if not any(e.get("url") == MUST_DISPLAY and e.get("valueString") == text for e in extensions):
        extensions.append({"url": MUST_DISPLAY, "valueString": text})
    return resource
