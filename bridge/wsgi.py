"""The WSGI application, imported by web servers only (gunicorn in each worker, runserver).

After Django is set up, each app's `warmup.warm()` (when it has one) loads what every request would
otherwise load lazily on its first use (the directory's ZIP table, for one), so the first request a
worker serves is not the slow one. Then everything loaded so far, which lives as long as the worker,
is moved out of the garbage collector's way (`gc.freeze()`): a full collection, which comes every few
dozen busy requests, then scans only what requests made (on the Today board at scale 50: ~150 ms →
~3 ms; docs/benchmarks.md). Tests and `manage.py` commands do not import this module.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridge.settings")
application = get_wsgi_application()


def _warm() -> None:
    from bridge.core.registry import discover

    for warm in discover("warmup", "warm"):
        warm()


_warm()
gc.freeze()
