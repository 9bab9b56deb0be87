"""Reads for the public directory: listings of both kinds, the radius search, and what a listing says.

A `Listing` is what a visitor sees of one program, whichever its source: an imported SAMHSA
`Facility`, or a program on Bridge whose listing is assembled here from its own records on every
request (so it is always current). Both carry the same service codes, so one set of filters
(facets.py) applies to both; each fact says where it came from.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from bridge.accounts import credentials
from bridge.accounts.models import Credential
from bridge.directory import curriculum, facets, geo
from bridge.directory.codes import SECTIONS, codebook
from bridge.directory.measures import Figure
from bridge.directory.models import Facility, ProgramAccreditation, ProgramLicense, ProgramProfile
from bridge.directory.profile_choices import AFTERCARE, MEDICATIONS
from bridge.programs.models import Program, Track
from bridge.scheduling.models import SessionType

PAGE_SIZE = 20
SAMHSA = "SAMHSA, FindTreatment.gov"

ADULT_AGES = ("YAD", "ADLT", "SNR")

# Which codes answer which question, for imported listings (live ones say it in their own words).
FACT_CODES: dict[str, tuple[str, ...]] = {
    "setting": (
        "IOP", "OP", "ORT", "PHP", "ODT", "RES", "RS", "RL", "RD", "HI", "HID", "HIT", "OD", "DT", "TELE",
    ),
    "accreditation": ("JC", "CARF", "COA", "HFAP", "NCQA"),
    "license": ("SSA", "STMH", "STDH", "HLA", "SOTP", "FQHC"),
    "dual": ("MHSU", "IDD", "SUMH"),
    "mat": (
        "BU", "NU", "MU", "OTP", "UB", "UN", "BUM", "MM", "METH", "BWN", "BWON", "BERI", "BSDM", "NXN",
        "VTRL", "ACM", "DSF", "MOA", "NMOA", "NOOP",
    ),
    "aftercare": ("ACC", "DP", "OFD", "NOE", "PEER", "RC", "SHG"),
}  # fmt: skip
FACT_SECTIONS: dict[str, tuple[str, ...]] = {
    "approaches": ("treatment_approaches",),
    "payment": ("payment_funding_accepted", "payment_assistance"),
    "languages": ("language_services", "other_languages"),
    "ages": ("age_groups_accepted",),
}


@dataclass(frozen=True)
class Fact:
    """One line of a listing: the question, the answer, and where the answer came from."""

    key: str
    label: str
    values: tuple[str, ...]
    source: str
    empty: str = "None listed"


@dataclass
class TrackView:
    name: str
    days: str
    hours: str
    evening: bool
    weekend: bool
    modality: str
    hours_per_week: str
    ages: str


@dataclass
class Listing:
    id: uuid.UUID
    live: bool
    name: str
    name2: str = ""
    address: str = ""
    city: str = ""
    state: str = ""
    phone: str = ""
    intake_phone: str = ""
    website: str = ""
    latitude: float | None = None
    longitude: float | None = None
    codes: frozenset[str] = frozenset()
    distance: float | None = None
    source: str = ""  # where the listing as a whole comes from, said in full
    fact_source: str = ""  # the same, short, under each fact
    facility: Facility | None = None
    program: Program | None = None
    profile: ProgramProfile | None = None
    tracks: list[TrackView] = field(default_factory=list)
    accreditations: list[ProgramAccreditation] = field(default_factory=list)
    licenses: list[ProgramLicense] = field(default_factory=list)
    curriculum: dict[str, list[str]] = field(default_factory=dict)
    verified_staff: int | None = None
    verified_breakdown: list[tuple[str, int]] = field(default_factory=list)
    signals: list[Figure] | None = None

    @property
    def url(self) -> str:
        return _listing_url_pattern().replace(_URL_PLACEHOLDER, str(self.id))

    @property
    def website_url(self) -> str:
        """The website as a link target, only for a plain web address (imported data is not trusted)."""
        url = self.website.strip()
        if url.lower().startswith(("http://", "https://")) and " " not in url:
            return url
        if url and re.fullmatch(r"(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)+(/\S*)?", url, re.IGNORECASE):
            return f"http://{url}"
        return ""

    @property
    def admitting(self) -> bool | None:
        return self.profile.admitting if self.profile is not None else None

    @property
    def settings_text(self) -> str:
        labels = [codebook().label(c) for c in FACT_CODES["setting"] if c in self.codes and c != "TELE"]
        return "; ".join(labels)

    def facts(self) -> list[Fact]:
        return _live_facts(self) if self.live else _imported_facts(self)


_URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@functools.cache
def _listing_url_pattern() -> str:
    # One reverse() for the whole results page rather than one per result card.
    return reverse("directory:listing", args=[_URL_PLACEHOLDER])


def _date(day: date) -> str:
    return f"{day:%B %-d, %Y}"


# --- imported listings ------------------------------------------------------------------------------


def _imported(facility: Facility) -> Listing:
    run = facility.last_import
    read_on = timezone.localdate(run.started_at)
    as_of = f"; SAMHSA's data as of {run.source_as_of:%B %Y}" if run.source_as_of else ""
    return Listing(
        id=facility.pk,
        live=False,
        name=facility.name,
        name2=facility.name2,
        address=facility.address_line,
        city=facility.city,
        state=facility.state,
        phone=facility.phone,
        intake_phone=facility.intake_phone,
        website=facility.website,
        latitude=facility.latitude,
        longitude=facility.longitude,
        codes=facility.codes,
        source=f"{SAMHSA} survey answers, read into Bridge on {_date(read_on)}{as_of}",
        fact_source=f"{SAMHSA}, read {_date(read_on)}",
        facility=facility,
    )


def _labels(codes: Iterable[str], have: frozenset[str]) -> tuple[str, ...]:
    book = codebook()
    return tuple(book.label(c) for c in codes if c in have)


def _section_labels(listing: Listing, sections: Sequence[str]) -> tuple[str, ...]:
    assert listing.facility is not None
    return tuple(label for section, code, label in listing.facility.services if section in sections and code)


FACT_LABELS = {
    "setting": "Type of program",
    "schedule": "Schedule",
    "admitting": "Taking new people now",
    "accreditation": "Accreditation",
    "license": "Licensed or certified by",
    "staff": "Clinical staff with a checked, current license",
    "approaches": "Treatment approaches",
    "dual": "Mental health and substance use treated together",
    "mat": "Medication for addiction treatment",
    "aftercare": "Aftercare and support after the program",
    "payment": "Payment accepted",
    "languages": "Services in languages other than English",
    "ages": "Ages",
}
ASK = "Not listed in SAMHSA's data: ask the program"
UNKNOWN = "Not reported in SAMHSA's data"


def _imported_facts(listing: Listing) -> list[Fact]:
    have = listing.codes
    values: dict[str, tuple[str, ...]] = {key: _labels(codes, have) for key, codes in FACT_CODES.items()}
    values.update({key: _section_labels(listing, sections) for key, sections in FACT_SECTIONS.items()})
    empty = {
        "schedule": f"{UNKNOWN}: call to ask about evening and weekend groups",
        "admitting": f"{UNKNOWN}: call to ask about waiting times",
        "staff": UNKNOWN,
    }
    return [
        Fact(key, label, values.get(key, ()), listing.fact_source, empty.get(key, ASK))
        for key, label in FACT_LABELS.items()
    ]


def service_sections(facility: Facility) -> list[tuple[str, list[str]]]:
    """Every service of an imported facility as the source wrote it, grouped under SAMHSA's categories."""
    grouped: dict[str, list[str]] = defaultdict(list)
    for section, _code, label in facility.services:
        if label not in grouped[section]:
            grouped[section].append(label)
    return [(title, grouped[key]) for key, title in SECTIONS.items() if grouped.get(key)]


# --- live listings of programs on Bridge --------------------------------------------------------------


def _time(t) -> str:
    return f"{t:%-I:%M %p}".lower().replace(":00", "")


def _track_view(track: Track) -> TrackView:
    return TrackView(
        name=track.name,
        days=track.weekday_label,
        hours=f"{_time(track.start_time)} to {_time(track.end_time)}",
        evening=track.is_evening,
        weekend=track.is_weekend,
        modality=track.get_modality_display(),
        hours_per_week=f"{track.target_hours_per_week.normalize():f}",
        ages=track.get_age_group_display(),
    )


def _live_codes(
    listing: Listing, tracks: list[Track], profile: ProgramProfile, alumni: list[str]
) -> frozenset[str]:
    codes = {"SA", "IOP"}
    for t in tracks:
        if t.target_hours_per_week >= 20:
            codes.add("PHP")
        if t.modality != Track.Modality.IN_PERSON:
            codes.add("TELE")
        if t.is_evening:
            codes.add("EVE")
        if t.is_weekend:
            codes.add("WKND")
        codes.update(("CH_AD",) if t.age_group == Track.AgeGroup.ADOLESCENT else ADULT_AGES)
    codes.update(a.body for a in listing.accreditations)
    codes.update(lic.authority for lic in listing.licenses)
    codes.update(profile.approaches)
    codes.update(listing.curriculum)
    if profile.dual_diagnosis:
        codes.add("MHSU")
    codes.update(MEDICATIONS[m][1] for m in profile.medications if m in MEDICATIONS)
    if profile.accepts_outside_mat:
        codes.add("MOA")
    codes.update(AFTERCARE[a][1] for a in profile.aftercare if a in AFTERCARE)
    if alumni:
        codes.add("ALUM")
    codes.update(profile.payment)
    codes.update(profile.languages)
    return frozenset(codes)


def live_listings(
    program_ids: Iterable[uuid.UUID] | None = None,
    *,
    detail: bool = False,
    published_only: bool = True,
    today: date | None = None,
    near: tuple[geo.Place, float] | None = None,
) -> list[Listing]:
    """Listings of programs on Bridge, built from their records now. A fixed number of queries.

    `near=(place, miles)` keeps only programs within that distance, before reading their records.
    """
    today = today or timezone.localdate()
    chosen = ProgramProfile.objects.select_related("program__organization")
    if published_only:
        chosen = chosen.filter(published=True)
    if program_ids is not None:
        chosen = chosen.filter(program_id__in=list(program_ids))
    profiles = list(chosen)
    if near is not None:
        place, miles = near
        profiles = [p for p in profiles if _distance(place, p.program.zip_code) <= miles]
    if not profiles:
        return []
    ids = [p.program_id for p in profiles]
    tracks: dict[uuid.UUID, list[Track]] = defaultdict(list)
    for t in Track.objects.filter(program_id__in=ids, is_active=True).order_by("start_time", "name"):
        tracks[t.program_id].append(t)
    accreditations: dict[uuid.UUID, list[ProgramAccreditation]] = defaultdict(list)
    for a in ProgramAccreditation.objects.filter(
        program_id__in=ids, ended_at__isnull=True, expires_on__gte=today
    ):
        accreditations[a.program_id].append(a)
    licenses: dict[uuid.UUID, list[ProgramLicense]] = defaultdict(list)
    for lic in ProgramLicense.objects.filter(
        program_id__in=ids, ended_at__isnull=True, expires_on__gte=today
    ):
        licenses[lic.program_id].append(lic)
    items: dict[uuid.UUID, list[curriculum.CurriculumItem]] = defaultdict(list)
    for pid, name, description, category in (
        SessionType.objects.filter(program_id__in=ids, is_active=True)
        .order_by("name")
        .values_list("program_id", "name", "description", "category")
    ):
        items[pid].append(curriculum.CurriculumItem(name, description, category))
    staff = _verified_staff(ids, today) if detail else {}

    found = []
    for profile in profiles:
        program = profile.program
        centroid = geo.zip_centroid(program.zip_code)
        listing = Listing(
            id=program.pk,
            live=True,
            name=program.name,
            name2=program.organization.name if detail else "",
            address=program.address_line,
            city=program.city,
            state=program.state,
            phone=program.phone,
            intake_phone=profile.intake_phone,
            website=profile.website,
            latitude=centroid[0] if centroid else None,
            longitude=centroid[1] if centroid else None,
            source="Live from the program's own records in Bridge",
            program=program,
            profile=profile,
            tracks=[_track_view(t) for t in tracks[program.pk]],
            accreditations=accreditations[program.pk],
            licenses=licenses[program.pk],
            curriculum=curriculum.approaches(items[program.pk]),
        )
        listing.codes = _live_codes(
            listing, tracks[program.pk], profile, curriculum.has_alumni_group(items[program.pk])
        )
        if detail:
            kinds = staff.get(program.pk, {})
            listing.verified_staff = len(kinds)
            counts = Counter(k for user_kinds in kinds.values() for k in user_kinds)
            listing.verified_breakdown = [
                (credentials.BY_CODE[k].label, n)
                for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
            ]
        found.append(listing)
    return found


def _distance(place: geo.Place, zip_code: str) -> float:
    centroid = geo.zip_centroid(zip_code)
    return geo.haversine_miles(place.latitude, place.longitude, *centroid) if centroid else float("inf")


CLINICAL_KINDS = tuple(c.code for c in credentials.CREDENTIAL_TYPES if c.clinical)


def _verified_staff(program_ids: list[uuid.UUID], today: date) -> dict[uuid.UUID, dict[uuid.UUID, set[str]]]:
    """program -> staff member -> clinical credential types that are verified and not expired."""
    rows = (
        Credential.objects.filter(
            kind__in=CLINICAL_KINDS,
            verified_on__isnull=False,
            verified_on__lte=today,
            expires_on__gte=today,
            user__is_active=True,
            user__roles__program_id__in=program_ids,
        )
        .values_list("user__roles__program_id", "user_id", "kind")
        .distinct()
    )
    found: dict[uuid.UUID, dict[uuid.UUID, set[str]]] = defaultdict(lambda: defaultdict(set))
    for program_id, user_id, kind in rows:
        found[program_id][user_id].add(kind)
    return found


LIVE_SOURCES = {
    "setting": "Programs on Bridge run intensive outpatient care; other settings from its tracks' hours",
    "schedule": "The program's tracks in Bridge, live; times are local to the program",
    "recognition": "Entered by the program's director with number and expiry; expired ones are not shown",
    "staff": "Counted live from staff credentials the program has checked with the issuing board and "
    "that have not expired",
    "curriculum": "curriculum from the program's session types, live",
}


def _live_facts(listing: Listing) -> list[Fact]:
    profile = listing.profile
    assert profile is not None
    book = codebook()
    director = (
        f"Entered by the program's director, last changed {_date(timezone.localtime(profile.updated_at))}"
    )
    tracks = []
    for t in listing.tracks:
        when = " (evening)" if t.evening else " (weekend)" if t.weekend else ""
        tracks.append(
            f"{t.name}: {t.days}, {t.hours}{when}, {t.modality.lower()}, "
            f"about {t.hours_per_week} hours a week, {t.ages.lower()}"
        )
    settings = ["Intensive outpatient treatment"]
    if "PHP" in listing.codes:
        settings.append("Partial hospitalization/day treatment")
    if "TELE" in listing.codes:
        settings.append("Telehealth for some groups")
    accreditations = [
        f"{a.get_body_display()}, #{a.number}, valid until {_date(a.expires_on)}"
        for a in listing.accreditations
    ]
    licenses = [
        f"{lic.issuer} ({lic.get_authority_display().lower()}), #{lic.number}, "
        f"valid until {_date(lic.expires_on)}"
        for lic in listing.licenses
    ]
    staff = []
    if listing.verified_staff:
        staff.append(f"{listing.verified_staff} staff member{'s' if listing.verified_staff != 1 else ''}")
        staff.extend(f"{label}: {n}" for label, n in listing.verified_breakdown)
    approaches = [book.label(c) for c in profile.approaches]
    for code, names in listing.curriculum.items():
        approaches.append(f"{book.label(code)} (in the curriculum: {', '.join(names)})")
    meds = [MEDICATIONS[m][0] for m in profile.medications if m in MEDICATIONS]
    if profile.accepts_outside_mat:
        meds.append("Welcomes people on medication prescribed elsewhere")
    values: dict[str, list[str]] = {
        "setting": settings,
        "schedule": tracks,
        "admitting": [
            "Yes, taking new people now" if profile.admitting else "Not taking new people right now"
        ],
        "accreditation": accreditations,
        "license": licenses,
        "staff": staff,
        "approaches": approaches,
        "dual": ["Yes" if profile.dual_diagnosis else "No"],
        "mat": meds,
        "aftercare": [AFTERCARE[a][0] for a in profile.aftercare if a in AFTERCARE],
        "payment": [book.label(c) for c in profile.payment],
        "languages": [book.label(c) for c in profile.languages],
        "ages": sorted({t.ages for t in listing.tracks}),
    }
    sources = {
        "setting": LIVE_SOURCES["setting"],
        "schedule": LIVE_SOURCES["schedule"],
        "ages": LIVE_SOURCES["schedule"],
        "accreditation": LIVE_SOURCES["recognition"],
        "license": LIVE_SOURCES["recognition"],
        "staff": LIVE_SOURCES["staff"],
        "approaches": f"{director}; {LIVE_SOURCES['curriculum']}",
    }
    empty = {
        "schedule": "No groups scheduled right now",
        "ages": "No groups scheduled right now",
        "accreditation": "None on file",
        "license": "None on file",
        "staff": "None on file",
        "mat": "Not offered",
        "languages": "English only",
    }
    return [
        Fact(key, label, tuple(values[key]), sources.get(key, director), empty.get(key, "None listed"))
        for key, label in FACT_LABELS.items()
    ]


# --- one listing, several, and the search ---------------------------------------------------------------


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _facilities():
    """Facilities with the import run they were last read from, less what no page shows of it."""
    return Facility.objects.select_related("last_import").defer(
        "last_import__rejections", "last_import__unmapped_labels"
    )


def listing_for(listing_id: uuid.UUID, *, detail: bool = True) -> Listing | None:
    facility = _facilities().filter(pk=listing_id).first()
    if facility is not None:
        return _imported(facility)
    found = live_listings([listing_id], detail=detail)
    return found[0] if found else None


def listings_for(ids: Sequence[uuid.UUID], *, detail: bool = True) -> list[Listing]:
    """The listings for `ids` in the order given; unknown ids are left out."""
    by_id: dict[uuid.UUID, Listing] = {f.pk: _imported(f) for f in _facilities().filter(pk__in=ids)}
    missing = [i for i in ids if i not in by_id]
    if missing:
        by_id.update({x.id: x for x in live_listings(missing, detail=detail)})
    return [by_id[i] for i in ids if i in by_id]


@dataclass
class SearchResult:
    place: geo.Place
    radius: int
    needs: list[facets.Requirement]
    total: int
    page: int
    pages: int
    listings: list[Listing]
    live_only: bool  # a filter only programs on Bridge can meet was chosen


def search(
    *,
    place: geo.Place,
    radius: int,
    selected: dict[str, list[str]],
    include_mental_health_only: bool = False,
    page: int = 1,
) -> SearchResult:
    """Listings within `radius` miles of `place` that meet every chosen filter, nearest first.

    Imported facilities: a bounding box on the indexed coordinates and substring tests on the
    denormalized codes narrow the rows in SQL; the exact distance then decides. Programs on Bridge
    are few; their codes are built live and tested in Python.
    """
    needs = facets.requirements(selected)
    live_only = any(n.live_only for n in needs)
    hits: list[tuple[float, str, uuid.UUID]] = []
    if not live_only:
        min_lat, max_lat, min_lon, max_lon = geo.bounding_box(place.latitude, place.longitude, radius)
        rows = Facility.objects.filter(
            latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon)
        )
        if not include_mental_health_only:
            rows = rows.filter(treats_substance_use=True)
        for need in needs:
            any_code = Q()
            for code in sorted(need.codes):
                any_code |= Q(service_codes__contains=f" {code} ")
            rows = rows.filter(any_code)
        # Raw rows: turning a thousand ids into UUID objects would cost more than the distances.
        sql, params = rows.values_list("pk", "latitude", "longitude").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for pk, lat, lon in cursor.fetchall():
                distance = geo.haversine_miles(place.latitude, place.longitude, lat, lon)
                if distance <= radius:
                    hits.append((distance, str(pk), pk))
    live: dict[uuid.UUID, Listing] = {}
    for listing in live_listings(near=(place, radius)):
        if listing.latitude is None or listing.longitude is None:
            continue
        distance = geo.haversine_miles(place.latitude, place.longitude, listing.latitude, listing.longitude)
        if distance <= radius and facets.matches(listing.codes, needs):
            listing.distance = distance
            live[listing.id] = listing
            hits.append((distance, str(listing.id), listing.id))
    hits.sort(key=lambda hit: hit[:2])
    pages = max(1, -(-len(hits) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = [(distance, _as_uuid(pk)) for distance, _, pk in hits[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    wanted = [pk for _, pk in shown if pk not in live]
    facilities = {f.pk: f for f in _facilities().defer("services").filter(pk__in=wanted)}
    listings = []
    for distance, pk in shown:
        listing = live.get(pk) or _imported(facilities[pk])
        listing.distance = distance
        listings.append(listing)
    return SearchResult(place, radius, needs, len(hits), page, pages, listings, live_only)
