"""Validate and read X12 files with pyx12 (the HIPAA X12 validator): never a hand-written validator.

`problems(text)` runs pyx12's full implementation-guide validation (837P X222A1, 837I X223A2, 835
X221A1: the maps pyx12 ships) and returns each error with its segment and reason. pyx12 4 ships no
5010 map for 270/271 (X279A1); for those `problems` checks the envelope and segment syntax with
pyx12's X12 reader (ISA/GS/ST counts and control numbers, element separators), which is what the
library can check. `segments(text)` reads any X12 file into (segment id, elements) pairs with the
same reader.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyx12.error_handler
import pyx12.errors
import pyx12.params
import pyx12.x12file
import pyx12.x12n_document

# pyx12 reports some errors (element-level ones such as "ST03 is marked as Not Used") only through its
# logger: collect them while validating, and keep them off the console.
_log = logging.getLogger("pyx12")
_log.propagate = False
_log.setLevel(logging.ERROR)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


FULL_MAPS = {"005010X222A1", "005010X223A2", "005010X221A1", "005010X231A1", "005010X214"}


@dataclass(frozen=True)
class X12Problem:
    segment: str  # e.g. "CLM" or "line 12"
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.segment}: {self.message}" + (f" ({self.code})" if self.code else "")


class X12Error(ValueError):
    """A file that is not a valid X12 file of the kind expected; `problems` say where and why."""

    def __init__(self, problems: list[X12Problem]):
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems[:5]))


def _walk(node, seg_id: str, found: list[X12Problem]) -> None:
    if isinstance(node, dict):
        here = node.get("seg_id") or node.get("id") or seg_id
        for err in node.get("errors", []) or []:
            if isinstance(err, dict):
                found.append(
                    X12Problem(
                        str(err.get("seg_id") or here or "file"),
                        str(err.get("err_cde") or err.get("code") or ""),
                        str(err.get("err_str") or err.get("message") or err),
                    )
                )
        for value in node.values():
            if isinstance(value, dict | list):
                _walk(value, here, found)
    elif isinstance(node, list):
        for item in node:
            _walk(item, seg_id, found)


def _where(message: str) -> tuple[str, str]:
    """("line N", "") from a pyx12 log message such as "Line:3 ELE:10 - ..."."""
    head = message.split(" ", 1)[0]
    return (head.replace("Line:", "line ") if head.startswith("Line:") else "file", "")


def _version(text: str) -> str:
    return _version_from(io.StringIO(text))


def _version_from(stream) -> str:
    try:
        for seg in pyx12.x12file.X12Reader(stream):
            if seg.get_seg_id() == "GS":
                return seg.get_value("GS08") or ""
    except pyx12.errors.X12Error:
        return ""
    return ""


def problems(text: str) -> list[X12Problem]:
    """Every error pyx12 finds in `text` (an empty list: the file is valid)."""
    return _problems(text[:3], _version(text), lambda: io.StringIO(text), text)


def file_problems(path: str | Path) -> list[X12Problem]:
    """`problems` for a file on disk, read by pyx12 as a stream (a large 837 is never loaded whole)."""
    with open(path, encoding="ascii", errors="replace") as head:
        start = head.read(3)
        head.seek(0)
        version = _version_from(head)
    with open(path, encoding="ascii", errors="replace") as src:
        return _problems(start, version, lambda: src, None, path=path)


def _problems(start: str, version: str, source, text: str | None, path=None) -> list[X12Problem]:
    if start != "ISA":
        return [X12Problem("ISA", "", "The file does not start with an ISA interchange header")]
    if version in FULL_MAPS:
        fd_json = io.StringIO()
        param = pyx12.params.params()
        collect = _Collect()
        _log.addHandler(collect)
        try:
            ok = pyx12.x12n_document.x12n_document(
                param=param, src_file=source(), fd_997=None, fd_html=None, fd_json=fd_json
            )
        except (pyx12.errors.X12Error, pyx12.errors.EngineError) as exc:
            return [X12Problem("file", "", str(exc))]
        finally:
            _log.removeHandler(collect)
        found: list[X12Problem] = [X12Problem(*_where(m), m) for m in collect.messages]
        if fd_json.getvalue():
            _walk(json.loads(fd_json.getvalue()), "", found)
        if not ok and not found:
            found.append(X12Problem("file", "", "pyx12 reports the file invalid"))
        return found
    if text is None:
        text = Path(path).read_text(encoding="ascii", errors="replace")
    return _syntax_problems(text)


def _syntax_problems(text: str) -> list[X12Problem]:
    errh = pyx12.error_handler.err_handler()
    found: list[X12Problem] = []
    try:
        src = pyx12.x12file.X12Reader(io.StringIO(text))
        for seg in src:
            for err in src.pop_errors():
                found.append(X12Problem(seg.get_seg_id(), str(err[1]), str(err[2])))
        src.cleanup()
        for err in src.pop_errors():
            found.append(X12Problem("envelope", str(err[1]), str(err[2])))
    except pyx12.errors.X12Error as exc:
        found.append(X12Problem("file", "", str(exc)))
    del errh
    return found


def segments(text: str) -> Iterator[tuple[str, list[str]]]:
    """(segment id, [element values]) for every segment, read by pyx12's X12 reader."""
    try:
        src = pyx12.x12file.X12Reader(io.StringIO(text))
        for seg in src:
            seg_id = seg.get_seg_id()
            values = [seg.get_value(f"{seg_id}{i:02d}") or "" for i in range(1, len(seg) + 1)]
            yield seg_id, values
    except pyx12.errors.X12Error as exc:
        raise X12Error([X12Problem("file", "", str(exc))]) from exc


def require_valid(text: str, expected: set[str] | None = None) -> None:
    """Raise X12Error unless `text` is valid (and of an expected GS08 version when given)."""
    if expected is not None:
        version = _version(text)
        if version not in expected:
            raise X12Error(
                [X12Problem("GS", "", f"Expected {' or '.join(sorted(expected))}, got {version or 'none'}")]
            )
    found = problems(text)
    if found:
        raise X12Error(found)
