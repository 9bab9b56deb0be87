"""Moved to `bridge.core.measures` (the measures' contract lives in core, so apps that measure do not
import the directory). This alias keeps branches written against the old path working."""

from bridge.core.measures import *  # noqa: F403
