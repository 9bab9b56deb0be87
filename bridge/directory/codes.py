"""SAMHSA FindTreatment.gov service codes: the code table, its sections, and the aliases between
code generations and label wordings. Plain Python, no Django.

The table is `data/findtreatment_service_codes.csv` (N-SUMHSS era, 312 codes). Older sources use
other words for the same thing: the N-SSATS directory legends wrote `OIT` for intensive
outpatient (now `IOP`) and `SF` for cash (now `CASH`); the 2019 locator API said "State substance
abuse agency" where the 2025 data says "State substance use treatment agency". Everything is mapped
to today's code so that one filter finds both. Bridge adds a few codes of its own (prefix-free,
section "bridge") for facts only a program running Bridge can report: evening and weekend hours,
alumni groups, step-down, holistic approaches.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
CODE_TABLE = DATA_DIR / "findtreatment_service_codes.csv"


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    section: str


# Human titles of the sections, in the order a facility page shows them.
SECTIONS: dict[str, str] = {
    "type_of_care": "Type of care",
    "service_setting": "Service settings",
    "bridge": "Schedule and aftercare (programs on Bridge)",
    "license_certification_accreditation": "License, certification, accreditation",
    "treatment_approaches": "Treatment approaches",
    "opioid_medications": "Medications for opioid use disorder",
    "opioid_treatment_type": "Opioid treatment",
    "alcohol_use_disorder": "Alcohol use disorder treatment",
    "pharmacotherapies": "Medications used",
    "payment_funding_accepted": "Payment accepted",
    "payment_assistance": "Payment assistance",
    "special_programs_groups": "Special programs and groups",
    "age_groups_accepted": "Ages accepted",
    "gender_accepted": "Gender accepted",
    "language_services": "Language services",
    "other_languages": "Other languages",
    "transitional_services": "Transitional services",
    "recovery_support": "Recovery support",
    "assessment_pretreatment": "Assessment and pre-treatment",
    "screening_testing": "Screening and testing",
    "counseling_education": "Counseling and education",
    "ancillary_services": "Ancillary services",
    "detoxification": "Withdrawal management (detox)",
    "other_addictions": "Other addictions",
    "exclusive_services": "Exclusive services",
    "facility_type": "Facility type",
    "hospitals": "Hospitals",
    "facility_operation": "Facility operation",
    "emergency_mental_health": "Emergency mental health services",
    "medical_services": "Medical services",
    "smoking_policy": "Smoking policy",
    "vaping_policy": "Vaping policy",
    "unmapped": "Other services as listed",
}

# Codes that exist only in Bridge's live listings (never in SAMHSA data).
BRIDGE_CODES: tuple[Code, ...] = (
    Code("EVE", "Evening groups (start 4 pm or later)", "bridge"),
    Code("WKND", "Weekend groups", "bridge"),
    Code("STEP", "Step-down to lower intensity", "bridge"),
    Code("ALUM", "Alumni program", "bridge"),
    Code("HOLI", "Holistic approaches (mindfulness, yoga, nutrition, exercise)", "treatment_approaches"),
    # Legacy N-SSATS code without a successor in today's table.
    Code("GL", "Lesbian, gay, bisexual, transgender or queer (LGBTQ) clients", "special_programs_groups"),
)

# Old code -> today's code, whatever the context.
CODE_ALIASES: dict[str, str] = {
    "OIT": "IOP",  # intensive outpatient, N-SSATS directory legends up to 2021
    "SF": "CASH",  # cash or self-payment
    "AH": "ASL",  # services for the deaf and hard of hearing
    "CHLD": "CH_AD",  # youth / children and adolescents
    "DU": "DUI",
    "DUO": "DUIO",
}

# Old code -> today's code only inside one section, because the same letters mean something else
# today (MI is "motivational interviewing" now, "military insurance" in old payment lists).
SECTION_CODE_ALIASES: dict[tuple[str, str], str] = {
    ("payment_funding_accepted", "MI"): "TRICARE",
}

# Older or different wordings of a label -> today's code (2019 locator API, 2025 CSV variants).
LABEL_ALIASES: dict[str, str] = {
    "state substance use treatment agency": "SSA",
    "state substance abuse agency": "SSA",
    "treatment for co-occurring substance use plus either serious mental health illness in adults/"
    "serious emotional disturbance in children": "SUMH",
    "children/adolescents": "CH_AD",
    "seniors (65 or older)": "SNR",
    "case management": "CM",
    "consumer-run (peer-support) services": "PEER",
    "domestic violence services-family or partner": "DVFP",
    "family counseling offered": "FCO",
    "group counseling offered": "GCO",
    "individual counseling offered": "ICO",
    "marital/couples counseling offered": "MCO",
    "substance abuse education": "SAE",
    "dui/dwi clients": "DUI",
    "regional/district or county, local or municipal government": "LCCG",
    "psychiatric hospital or psychiatric unit of a general hospital": "PSY",
    "commission on accreditation of rehabilitation facilities": "CARF",
    "accepts clients on opioid medication": "MOA",
    "buprenorphine maintenance for predetermined time": "BUM",
    "methadone maintenance for predetermined time": "MM",
    "do not use medication for opioid addiction": "NMOA",
    "does not treat opioid addiction": "NOOP",
    "prescribes/administers buprenorphine": "UB",
    "prescribes/administers naltrexone": "UN",
    "relapse prevention from naltrexone": "RPN",
    "samhsa-certified opioid treatment program": "OTP",
    "treatment for non-substance use addiction disorder": "TOD",
    "federal, or any government funding for substance abuse programs": "FSA",
    "military insurance (e.g., tricare)": "TRICARE",
    "state education funds": "SEF",
    "buprenorphine (extended-release, injectable, for example, sublocade®)": "BERI",
    "buprenorphine with naloxone (suboxone®)": "BWN",
    "disulfiram (antabuse®)": "DSF",
    "extended-release, injectable naltrexone (vivitrol®)": "VTRL",
    "medications for psychiatric disorders": "MMD",
    "breath analyzer or blood alcohol testing": "BABA",
    "screening for hepatitis b": "HBT",
    "screening for hepatitis c": "HCT",
    "screening for mental health disorders": "SMHD",
    "computerized treatment/telemedicine": "TELE",
    "telemedicine/telehealth": "TELE",
    "hospital inpatient": "HI",
    "residential": "RES",
    "clients referred from the court/judicial system": "CJ",
    "lesbian, gay, bisexual, or transgender (lgbt) clients": "GL",
    "military families": "MILF",
    "persons who have experienced intimate partner violence, domestic violence": "DV",
    "persons who have experienced sexual abuse": "SEXA",
    "persons who have experienced trauma": "TRMA",
    "persons with hiv or aids": "HIV",
    "persons with co-occurring mental and substance use disorders": "MHSU",
    "persons with serious mental illness (smi)": "SMI",
    "transitional age young adults": "YA",
    "services for the deaf and hard of hearing": "ASL",
    "integrated dual disorders treatment": "IDD",
    "substance use counseling approach": "SACA",
    "trauma therapy": "TRC",
    "nicotine replacement therapy": "NRT",
    "non-nicotine smoking/tobacco cessation medications": "NSC",
    "smoking/tobacco cessation counseling": "TCC",
}

# Locator API category codes (the `f2` of a service entry) -> sections of the code table. A
# category may span several sections of today's table (tobacco services moved around).
API_CATEGORIES: dict[str, tuple[str, ...]] = {
    "TC": ("type_of_care",),
    "SET": ("service_setting", "treatment_approaches"),
    "FT": ("facility_type",),
    "HOSP": ("hospitals",),
    "OM": ("opioid_medications",),
    "AUT": ("alcohol_use_disorder",),
    "OT": ("opioid_treatment_type",),
    "PHR": ("pharmacotherapies",),
    "TAP": ("treatment_approaches",),
    "EMS": ("emergency_mental_health",),
    "FOP": ("facility_operation",),
    "LCA": ("license_certification_accreditation",),
    "PAY": ("payment_funding_accepted",),
    "PYAS": ("payment_assistance",),
    "SG": ("special_programs_groups",),
    "ASSES": ("assessment_pretreatment",),
    "SCR": ("screening_testing",),
    "TRSRV": ("transitional_services",),
    "AS": ("ancillary_services", "recovery_support"),
    "EDU": ("counseling_education",),
    "TOBAC": ("screening_testing", "counseling_education", "pharmacotherapies"),
    "SMP": ("smoking_policy",),
    "AGE": ("age_groups_accepted",),
    "GN": ("gender_accepted",),
    "EXCL": ("exclusive_services",),
    "SL": ("language_services",),
    "OL": ("other_languages",),
    "OTHR": ("other_addictions",),
    "DETOX": ("detoxification",),
}

_SPACES = re.compile(r"\s+")


def normalize_label(label: str) -> str:
    return _SPACES.sub(" ", label.strip()).casefold()


class CodeBook:
    """The code table with lookups by code and by label, and the alias rules."""

    def __init__(self, codes: list[Code]):
        self.codes: dict[str, Code] = {}
        for c in codes:
            self.codes.setdefault(c.code, c)
        self._exact: dict[str, list[str]] = {}
        self._folded: dict[str, list[str]] = {}
        for c in self.codes.values():
            self._exact.setdefault(c.label.strip(), []).append(c.code)
            self._folded.setdefault(normalize_label(c.label), []).append(c.code)
        self._upper = {code.upper(): code for code in self.codes}
        # A file repeats the same two hundred labels thousands of times: remember each answer.
        # Answers already worked out (the importer asks the same few hundred questions many times).
        self._codes: dict[tuple[str, str | None], str | None] = {}
        self._services: dict[tuple[str, str | None], tuple[str, str, str]] = {}
        self._labels: dict[tuple[str, tuple[str, ...], str | None], str | None] = {}

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def label(self, code: str) -> str:
        found = self.codes.get(code)
        return found.label if found else code

    def section(self, code: str) -> str:
        found = self.codes.get(code)
        return found.section if found else "unmapped"

    def resolve_code(self, raw: str, section: str | None = None) -> str | None:
        """Today's code for `raw` (a code from any generation), or None when unknown."""
        key = (raw, section)
        if key not in self._codes:
            self._codes[key] = self._resolve_code(raw.strip(), section)
        return self._codes[key]

    def _resolve_code(self, raw: str, section: str | None) -> str | None:
        if section and (section, raw.upper()) in SECTION_CODE_ALIASES:
            return SECTION_CODE_ALIASES[(section, raw.upper())]
        if raw in self.codes:
            return raw
        if raw.upper() in CODE_ALIASES:
            return CODE_ALIASES[raw.upper()]
        return self._upper.get(raw.upper())

    def service(self, raw: str, section: str | None = None) -> tuple[str, str, str]:
        """(section, today's code, label) for a raw code; ("unmapped", "", "code X") when unknown."""
        key = (raw, section)
        if key not in self._services:
            code = self.resolve_code(raw, section)
            self._services[key] = (
                (self.section(code), code, self.label(code)) if code else ("unmapped", "", f"code {raw}")
            )
        return self._services[key]

    def resolve_label(
        self, label: str, sections: tuple[str, ...] = (), previous_section: str | None = None
    ) -> str | None:
        """Today's code for a service label, or None.

        `sections` is the category the source filed the label under (API rows carry one), and
        `previous_section` the section of the label just before it (the label CSV keeps SAMHSA's
        category order): both only break ties between codes that share a label, such as
        "In-network prescribing entity" for opioid and for alcohol medications.
        """
        key = (label, sections, previous_section)
        if key not in self._labels:
            self._labels[key] = self._resolve_label(label, sections, previous_section)
        return self._labels[key]

    def _resolve_label(
        self, label: str, sections: tuple[str, ...], previous_section: str | None
    ) -> str | None:
        folded = normalize_label(label)
        candidates = self._folded.get(folded, [])
        if sections:
            in_section = [c for c in candidates if self.codes[c].section in sections]
            if in_section:
                return in_section[0]
        exact = self._exact.get(_SPACES.sub(" ", label.strip()), [])
        for pool in (exact, candidates):
            if len(pool) == 1:
                return pool[0]
            if pool:
                if previous_section:
                    for c in pool:
                        if self.codes[c].section == previous_section:
                            return c
                return pool[0]
        return LABEL_ALIASES.get(folded)


@cache
def codebook() -> CodeBook:
    with CODE_TABLE.open(newline="", encoding="utf-8") as fh:
        rows = [
            Code(r["code"].strip(), r["label"].strip(), r["section_inferred"].strip())
            for r in csv.DictReader(fh)
        ]
    return CodeBook(rows + list(BRIDGE_CODES))
