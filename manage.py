#!/usr/bin/env python
"""Django's manage.py, kept for habit; `bridge` does the same."""

from bridge.cli import main

if __name__ == "__main__":
    main()
