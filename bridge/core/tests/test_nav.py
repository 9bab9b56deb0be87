"""The main navigation marks exactly one entry as the current page: the most specific link."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_only_the_most_specific_menu_entry_is_current(world, login):
    client = login(world.director)
    html = client.get(reverse("scheduling:week")).content.decode()
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', html)
    assert current == [(reverse("scheduling:week"), "Week")]
    assert reverse("planner:home") != reverse("scheduling:week")
    html = client.get(reverse("planner:home")).content.decode()
    assert re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', html) == [
        (reverse("planner:home"), "Schedule")
    ]
