"""The hostile-input walk (issue 21): find every form a page shows, every JSON API operation (from the
OpenAPI document) and every FHIR search parameter (from the CapabilityStatement), and the values to
throw at them: boundary dates, NUL bytes, a megabyte of text, right-to-left text and emoji.

Used by bridge/core/tests/test_hostile_walk.py; kept here so the walk's pieces can be read (and
reused by a load or fault harness) apart from its assertions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models.functions import Length

ANCIENT, FAR = "0001-01-01", "9999-12-31"
NUL = "before\x00after"
HUGE = "x" * 1_000_000  # one megabyte of text
# Right-to-left override, Arabic and Hebrew, mixed with digits.
RTL = "\u202eنص تجريبي\u202c עברית 123 \u200f"
# ZWJ sequences (family, rainbow flag, woman technologist), an astral letter, a flag and a skin tone.
EMOJI = (
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466 \U0001f3f3\ufe0f\u200d\U0001f308 "
    "\U0001f469\U0001f3fd\u200d\U0001f4bb \U0001d518\U0001d52b\U0001d526 \U0001f1fa\U0001f1f8 \U0001f600"
)

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
TEXT_TYPES = {"text", "search", "textarea", "email", "tel", "url", ""}
DATE_TYPES = {"date": "", "datetime-local": "T23:59"}


@dataclass
class Field:
    name: str
    kind: str  # the input type, "textarea" or "select"
    value: str = ""
    maxlength: int | None = None


@dataclass
class Form:
    page: str  # where the form was found
    method: str  # "get" or "post"
    action: str
    fields: list[Field] = field(default_factory=list)
    submit: tuple[str, str] | None = None  # the first named submit button
    multipart: bool = False

    @property
    def key(self) -> tuple[str, str, tuple[str, ...]]:
        """Forms of the same shape on the same kind of page are walked once."""
        return (self.method, UUID.sub("<id>", self.action), tuple(sorted({f.name for f in self.fields})))

    def base(self) -> dict[str, str | list[str]]:
        """The values as the page shows them (what a person would send by pressing the button)."""
        data: dict[str, str | list[str]] = {}
        for f in self.fields:
            if f.name in data:
                if f.kind == "checkbox":
                    existing = data[f.name]
                    data[f.name] = [*(existing if isinstance(existing, list) else [existing]), f.value]
                continue
            data[f.name] = f.value
        if self.submit:
            data[self.submit[0]] = self.submit[1]
        return data

    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind in TEXT_TYPES]

    def date_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind in DATE_TYPES]

    def variants(self) -> Iterator[tuple[str, dict[str, str | list[str]]]]:
        """(name, data) of each hostile submission of this form."""
        dates, texts = self.date_fields(), self.text_fields()
        for label, day in (("year 1", ANCIENT), ("year 9999", FAR)):
            if dates:
                yield label, {**self.base(), **{f.name: day + DATE_TYPES[f.kind] for f in dates}}
        if not texts:
            return
        for label, value in (("NUL", NUL), ("1 MB", HUGE), ("RTL", RTL), ("emoji", EMOJI)):
            yield label, {**self.base(), **{f.name: value for f in texts}}
        limited = [f for f in texts if f.maxlength]
        if limited:
            over = {f.name: "é" * (f.maxlength + 1) for f in limited if f.maxlength}
            yield "over maxlength", {**self.base(), **over}


class _FormParser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._textarea: Field | None = None
        self._select: Field | None = None
        self._select_first: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(
                page=self.page,
                method=(a.get("method") or "get").lower(),
                action=a.get("action") or self.page,
                multipart="multipart" in a.get("enctype", ""),
            )
            return
        if tag == "option" and self._select is not None:
            value = a.get("value", "")
            if "selected" in a:
                self._select.value, self._select_first = value, "chosen"
            elif self._select_first is None and value:
                self._select.value, self._select_first = value, "first"
            return
        form = self._form
        if form is None or not a.get("name") or "disabled" in a:
            return
        maxlength = int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image"):
                if form.submit is None:
                    form.submit = (a["name"], a.get("value", ""))
            elif kind in ("checkbox", "radio"):
                if "checked" in a:
                    form.fields.append(Field(a["name"], kind, a.get("value", "on")))
            elif kind != "file":
                form.fields.append(Field(a["name"], kind, a.get("value", ""), maxlength))
        elif tag == "button" and a.get("type", "submit") == "submit":
            if form.submit is None:
                form.submit = (a["name"], a.get("value", ""))
        elif tag == "textarea":
            self._textarea = Field(a["name"], "textarea", "", maxlength)
        elif tag == "select":
            self._select = Field(a["name"], "select")
            self._select_first = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append(self._textarea)
            self._textarea = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.fields.append(self._select)
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def forms_on(page: str, html: str) -> list[Form]:
    parser = _FormParser(page)
    parser.feed(html)
    return parser.forms


# --- The JSON API (OpenAPI) --------------------------------------------------------------------------


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its $ref (and a nullable anyOf's non-null branch) followed."""
    while True:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[-1]
            schema = spec["components"]["schemas"][name]
        elif "anyOf" in schema or "oneOf" in schema:
            options = [s for s in schema.get("anyOf", schema.get("oneOf", [])) if s.get("type") != "null"]
            schema = options[0] if options else {}
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def sample(spec: dict[str, Any], schema: dict[str, Any], name: str, known: dict[str, str]) -> Any:
    """A plausible value for a schema (a known id where the name says what it refers to)."""
    schema = resolve(spec, schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind, fmt = schema.get("type"), schema.get("format", "")
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        return {k: sample(spec, v, k, known) for k, v in props.items()}
    if kind == "array":
        return [sample(spec, schema.get("items", {}), name, known)]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if fmt == "uuid" or name in known:
        return known.get(name, "00000000-0000-4000-8000-000000000000")
    if fmt == "date":
        return known.get("date", "2026-01-05")
    if fmt == "date-time":
        return known.get("moment", "2026-01-05T10:00:00Z")
    return "text"


def leaves(spec: dict[str, Any], schema: dict[str, Any], path: tuple = ()) -> Iterator[tuple[tuple, str]]:
    """(path, "date" | "text") of each date or string leaf of a body."""
    schema = resolve(spec, schema)
    if schema.get("type") == "object" or "properties" in schema:
        for k, v in schema.get("properties", {}).items():
            yield from leaves(spec, v, (*path, k))
    elif schema.get("type") == "array":
        yield from leaves(spec, schema.get("items", {}), (*path, 0))
    elif schema.get("type") == "string" and "enum" not in schema:
        fmt = schema.get("format", "")
        if fmt in ("date", "date-time"):
            yield path, fmt
        elif fmt != "uuid":
            yield path, "text"


def put(body: Any, path: tuple, value: Any) -> None:
    for step in path[:-1]:
        body = body[step]
    body[path[-1]] = value


# --- What is stored ----------------------------------------------------------------------------------


def text_beyond_limits() -> list[str]:
    """Every text column holding a value longer than its field's max_length ("app.Model.field: n")."""
    found = []
    for model in apps.get_models():
        if not model.__module__.startswith("bridge.") or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, models.CharField | models.TextField) and f.max_length:
                n = model._base_manager.annotate(_n=Length(f.name)).filter(_n__gt=f.max_length).count()
                if n:
                    found.append(f"{model._meta.label}.{f.name}: {n}")
    return found
