"""Small helpers for writing definitions as data."""

from __future__ import annotations

from bridge.instruments.model import Band, BandScheme, Option, ScoringSettings, Sex


def options(*pairs: tuple[int, str]) -> tuple[Option, ...]:
    """Options whose entered value is also their points (every item except reverse-scored ones)."""
    return tuple(Option(value=v, label=label, points=v) for v, label in pairs)


def scale(low: int, high: int, anchors: dict[int, str]) -> tuple[Option, ...]:
    """A numeric rating scale low..high; anchored points get a short word, the rest just the number."""
    return tuple(
        Option(value=v, label=f"{v}: {anchors[v]}" if v in anchors else str(v), points=v)
        for v in range(low, high + 1)
    )


def static_bands(*bands: Band) -> BandScheme:
    frozen = tuple(bands)

    def scheme(settings: ScoringSettings, sex: Sex | None) -> tuple[Band, ...]:
        return frozen

    return scheme


def yes_no(yes: int = 1, no: int = 0) -> tuple[Option, ...]:
    return (Option(value=0, label="No", points=no), Option(value=1, label="Yes", points=yes))
