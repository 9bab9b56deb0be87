"""A web worker loads the directory's ZIP table when it starts; other processes load it on first use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PROBE = (
    "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bridge.settings'); {load}; "
    "from bridge.directory import geo; print(geo._index.cache_info().currsize)"
)


def _loaded_after(load: str) -> str:
    env = {**os.environ, "DATABASE_URL": "sqlite:///:memory:", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(load=load)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_the_wsgi_application_warms_the_zip_table_and_plain_setup_does_not():
    assert _loaded_after("import bridge.wsgi") == "1"
    assert _loaded_after("django.setup()") == "0"
