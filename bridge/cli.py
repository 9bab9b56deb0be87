"""The `bridge` console command: Django's management commands under one short name.

`bridge serve`, `bridge demo`, `bridge audit verify`, `bridge worker`, and every Django command
(`bridge migrate`, `bridge check --deploy`, ...).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridge.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else argv)
    args[0] = "bridge"
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")  # `bridge check-records` is the command check_records
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
