"""Fill and submit a page's real HTML form through the Django test client, for the crawl tests.

`submit(client, url, full=...)` opens the page, finds its form (the one posting back to the page,
or the one named), fills every field the page marks required (and, with `full=True`, every optional
field too) with a plausible value for its type, applies the caller's overrides, posts it and
returns the response. The values come from the form the page renders (its inputs, their types,
`required`, `min`/`max`, the options of its selects), so a field added to a form is filled without
touching the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from django.forms import BaseForm, BaseFormSet
from django.test import Client
from django.utils import timezone

TEXT = "Crawl entry: written through the form"


@dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea"
    required: bool = False
    value: str = ""
    checked: bool = False
    multiple: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # (value, selected)
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Form:
    action: str
    method: str
    attrs: dict[str, str]
    fields: list[Field] = field(default_factory=list)

    def names(self) -> set[str]:
        return {f.name for f in self.fields}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: list[Any] | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower(), attrs=a)
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            form.fields.append(
                Field(a["name"], kind, "required" in a, a.get("value", ""), "checked" in a, attrs=a)
            )
        elif tag == "select" and a.get("name"):
            self._select = Field(a["name"], "select", "required" in a, multiple="multiple" in a, attrs=a)
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option = [a.get("value"), "selected" in a, ""]
        elif tag == "textarea" and a.get("name"):
            self._textarea = Field(a["name"], "textarea", "required" in a, attrs=a)
            form.fields.append(self._textarea)
        elif tag == "button" and a.get("name"):
            form.fields.append(Field(a["name"], "button", False, a.get("value", ""), attrs=a))

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option" and self._option is not None and self._select is not None:
            value, selected, text = self._option
            self._select.options.append((text.strip() if value is None else value, selected))
            self._option = None
        elif tag == "textarea":
            self._textarea = None


def parse_forms(html: str) -> list[Form]:
    parser = _Parser()
    parser.feed(html)
    return parser.forms


def _value_for(f: Field) -> str:
    today = timezone.localdate()
    if f.kind == "date" and "birth" in f.name:
        return "1988-04-12"
    if f.kind == "date":
        low = f.attrs.get("min", "")
        return low if low > today.isoformat() else today.isoformat()
    ends = "end" in f.name or "until" in f.name or "to" in f.name.split("_")
    if f.kind == "datetime-local":
        moment = timezone.localtime() - timedelta(hours=1 if ends else 2)
        return moment.strftime("%Y-%m-%dT%H:%M")
    if f.kind == "time":
        return "20:00" if ends else "18:00"
    if f.kind == "number":
        return f.attrs.get("min") or "1"
    if f.kind == "email":
        return "crawl@example.org"
    if f.kind == "tel":
        return "510-555-0100"
    if f.kind == "url":
        return "https://example.org/crawl"
    if f.kind == "password":
        return "Crawl-password-2026-long"
    name = f.name.lower()
    if "zip" in name:
        return "94607"
    if name.endswith("state"):
        return "CA"
    if "phone" in name:
        return "510-555-0100"
    if "npi" in name:
        return "1234567893"
    # Each field its own words: a note whose parts read the same is refused as copied text.
    return f"{TEXT} ({f.name.replace('_', ' ')}, {len(f.name) * 7 % 97} minutes in)"


# Free text a person types: filled to its maximum length when every field is filled (a date, a
# number, an email or a phone number keeps its plausible value).
LONG_KINDS = ("text", "textarea", "search")
_WORDS = [
    "árbol",
    "niño",
    "Ünïcode",
    "日本",
    "emoji",
    "😀",
    "family",
    "👩\u200d👩\u200d👧",
    "sponsor",
    "meeting",
    "craving",
    "relapse",
    "coping",
    "sleep",
    "work",
    "children",
    "housing",
    "court",
    "probation",
    "medication",
    "counselling",
    "walk",
    "breathing",
    "call",
    "journal",
]


def longest(start: str, limit: int, name: str) -> str:
    """`start` padded with words to exactly `limit` characters; each field its own word order
    (so parts of a note never read the same), with accents, CJK and emoji counted as characters."""
    if any(word in name.lower() for word in ("zip", "state", "npi", "code", "phone", "number")):
        return start
    seed = sum(ord(c) for c in name)
    words, out, i = _WORDS, start, seed
    while len(out) < limit:
        out += " " + words[i % len(words)]
        i = i * 31 + 7
    return out[:limit]


def fill(form: Form, *, full: bool) -> dict[str, Any]:
    """POST data for `form`: required fields always, optional ones only when `full`."""
    data: dict[str, Any] = {}
    groups: dict[str, list[Field]] = {}
    for f in form.fields:
        groups.setdefault(f.name, []).append(f)
    for name, fields in groups.items():
        first = fields[0]
        required = any(f.required for f in fields)
        if first.kind in ("submit", "button", "reset", "file", "image"):
            continue
        if first.kind == "hidden":
            data[name] = first.value
        elif first.kind == "radio":
            chosen = [f.value for f in fields if f.checked]
            values = [f.value for f in fields if f.value != ""]
            if chosen and chosen[0] != "":
                data[name] = chosen[0]
            elif (required or full) and values:
                data[name] = values[0]
        elif first.kind == "checkbox":
            if len(fields) > 1:  # a multiple choice
                checked = [f.value for f in fields if f.checked]
                if full or required:
                    data[name] = checked or [fields[0].value]
                elif checked:
                    data[name] = checked
            elif full or required or first.checked:
                data[name] = first.value or "on"
        elif first.kind == "select":
            values = [v for v, _ in first.options if v != ""]
            selected = [v for v, s in first.options if s and v != ""]
            if first.multiple:
                if full or required:
                    data[name] = selected or values[:1]
            elif selected and (full or required):
                data[name] = selected[0]
            elif (full or required) and values:
                data[name] = values[0]
            elif any(v == "" for v, _ in first.options):
                data[name] = ""
            elif values:  # a browser always sends a plain select's value
                data[name] = selected[0] if selected else values[0]
        elif full or required:
            data[name] = first.value.strip() or _value_for(first)
            if first.attrs.get("maxlength", "").isdigit():
                limit = int(first.attrs["maxlength"])
                if full and first.kind in LONG_KINDS and not first.value.strip():
                    data[name] = longest(data[name], limit, name)
                data[name] = data[name][:limit]
            low = first.attrs.get("min", "")
            if first.kind == "number" and low and float(data[name]) < float(low):
                data[name] = low
            if first.kind == "number" and data[name] in ("0", "0.0", "0.00", low):
                # A zero or minimal count is rarely what a person types (a room of 0 seats).
                data[name] = "50" if "minutes" in name else "1"
        else:
            data[name] = ""
    return data


def form_errors(response) -> dict[str, Any]:
    """The errors of every bound form the response rendered (empty when there were none)."""
    found: dict[str, Any] = {}
    contexts = response.context or []
    for ctx in contexts if isinstance(contexts, list) else [contexts]:
        for key, value in ctx.flatten().items() if hasattr(ctx, "flatten") else []:
            if isinstance(value, BaseForm) and value.is_bound and value.errors:
                found[key] = value.errors.get_json_data()
            elif isinstance(value, BaseFormSet) and value.is_bound and not value.is_valid():
                found[key] = [f.errors.get_json_data() for f in value.forms] + [value.non_form_errors()]
    return found


def pick_form(forms: list[Form], url: str, want: str | None = None) -> Form:
    """The page's form that posts to `want` (or back to `url`), the one with most fields."""
    posts = [f for f in forms if f.method == "post"]
    target = want or url
    path = url.split("?")[0]
    matching = [
        f
        for f in posts
        if (f.action.split("?")[0] == target.split("?")[0]) or (want is None and f.action in ("", path))
    ]
    if not matching:
        raise AssertionError(f"no POST form to {target} on {url}: {[f.action for f in posts]}")
    return max(matching, key=lambda f: len(f.fields))


def submit(
    client: Client,
    url: str,
    *,
    full: bool,
    overrides: dict[str, Any] | None = None,
    action: str | None = None,
    expect_redirect: bool = True,
    essential: tuple[str, ...] = (),
    post_to: str | None = None,
):
    """Open `url`, fill its form, apply `overrides` (None drops a field), post it; return the response.

    `essential` names fields filled even with `full=False`: ones the form validates as required
    although the page does not mark them (a consent's legal elements, listed together when missing).
    `post_to` posts the form to another address, as a button's `formaction` does ("Sign and lock").

    Fails (AssertionError naming the errors) unless the post was accepted: a redirect, or with
    `expect_redirect=False` a page without form errors.
    """
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} answered {page.status_code}"
    form = pick_form(parse_forms(page.content.decode()), url, action)
    data = fill(form, full=full)
    if essential:
        every = fill(form, full=True)
        data.update({k: every[k] for k in essential if k in every})
    for key, value in (overrides or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    target = post_to or form.action or url
    response = client.post(target, data)
    assert response.status_code < 500, f"POST {target} answered {response.status_code}"
    errors = form_errors(response)
    if expect_redirect:
        assert response.status_code == 302, (
            f"POST {target} ({'full' if full else 'required only'}) was refused "
            f"({response.status_code}): {errors or response.content.decode()[:400]} with {data}"
        )
    else:
        assert response.status_code in (200, 302) and not errors, (
            f"POST {target} ({'full' if full else 'required only'}) was refused: {errors} with {data}"
        )
    return response
