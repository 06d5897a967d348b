"""Server-rendered SVG charts for the KPI dashboard: no JavaScript, no CDN, prints as it shows.

Every chart is meant to be read from the back of a meeting room on a projector: large type,
high-contrast colours, and every bar or point labelled with its value (in the Vietnamese
format of ``vi_numbers``), so nobody has to read an axis or tell colours apart. Each series
also has a text legend, and the SVG carries ``role="img"`` with a title and a description
for screen readers. Bars keep their value in ``data-value`` so tests can check the geometry.

The markup is built from escaped strings only (labels come from the database: sector and
officer names), and the result is returned as a safe string for the templates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from motcua.reports.templatetags.vi_numbers import vi_number, vi_percent

WIDTH = 960
FONT = 17  # in viewBox units; a chart is drawn about 900–1200 px wide on the page
SMALL = 15
TEXT = "#14171a"
MUTED = "#4a5560"
GRID = "#d3d9df"
EMPTY_TEXT = gettext_noop("Chưa có số liệu trong kỳ báo cáo.")

# Colour-blind-safe, dark enough for white labels on top (contrast ≥ 4.5:1).
BLUE = "#0b4f8a"
GREEN = "#1a7f37"
TEAL = "#00756b"
RED = "#b3261e"
ORANGE = "#a54800"
PURPLE = "#6b4fa0"
GREY = "#5b6670"


@dataclass(frozen=True)
class Series:
    """One named series of values, one per label (None: no figure, e.g. a rate of 0/0)."""

    name: str
    values: Sequence[float | int | None]
    color: str = BLUE


@dataclass(frozen=True)
class Bar:
    """One horizontal bar: its label, value, an optional note after the value, a target."""

    label: str
    value: float | int | None
    note: str = ""
    target: float | None = None


def _fmt(value: float | int | None, percent: bool, decimals: int = 0) -> str:
    return vi_percent(value) if percent else vi_number(value, decimals)


def _attr(value: object) -> str:
    return quoteattr(str(value))


def _num(value: float) -> str:
    """Coordinates with at most 2 decimals: small files, stable output."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ceiling(value: float) -> float:
    """The smallest 1, 2, 2.5, 5 × 10ⁿ not below ``value`` (an axis maximum people read)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power + 1e-9:
            return step * power
    return 10 * power


def axis_maximum(value: float) -> float:
    """The top of a count axis with four gridlines at whole, round steps (1, 2, 5, 10, 25…)."""
    raw = value / 4
    if raw <= 1:
        return 4
    power = 10 ** math.floor(math.log10(raw))
    for step in (1, 2, 2.5, 5, 10):
        if step == 2.5 and power < 10:
            continue  # no 2,5 dossiers: steps stay whole numbers
        if raw <= step * power + 1e-9:
            return 4 * step * power
    return 40 * power


def _svg(height: float, title: str, description: str, body: list[str], kind: str) -> SafeString:
    labelled = f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
    markup = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
        f'viewBox="0 0 {WIDTH} {_num(height)}" width="100%" '
        f'font-family="Segoe UI, Roboto, Noto Sans, Arial, sans-serif" font-size="{FONT}" '
        f"aria-label={_attr(title)}>{labelled}{''.join(body)}</svg>"
    )
    return mark_safe(markup)  # noqa: S308 (every piece above is escaped)


def _empty(title: str, kind: str, height: float = 120) -> SafeString:
    text = _(EMPTY_TEXT)
    return _svg(
        height,
        title,
        text,
        [
            f'<text class="chart-empty" x="{WIDTH / 2}" y="{_num(height / 2)}" '
            f'text-anchor="middle" dominant-baseline="middle" fill="{MUTED}">'
            f"{escape(text)}</text>"
        ],
        kind,
    )


def _text(x: float, y: float, content: str, **attrs: object) -> str:
    extra = "".join(f" {k.replace('_', '-')}={_attr(v)}" for k, v in attrs.items())
    return f'<text x="{_num(x)}" y="{_num(y)}"{extra}>{escape(content)}</text>'


def _legend(series: Sequence[Series], y: float, shapes: bool = False) -> list[str]:
    """A text legend in one row: swatch (or point shape) and name, left to right."""
    parts, x = [], 8.0
    for index, item in enumerate(series):
        if shapes:
            parts.append(_marker(index, x + 8, y - 5, item.color))
        else:
            parts.append(
                f'<rect x="{_num(x)}" y="{_num(y - 13)}" width="16" height="16" '
                f'fill="{item.color}"/>'
            )
        parts.append(_text(x + 24, y, item.name, fill=TEXT))
        x += 24 + len(item.name) * FONT * 0.56 + 28
    return parts


def _marker(index: int, x: float, y: float, color: str) -> str:
    """Point shapes differ by series (circle, square, diamond) so colour is not the only cue."""
    shape = index % 3
    if shape == 0:
        return f'<circle cx="{_num(x)}" cy="{_num(y)}" r="6" fill="{color}"/>'
    if shape == 1:
        return f'<rect x="{_num(x - 6)}" y="{_num(y - 6)}" width="12" height="12" fill="{color}"/>'
    return (
        f'<path d="M{_num(x)} {_num(y - 8)} L{_num(x + 8)} {_num(y)} L{_num(x)} {_num(y + 8)} '
        f'L{_num(x - 8)} {_num(y)} Z" fill="{color}"/>'
    )


def _x_labels(labels: Sequence[str], left: float, slot: float, y: float) -> list[str]:
    """Category labels under the plot; every other one when they would collide."""
    longest = max((len(label) for label in labels), default=0) * SMALL * 0.56
    every = 1 if longest <= slot - 4 else math.ceil((longest + 4) / slot)
    return [
        _text(left + slot * (i + 0.5), y, label, text_anchor="middle", font_size=SMALL, fill=TEXT)
        for i, label in enumerate(labels)
        if i % every == 0
    ]


def _y_grid(
    left: float, right: float, top: float, bottom: float, maximum: float, percent: bool
) -> list[str]:
    parts = []
    for step in range(5):
        value = maximum * step / 4
        y = bottom - (bottom - top) * step / 4
        parts.append(
            f'<line x1="{_num(left)}" y1="{_num(y)}" x2="{_num(right)}" y2="{_num(y)}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        label = vi_percent(value) if percent else vi_number(value)
        parts.append(_text(left - 8, y + 5, label, text_anchor="end", font_size=SMALL, fill=MUTED))
    return parts


def column_chart(
    labels: Sequence[str],
    values: Sequence[float | int | None],
    *,
    title: str,
    color: str = BLUE,
    percent: bool = False,
    height: float = 340,
) -> SafeString:
    """Vertical bars, one per label, each with its value written above it."""
    if not labels or not any(v for v in values):
        return _empty(title, "columns")
    left, right, top, bottom = 64.0, WIDTH - 12.0, 34.0, height - 44
    maximum = 100.0 if percent else axis_maximum(max(v or 0 for v in values))
    slot = (right - left) / len(labels)
    bar = min(slot * 0.62, 90)
    body = _y_grid(left, right, top, bottom, maximum, percent)
    for i, value in enumerate(values):
        x = left + slot * i + (slot - bar) / 2
        size = (bottom - top) * (value or 0) / maximum
        body.append(
            f'<rect class="bar" data-value={_attr(value if value is not None else "")} '
            f'x="{_num(x)}" y="{_num(bottom - size)}" width="{_num(bar)}" '
            f'height="{_num(size)}" fill="{color}"><title>{escape(labels[i])}: '
            f"{escape(_fmt(value, percent))}</title></rect>"
        )
        body.append(
            _text(
                x + bar / 2,
                bottom - size - 8,
                _fmt(value, percent),
                text_anchor="middle",
                font_weight="700",
                fill=TEXT,
                class_="value",
            )
        )
    body.append(
        f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(right)}" y2="{_num(bottom)}" '
        f'stroke="{TEXT}" stroke-width="1.5"/>'
    )
    body += _x_labels(labels, left, slot, bottom + 26)
    description = "; ".join(
        f"{label}: {_fmt(v, percent)}" for label, v in zip(labels, values, strict=True)
    )
    return _svg(height, title, description, body, "columns")


def line_chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    height: float = 360,
) -> SafeString:
    """Percentages over time (0–100%), one line per series, every point labelled."""
    if not labels or not any(v is not None for s in series for v in s.values):
        return _empty(title, "lines")
    left, right, top, bottom = 72.0, WIDTH - 40.0, 58.0, height - 44
    slot = (right - left) / len(labels)
    body = _legend(series, 22, shapes=True)
    body += _y_grid(left, right, top, bottom, 100.0, True)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * max(0.0, min(value, 100.0)) / 100

    for index, item in enumerate(series):
        points = [
            (left + slot * (i + 0.5), y_of(v), v)
            for i, v in enumerate(item.values)
            if v is not None
        ]
        if len(points) > 1:
            path = " ".join(f"{_num(x)},{_num(y)}" for x, y, _v in points)
            dash = ' stroke-dasharray="10 6"' if index % 2 else ""
            body.append(
                f'<polyline points="{path}" fill="none" stroke="{item.color}" '
                f'stroke-width="3.5"{dash}/>'
            )
        for x, y, value in points:
            body.append(
                f'<g class="point" data-series={_attr(item.name)} data-value={_attr(value)}>'
                f"{_marker(index, x, y, item.color)}"
                f"<title>{escape(item.name)}: {escape(vi_percent(value))}</title></g>"
            )
            # The first series labels above its points, the second below, so they do not meet.
            dy = -12 if index % 2 == 0 else 24
            body.append(
                _text(
                    x,
                    max(min(y + dy, bottom - 4), top - 4),
                    vi_percent(value),
                    text_anchor="middle",
                    font_size=SMALL,
                    font_weight="700",
                    fill=item.color,
                    class_="value",
                )
            )
    body += _x_labels(labels, left, slot, bottom + 26)
    description = " ".join(
        f"{s.name}: "
        + "; ".join(f"{lb} {vi_percent(v)}" for lb, v in zip(labels, s.values, strict=True))
        + "."
        for s in series
    )
    return _svg(height, title, description, body, "lines")


def stacked_columns(
    labels: Sequence[str],
    stacks: Sequence[Series],
    *,
    title: str,
    height: float = 380,
) -> SafeString:
    """Columns split into parts (e.g. early / on time / late / in progress), counts written in
    each part tall enough to hold them and the total above the column."""
    totals = [sum(s.values[i] or 0 for s in stacks) for i in range(len(labels))]
    if not labels or not any(totals):
        return _empty(title, "stacked")
    left, right, top, bottom = 64.0, WIDTH - 12.0, 74.0, height - 44
    maximum = axis_maximum(max(totals))
    slot = (right - left) / len(labels)
    bar = min(slot * 0.62, 90)
    body = _legend(stacks, 22)
    body += _y_grid(left, right, top, bottom, maximum, False)
    for i, total in enumerate(totals):
        x = left + slot * i + (slot - bar) / 2
        y = bottom
        for item in stacks:
            value = item.values[i] or 0
            size = (bottom - top) * value / maximum
            y -= size
            if not value:
                continue
            body.append(
                f'<rect class="bar" data-series={_attr(item.name)} data-value="{value}" '
                f'x="{_num(x)}" y="{_num(y)}" width="{_num(bar)}" height="{_num(size)}" '
                f'fill="{item.color}" stroke="#fff" stroke-width="1">'
                f"<title>{escape(labels[i])} – {escape(item.name)}: {escape(vi_number(value))}"
                "</title></rect>"
            )
            if size >= SMALL + 4 and len(vi_number(value)) * SMALL * 0.6 <= bar:
                body.append(
                    _text(
                        x + bar / 2,
                        y + size / 2 + 5,
                        vi_number(value),
                        text_anchor="middle",
                        font_size=SMALL,
                        font_weight="700",
                        fill="#fff",
                    )
                )
        body.append(
            _text(
                x + bar / 2,
                y - 8,
                vi_number(total),
                text_anchor="middle",
                font_weight="700",
                fill=TEXT,
                class_="value",
            )
        )
    body += _x_labels(labels, left, slot, bottom + 26)
    description = "; ".join(
        f"{label}: " + ", ".join(f"{s.name} {vi_number(s.values[i] or 0)}" for s in stacks)
        for i, label in enumerate(labels)
    )
    return _svg(height, title, description, body, "stacked")


def horizontal_bars(
    bars: Sequence[Bar],
    *,
    title: str,
    percent: bool = False,
    color: str = BLUE,
    label_width: float = 300,
    scale_max: float | None = None,
    decimals: int = 0,
) -> SafeString:
    """One row per item: the label on the left, the bar, its value (and note) after it.

    For percentages the scale is 0–100% and a target, when given, is drawn as a black tick
    with the bar outlined in red and "chưa đạt" after the value when it falls short."""
    if not bars or not any(b.value for b in bars) and not percent:
        return _empty(title, "hbars")
    if percent and all(b.value is None for b in bars):
        return _empty(title, "hbars")
    row, gap, top = 34.0, 10.0, 8.0
    height = top + len(bars) * (row + gap) + 4
    left = label_width
    # Values sit in their own column after the track, so a target tick never crosses them.
    value_room = 310.0 if any(b.note or b.target is not None for b in bars) else 150.0
    plot = WIDTH - left - value_room
    maximum = scale_max or (100.0 if percent else nice_ceiling(max(b.value or 0 for b in bars)))
    body: list[str] = []
    max_chars = int((label_width - 16) / (FONT * 0.52))
    for i, item in enumerate(bars):
        y = top + i * (row + gap)
        label = item.label if len(item.label) <= max_chars else item.label[: max_chars - 1] + "…"
        body.append(
            f'<text x="{_num(left - 12)}" y="{_num(y + row / 2 + 6)}" text-anchor="end" '
            f'fill="{TEXT}">{escape(label)}<title>{escape(item.label)}</title></text>'
        )
        body.append(
            f'<rect x="{_num(left)}" y="{_num(y)}" width="{_num(plot)}" height="{_num(row)}" '
            f'fill="#eef1f4"/>'
        )
        size = plot * min(item.value or 0, maximum) / maximum
        missed = item.target is not None and item.value is not None and item.value < item.target
        stroke = f' stroke="{RED}" stroke-width="3"' if missed else ""
        body.append(
            f'<rect class="bar" data-value={_attr(item.value if item.value is not None else "")} '
            f'x="{_num(left)}" y="{_num(y)}" width="{_num(size)}" height="{_num(row)}" '
            f'fill="{color}"{stroke}><title>{escape(item.label)}: '
            f"{escape(_fmt(item.value, percent, decimals))}</title></rect>"
        )
        if item.target is not None:
            tx = left + plot * min(item.target, maximum) / maximum
            body.append(
                f'<line class="target" data-target="{item.target}" x1="{_num(tx)}" '
                f'y1="{_num(y - 4)}" x2="{_num(tx)}" y2="{_num(y + row + 4)}" '
                f'stroke="{TEXT}" stroke-width="3"/>'
            )
        after = _fmt(item.value, percent, decimals)
        if item.note:
            after += f" · {item.note}"
        if missed:
            after += " ✗ " + _("chưa đạt %(target)s") % {"target": vi_percent(item.target)}
        body.append(
            _text(
                left + plot + 12,
                y + row / 2 + 6,
                after,
                font_weight="700",
                fill=RED if missed else TEXT,
                class_="value",
            )
        )
    description = "; ".join(f"{b.label}: {_fmt(b.value, percent, decimals)}" for b in bars)
    return _svg(height, title, description, body, "hbars")


# A sequential blue scale in five steps (ColorBrewer "Blues", darkened at the top so white
# figures stay readable): a projector shows steps better than a smooth gradient.
HEAT_STEPS = ("#deebf7", "#9ecae1", "#4292c6", "#2166ac", "#08306b")
HEAT_EMPTY = "#f4f6f8"


def heatmap(
    rows: Sequence[tuple[str, str]],
    columns: Sequence[tuple[str, str]],
    values: dict[tuple[str, str], int],
    *,
    title: str,
    row_attr: str = "row",
    column_attr: str = "column",
) -> SafeString:
    """A grid of counts (rows × columns, each given as (key, label)), every non-empty cell
    shaded by its share of the largest and its count written in it; a total per row after it.

    Each cell carries ``data-<row_attr>``, ``data-<column_attr>`` and ``data-value``."""
    if not rows or not columns or not any(values.values()):
        return _empty(title, "heatmap")
    left, top, cell_height, total_room = 110.0, 34.0, 40.0, 80.0
    cell_width = (WIDTH - left - total_room) / len(columns)
    height = top + len(rows) * cell_height + 8
    maximum = max(values.values())
    body: list[str] = []
    for index, (_key, label) in enumerate(columns):
        body.append(
            _text(
                left + cell_width * (index + 0.5),
                top - 10,
                label,
                text_anchor="middle",
                font_size=SMALL,
                fill=MUTED,
            )
        )
    body.append(
        _text(
            WIDTH - total_room / 2,
            top - 10,
            _("Cộng"),
            text_anchor="middle",
            font_size=SMALL,
            fill=MUTED,
        )  # fmt: skip
    )
    described = []
    for r, (row_key, row_label) in enumerate(rows):
        y = top + r * cell_height
        body.append(_text(left - 10, y + cell_height / 2 + 6, row_label, text_anchor="end",
                          fill=TEXT))  # fmt: skip
        row_total = 0
        for c, (column_key, column_label) in enumerate(columns):
            value = values.get((row_key, column_key), 0)
            row_total += value
            x = left + c * cell_width
            if value:
                step = min(len(HEAT_STEPS) - 1, math.ceil(value / maximum * len(HEAT_STEPS)) - 1)
                fill = HEAT_STEPS[step]
                ink = "#fff" if step >= 2 else TEXT
            else:
                fill, ink = HEAT_EMPTY, TEXT
            body.append(
                f'<rect class="cell" data-{row_attr}={_attr(row_key)} '
                f"data-{column_attr}={_attr(column_key)} data-value={_attr(value)} "
                f'x="{_num(x + 1)}" y="{_num(y + 1)}" width="{_num(cell_width - 2)}" '
                f'height="{_num(cell_height - 2)}" fill="{fill}">'
                f"<title>{escape(row_label)}, {escape(column_label)}: "
                f"{escape(vi_number(value))}</title></rect>"
            )
            if value:
                described.append(f"{row_label} {column_label}: {vi_number(value)}")
                body.append(
                    _text(
                        x + cell_width / 2,
                        y + cell_height / 2 + 6,
                        vi_number(value),
                        text_anchor="middle",
                        font_size=SMALL,
                        font_weight="700",
                        fill=ink,
                    )
                )
        body.append(
            _text(
                WIDTH - total_room / 2,
                y + cell_height / 2 + 6,
                vi_number(row_total),
                text_anchor="middle",
                font_weight="700",
                fill=TEXT,
                class_="value",
            )
        )
    return _svg(height, title, "; ".join(described), body, "heatmap")
