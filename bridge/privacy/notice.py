"""The redisclosure notice that travels with every consent-based disclosure (42 CFR 2.32, 2024 rule).

Pure Python. The text is the 2024 Statement 1, verbatim (see shared/reference/privacy-security-fhir.md
section 1.3). Every disclosure package (PDF, FHIR Bundle, API JSON, print view) carries
`REDISCLOSURE_NOTICE` word for word, together with a copy or summary of the consent (2.32(b)).
The pre-2024 short form, which spoke only of unauthorized *disclosure*, is obsolete; a test walks the
source tree and every generated package to make sure it never comes back.
"""

from __future__ import annotations

NOTICE_VERSION = "2024-statement-1"

REDISCLOSURE_NOTICE = (
    "This record which has been disclosed to you is protected by Federal confidentiality rules "
    "(42 CFR part 2). These rules prohibit you from using or disclosing this record, or testimony "
    "that describes the information contained in this record, in any civil, criminal, "
    "administrative, or legislative proceedings by any Federal, State, or local authority, "
    "against the patient, unless authorized by the consent of the patient, except as provided at "
    "42 CFR 2.12(c)(5) or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. In "
    "addition, the Federal rules prohibit you from making any other use or disclosure of this "
    "record unless at least one of the following applies: (i) Further use or disclosure is "
    "expressly permitted by the written consent of the individual whose information is being "
    "disclosed in this record or as otherwise permitted by 42 CFR part 2. (ii) You are a covered "
    "entity or business associate and have received the record for treatment, payment, or health "
    "care operations, or (iii) You have received the record from a covered entity or business "
    "associate as permitted by 45 CFR part 164, subparts A and E. A general authorization for the "
    "release of medical or other information is NOT sufficient to meet the required elements of "
    "written consent to further use or redisclose the record (see 42 CFR 2.31)."
)

# The 2024 short form (Statement 2). Used only where space is too small for Statement 1 (page footers);
# a package always carries Statement 1 in full.
REDISCLOSURE_NOTICE_SHORT = "42 CFR part 2 prohibits unauthorized use or disclosure of these records."
