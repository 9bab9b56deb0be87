"""Writing X12 5010 interchanges: the envelope (ISA/GS/ST … SE/GE/IEA) around transaction segments.

Segments are lists of elements; composites are joined with ':' and segments end with '~'. Text is
upper-cased and stripped of the delimiters so a name like "O'Neil~" cannot break the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import datetime

_BAD = re.compile(r"[~*:^\n\r]")


def clean(value: object, limit: int | None = None) -> str:
    text = _BAD.sub(" ", str(value if value is not None else "")).upper().strip()
    return text[:limit] if limit else text


def segment(*elements: object) -> str:
    parts = [str(e) for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return "*".join(parts) + "~"


def interchange(
    *,
    sender: str,
    receiver: str,
    functional_id: str,
    version: str,
    transaction: str,
    control: int,
    body: Iterable[list[object]],
    when: datetime,
    production: bool = False,
) -> str:
    """One interchange with one functional group and one transaction set around `body` segments."""
    return "".join(
        interchange_segments(
            sender=sender,
            receiver=receiver,
            functional_id=functional_id,
            version=version,
            transaction=transaction,
            control=control,
            body=body,
            when=when,
            production=production,
        )
    )


def interchange_segments(
    *,
    sender: str,
    receiver: str,
    functional_id: str,
    version: str,
    transaction: str,
    control: int,
    body: Iterable[list[object]],
    when: datetime,
    production: bool = False,
) -> Iterator[str]:
    """The interchange as segment strings, one at a time: `body` is read lazily and the SE count is
    kept as it goes, so a large file can be written without ever being held in memory."""
    st = f"{control % 10000:04d}"
    yield (
        f"ISA*00*{'':10}*00*{'':10}*ZZ*{clean(sender, 15):<15}*ZZ*{clean(receiver, 15):<15}*"
        f"{when:%y%m%d}*{when:%H%M}*^*00501*{control:09d}*0*{'P' if production else 'T'}*:~"
    )
    yield segment(
        "GS",
        functional_id,
        clean(sender, 15),
        clean(receiver, 15),
        f"{when:%Y%m%d}",
        f"{when:%H%M}",
        control,
        "X",
        version,
    )
    yield segment("ST", transaction, st, version)
    count = 1
    for elements in body:
        yield segment(*elements)
        count += 1
    yield segment("SE", count + 1, st)
    yield segment("GE", 1, control)
    yield segment("IEA", 1, f"{control:09d}")
