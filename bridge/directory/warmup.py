"""Tables the public directory search reads on every request, loaded once per process.

`bridge/wsgi.py` calls `warm()` when a web worker starts (gunicorn imports the WSGI application in
each worker after forking), so a worker's first directory search no longer pays for parsing the ZIP
table of the `zipcodes` wheel and the SAMHSA code book. Tests and `manage.py` commands never import
`bridge.wsgi`, so they keep loading these lazily, only when they need them.
"""

from __future__ import annotations


def warm() -> None:
    from bridge.directory import codes, geo, quality

    geo._index()
    codes.codebook()
    quality.registered_measures()
