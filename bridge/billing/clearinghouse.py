"""Claims (837) and eligibility requests (270) leave through a pluggable clearinghouse;
settings.BRIDGE_CLEARINGHOUSE names the class.

A clearinghouse has one method, `send(kind, name, content) -> str`, returning where the file went,
and raises on failure. The default writes files to a folder (settings.BRIDGE_CLEARINGHOUSE_DIR,
one sub-folder per kind), like the console SMS sender: nothing leaves the machine. The memory one
keeps an outbox for tests. A real connection (SFTP to a clearinghouse, an API) is a small class
outside this module.
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


class Clearinghouse(Protocol):
    def send(self, kind: str, name: str, content: str) -> str: ...


class FolderClearinghouse:
    def send(self, kind: str, name: str, content: str) -> str:
        folder = Path(settings.BRIDGE_CLEARINGHOUSE_DIR) / kind
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(name).name
        path.write_text(content, encoding="ascii")
        return str(path)

    def send_file(self, kind: str, name: str, source: Path) -> str:
        """Move an already written file into the folder (a large 837 is never read back whole)."""
        folder = Path(settings.BRIDGE_CLEARINGHOUSE_DIR) / kind
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / Path(name).name
        shutil.move(source, path)
        return str(path)


outbox: list[tuple[str, str, str]] = []


class MemoryClearinghouse:
    """Keeps files in `bridge.billing.clearinghouse.outbox` (the test clearinghouse)."""

    def send(self, kind: str, name: str, content: str) -> str:
        outbox.append((kind, name, content))
        return f"memory:{kind}/{name}"


@cache
def _class(path: str) -> type:
    return import_string(path)


def clearinghouse() -> Clearinghouse:
    return _class(settings.BRIDGE_CLEARINGHOUSE)()


def send_file(kind: str, name: str, source: Path) -> str:
    """Send a file already on disk: moved as it is when the clearinghouse takes files
    (`send_file`), else read and sent with `send`."""
    house = clearinghouse()
    if hasattr(house, "send_file"):
        return house.send_file(kind, name, source)
    return house.send(kind, name, Path(source).read_text(encoding="ascii"))
