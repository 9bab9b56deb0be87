"""A measure's scores over time as plain SVG geometry (no Django, no JavaScript chart library).

The template draws what `line_chart` returns. Meaning never rests on colour: each series has its
own marker shape and dash pattern, points carry their value as text, band cut-offs are labelled
lines, and the page puts a data table beside every chart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Reliable-change thresholds (points) by instrument, only where reference/instruments.md states one.
# It states none for PHQ-9, GAD-7, BAM, PCL-5 or the C-SSRS, so this is empty and the chart says so
# rather than borrow a figure from elsewhere. An entry here draws the threshold band on the chart.
RELIABLE_CHANGE: dict[str, int] = {}
NO_RELIABLE_CHANGE = (
    "The scoring reference Bridge follows gives no reliable-change threshold for {code}, so none is "
    "drawn; read the change against the severity bands."
)

MARKERS = ("circle", "square", "triangle")
DASHES = ("", "6 3", "2 3")


@dataclass(frozen=True)
class Point:
    when: date
    value: int
    note: str = ""  # the band, for the marker's tooltip and the table


@dataclass
class Series:
    name: str
    points: list[Point] = field(default_factory=list)


@dataclass(frozen=True)
class Cutoff:
    value: int
    label: str


def _label_every(n: int) -> int:
    return 1 if n <= 10 else (n + 9) // 10


def line_chart(
    series: list[Series],
    *,
    y_max: int,
    cutoffs: list[Cutoff] | tuple[Cutoff, ...] = (),
    reliable_change: int | None = None,
    width: int = 600,
    height: int = 260,
) -> dict:
    """Coordinates for an SVG line chart of `series` (dates across, 0..y_max up)."""
    left, right, top, bottom = 40, 180, 24, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    days = sorted({p.when for s in series for p in s.points})
    first, last = (days[0], days[-1]) if days else (date.today(), date.today())
    span = max((last - first).days, 1)

    def x(day: date) -> float:
        if first == last:
            return left + plot_w / 2
        return round(left + plot_w * (day - first).days / span, 1)

    def y(value: float) -> float:
        return round(top + plot_h * (1 - min(max(value, 0), y_max) / y_max), 1)

    drawn = []
    for i, s in enumerate(series):
        step = _label_every(len(s.points))
        marks = [
            {
                "x": x(p.when),
                "y": y(p.value),
                "value": p.value,
                "when": p.when,
                "note": p.note,
                "show_value": j % step == 0 or j == len(s.points) - 1,
            }
            for j, p in enumerate(s.points)
        ]
        drawn.append(
            {
                "name": s.name,
                "marker": MARKERS[i % len(MARKERS)],
                "dash": DASHES[i % len(DASHES)],
                "polyline": " ".join(f"{m['x']},{m['y']}" for m in marks),
                "marks": marks,
                "legend_y": top + 14 + 18 * i,
            }
        )
    lines = [{"y": y(c.value), "label": f"{c.label} ({c.value})"} for c in cutoffs if 0 < c.value <= y_max]
    # The band cut-offs are the useful marks on the axis; without any, the middle of the range.
    inner = {c.value for c in cutoffs if 0 < c.value < y_max} or {y_max // 2}
    marks_on_axis = sorted({0, y_max, *inner})
    ticks = [{"y": y(v), "value": v} for v in marks_on_axis]
    x_ticks = [{"x": x(first), "label": first, "anchor": "start"}]
    if last != first:
        x_ticks.append({"x": x(last), "label": last, "anchor": "end"})
    band = None
    if reliable_change and series and series[0].points:
        base = series[0].points[0].value
        band = {"y1": y(base + reliable_change), "y2": y(base - reliable_change)}
        band["height"] = round(band["y2"] - band["y1"], 1)
        band["width"] = plot_w
    return {
        "width": width,
        "height": height,
        "left": left,
        "right_edge": left + plot_w,
        "top": top,
        "bottom": top + plot_h,
        "legend_x": left + plot_w + 12,
        "series": drawn,
        "cutoffs": lines,
        "ticks": ticks,
        "x_ticks": x_ticks,
        "reliable_band": band,
    }
