"""Reading SAMHSA FindTreatment.gov facility files into plain records. Plain Python, no Django.

Three formats, recognised by their content:

* **label CSV** — the FindTreatment directory extract: `Name, City, State, ZIP, Phone, Address,
  Website, Latitude, Longitude, ..., All Services` where `All Services` is a `; `-joined list of
  service *labels* in SAMHSA's category order.
* **locator JSON** — the locator API's response `{"rows": [...]}` (or a bare list of rows); each
  row has `frid` (SAMHSA's stable facility id), `name1`, `street1`, ..., `latitude`/`longitude`
  as strings and `services: [{f1: category name, f2: category code, f3: "a; b; c"}]`.
* **code CSV** — the annual National Directory layout: `name1, name2, street1, street2, city,
  state, zip, phone, intake1, ..., service_code_info` with space-separated service *codes* and
  ` * ` between category groups (any code generation: `OIT` is read as `IOP`). It carries no
  coordinates, so facilities are placed at their ZIP code's center.

Each row becomes a `Record` or a `Rejection` naming its line and the reason; one bad row never
stops the rest. The CSV formats carry no facility id, so one is derived from the name, ZIP code and
coordinates (sites sharing all three are numbered in file order, which a re-import of the same file
repeats); the JSON format's `frid` is used as it is.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bridge.directory import geo
from bridge.directory.codes import API_CATEGORIES, CodeBook, codebook

MAX_FIELD = {"name": 200, "name2": 200, "street": 200, "city": 100, "phone": 40, "website": 300}


class Format:
    LABEL_CSV = "label_csv"
    LOCATOR_JSON = "locator_json"
    CODE_CSV = "code_csv"

    LABELS = {
        LABEL_CSV: "FindTreatment directory CSV (service labels)",
        LOCATOR_JSON: "FindTreatment locator API JSON",
        CODE_CSV: "National Directory CSV (service codes)",
    }


class FileError(ValueError):
    """The whole file cannot be read (not a format we know, or broken JSON)."""


@dataclass
class Record:
    line: int
    source_key: str
    name: str
    name2: str = ""
    street: str = ""
    city: str = ""
    state: str = ""
    zip_code: str = ""
    phone: str = ""
    intake_phone: str = ""
    website: str = ""
    latitude: float = 0.0
    longitude: float = 0.0
    located_by_zip: bool = False
    type_facility: str = ""
    services: list[tuple[str, str, str]] = field(default_factory=list)  # (section, code or "", label)

    @property
    def codes(self) -> list[str]:
        return sorted({code for _, code, _ in self.services if code})

    @property
    def unmapped(self) -> list[str]:
        return [label for _, code, label in self.services if not code]

    def fingerprint(self) -> str:
        """A hash of everything stored, to tell an unchanged row from an updated one."""
        data = [
            self.name, self.name2, self.street, self.city, self.state, self.zip_code, self.phone,
            self.intake_phone, self.website, round(self.latitude, 6), round(self.longitude, 6),
            self.located_by_zip, self.type_facility, self.services,
        ]  # fmt: skip
        return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()


@dataclass(frozen=True)
class Rejection:
    line: int
    reason: str
    name: str = ""


@dataclass
class Parsed:
    format: str
    rows: int = 0
    records: list[Record] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    unmapped: Counter = field(default_factory=Counter)


class RowError(ValueError):
    pass


def parse_file(path: Path) -> Parsed:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FileError(f"{path.name} is not UTF-8 text ({exc.reason} at byte {exc.start}).") from exc
    return parse_text(text, name=path.name)


def parse_text(text: str, *, name: str = "input") -> Parsed:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        parsed = Parsed(Format.LOCATOR_JSON)
        rows = _json_rows(text, name)
    else:
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, None)
        columns = [h.strip() for h in header or []]
        if "All Services" in columns:
            parsed = Parsed(Format.LABEL_CSV)
        elif "service_code_info" in columns:
            parsed = Parsed(Format.CODE_CSV)
        else:
            raise FileError(
                f"{name}: not a format Bridge reads. Expected a FindTreatment CSV with an 'All Services' "
                "column, a National Directory CSV with 'service_code_info', or locator API JSON."
            )
        rows = _csv_rows(text)
    book = codebook()
    seen_keys: dict[str, int] = {}
    seen_rows: dict[int, int] = {}
    occurrences: Counter = Counter()
    for line, row in rows:
        parsed.rows += 1
        try:
            if not isinstance(row, dict):
                raise RowError("the row is not an object with named fields")
            record = _RECORD_READERS[parsed.format](row, line, book)
        except RowError as exc:
            parsed.rejections.append(Rejection(line, str(exc), _row_name(row)))
            continue
        identity = hash(tuple(sorted((str(k), str(v)) for k, v in row.items())))
        if identity in seen_rows:
            parsed.rejections.append(
                Rejection(line, f"repeats line {seen_rows[identity]} exactly", record.name)
            )
            continue
        seen_rows[identity] = line
        if not record.source_key:
            base = _derived_key(record)
            occurrences[base] += 1
            record.source_key = base if occurrences[base] == 1 else f"{base}-{occurrences[base]}"
        if record.source_key in seen_keys:
            parsed.rejections.append(
                Rejection(
                    line,
                    f"facility id {record.source_key} is already on line {seen_keys[record.source_key]}",
                    record.name,
                )
            )
            continue
        seen_keys[record.source_key] = line
        parsed.unmapped.update(record.unmapped)
        parsed.records.append(record)
    return parsed


def _row_name(row: object) -> str:
    if isinstance(row, dict):
        return str(row.get("Name") or row.get("name1") or "")[:200]
    return ""


# --- rows of each format --------------------------------------------------------------------------


def _csv_rows(text: str) -> Iterator[tuple[int, dict]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    start = 2
    for row in reader:
        # line_num is where the record *ends*; a quoted field may span lines. Report where it starts.
        yield start, row
        start = reader.line_num + 1


_WS = re.compile(r"\s*")


def _skip_ws(text: str, pos: int) -> int:
    """The first position at or after `pos` that is not white space."""
    match = _WS.match(text, pos)  # `\s*` matches everywhere, if only the empty string
    return match.end() if match else pos


def _json_rows(text: str, name: str) -> Iterator[tuple[int, object]]:
    """Yield (line, row) for each element of the rows array, with the line the element starts on."""
    decoder = json.JSONDecoder()
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise FileError(f"{name}: broken JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}.") from exc
    pos = _skip_ws(text, 0)
    if text[pos] == "{":
        pos = _find_rows_array(text, pos, decoder, name)
    pos += 1  # past "["
    line, counted_to = 1, 0
    while True:
        pos = _skip_ws(text, pos)
        if text[pos] == "]":
            return
        row, end = decoder.raw_decode(text, pos)
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        yield line, row
        pos = _skip_ws(text, end)
        if text[pos] == ",":
            pos += 1


def _find_rows_array(text: str, pos: int, decoder: json.JSONDecoder, name: str) -> int:
    pos += 1
    while True:
        pos = _skip_ws(text, pos)
        if text[pos] == "}":
            raise FileError(f"{name}: the JSON object has no 'rows' list.")
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos) + 1  # past ":"
        pos = _skip_ws(text, pos)
        if key == "rows":
            if text[pos] != "[":
                raise FileError(f"{name}: 'rows' is not a list.")
            return pos
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if text[pos] == ",":
            pos += 1


# --- fields -----------------------------------------------------------------------------------------


def _text(row: dict, key: str, limit: int = 200) -> str:
    value = row.get(key)
    if value is None:
        return ""
    if not isinstance(value, str | int | float):
        raise RowError(f"{key} is not text")
    return re.sub(r"\s+", " ", str(value)).strip()[:limit]


def _state(value: str) -> str:
    state = value.strip().upper()
    if state not in geo.STATES:
        raise RowError(
            f"state '{value}' is not a US state or territory code" if value else "the state is missing"
        )
    return state


def _zip(value: str) -> str:
    match = re.fullmatch(r"(\d{5})(?:-?\d{4})?", value.strip())
    if not match:
        raise RowError(f"ZIP code '{value}' is not five digits" if value else "the ZIP code is missing")
    return match.group(1)


def _coordinate(value: object, name: str, low: float, high: float) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise RowError(f"{name} '{value}' is not a number") from None
    if not low <= number <= high:
        raise RowError(f"{name} {number} is outside the United States")
    return number


def _place(record: Record, lat_raw: object, lon_raw: object) -> None:
    lat = _coordinate(lat_raw, "latitude", -15.0, 72.0)
    lon = _coordinate(lon_raw, "longitude", -180.0, 180.0)
    if lon is not None and not (lon <= -64.0 or lon >= 144.0):
        raise RowError(f"longitude {lon} is outside the United States")
    if lat is None or lon is None or (lat == 0 and lon == 0):
        centroid = geo.zip_centroid(record.zip_code)
        if centroid is None:
            raise RowError(f"no coordinates, and ZIP code {record.zip_code} is not one we can place")
        lat, lon = centroid
        record.located_by_zip = True
    record.latitude, record.longitude = lat, lon


def _derived_key(record: Record) -> str:
    basis = "|".join(
        [record.name.casefold(), record.zip_code, f"{record.latitude:.5f}", f"{record.longitude:.5f}"]
    )
    return "d-" + hashlib.sha1(basis.encode(), usedforsecurity=False).hexdigest()[:32]


def _base(
    row: dict, line: int, *, name: str, name2: str, street: str, city: str, state: str, zip_: str
) -> Record:
    record = Record(line=line, source_key="", name=_text(row, name, MAX_FIELD["name"]))
    if not record.name:
        raise RowError("the facility name is missing")
    record.name2 = _text(row, name2, MAX_FIELD["name2"])
    record.street = _text(row, street, MAX_FIELD["street"])
    record.city = _text(row, city, MAX_FIELD["city"])
    record.state = _state(_text(row, state, 10))
    record.zip_code = _zip(_text(row, zip_, 12))
    return record


def _labels(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _label_services(
    labels: list[str], book: CodeBook, sections: tuple[str, ...] = ()
) -> list[tuple[str, str, str]]:
    services: list[tuple[str, str, str]] = []
    previous: str | None = sections[0] if sections else None
    for label in labels:
        code = book.resolve_label(label, sections, previous)
        if code:
            previous = book.section(code)
            services.append((previous, code, label))
        else:
            services.append(("unmapped", "", label))
    return services


def _read_label_csv(row: dict, line: int, book: CodeBook) -> Record:
    record = _base(row, line, name="Name", name2="", street="Address", city="City", state="State", zip_="ZIP")
    record.phone = _text(row, "Phone", MAX_FIELD["phone"])
    record.website = _text(row, "Website", MAX_FIELD["website"])
    _place(record, row.get("Latitude"), row.get("Longitude"))
    if row.get("All Services") is None:
        raise RowError("the row has fewer columns than the header")
    record.services = _label_services(_labels(row["All Services"]), book)
    return record


def _read_locator_json(row: dict, line: int, book: CodeBook) -> Record:
    record = _base(
        row, line, name="name1", name2="name2", street="street1", city="city", state="state", zip_="zip"
    )
    street2 = _text(row, "street2")
    if street2:
        record.street = f"{record.street}, {street2}"[: MAX_FIELD["street"]]
    record.source_key = _text(row, "frid", 100)
    record.phone = _text(row, "phone", MAX_FIELD["phone"])
    record.intake_phone = _text(row, "intake1", MAX_FIELD["phone"])
    record.website = _text(row, "website", MAX_FIELD["website"])
    record.type_facility = _text(row, "type_facility", 10) or _text(row, "typeFacility", 10)
    _place(record, row.get("latitude"), row.get("longitude"))
    services = row.get("services") or []
    if not isinstance(services, list):
        raise RowError("services is not a list")
    for i, entry in enumerate(services):
        if not isinstance(entry, dict) or not isinstance(entry.get("f3", ""), str):
            raise RowError(f"services[{i}] is not a {{f1, f2, f3}} entry")
        sections = API_CATEGORIES.get(str(entry.get("f2", "")).strip(), ())
        record.services.extend(_label_services(_labels(entry.get("f3") or ""), book, sections))
    return record


def _read_code_csv(row: dict, line: int, book: CodeBook) -> Record:
    record = _base(
        row, line, name="name1", name2="name2", street="street1", city="city", state="state", zip_="zip"
    )
    street2 = _text(row, "street2")
    if street2:
        record.street = f"{record.street}, {street2}"[: MAX_FIELD["street"]]
    record.phone = _text(row, "phone", MAX_FIELD["phone"])
    record.intake_phone = _text(row, "intake1", MAX_FIELD["phone"])
    record.website = _text(row, "website", MAX_FIELD["website"])
    _place(record, row.get("latitude"), row.get("longitude"))
    info = row.get("service_code_info")
    if info is None:
        raise RowError("the row has fewer columns than the header")
    for group in info.split("*"):
        raw_codes = group.split()
        # The group's section is the one most of its codes belong to; it decides codes whose
        # letters changed meaning between generations (MI in a payment group is military insurance).
        votes = Counter(book.section(c) for c in map(book.resolve_code, raw_codes) if c)
        section = votes.most_common(1)[0][0] if votes else None
        for raw in raw_codes:
            record.services.append(book.service(raw, section))
    return record


_RECORD_READERS = {
    Format.LABEL_CSV: _read_label_csv,
    Format.LOCATOR_JSON: _read_locator_json,
    Format.CODE_CSV: _read_code_csv,
}
