"""Tiny server-side SVG charts: bars and lines, no script, no library.

Each chart is ``<svg role="img" aria-labelledby=…>`` with a ``<title>`` and a ``<desc>`` that
says what the figures are, axis labels, and a ``<title>`` on every bar or point so a pointer or a
screen reader gets the exact number. Text is escaped; the output is well-formed XML.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 56  # margins, room for the axis labels
COLOURS = ("#1f5fa8", "#c2410c", "#15803d", "#7c3aed")
_ids = itertools.count(1)


def _nice_max(value: float) -> float:
    """A round top for the y axis at or above ``value`` (1, 2, 5 × 10ⁿ)."""
    if value <= 0:
        return 1.0
    step = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for m in (1, 2, 5, 10):
        if value <= m * step:
            return float(m * step)
    return float(10 * step)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")


def _frame(title: str, desc: str, x_label: str, y_label: str, top: float, y_format) -> tuple[str, list[str]]:
    uid = f"chart-{next(_ids)}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" class="chart" aria-labelledby="{uid}-title {uid}-desc">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    plot_h = HEIGHT - TOP - BOTTOM
    for i in range(5):  # grid and y ticks
        value = top * i / 4
        y = TOP + plot_h - plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{escape(y_format(value))}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#333"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#333"/>')
    parts.append(f'<text x="{(LEFT + WIDTH - RIGHT) / 2:.0f}" y="{HEIGHT - 6}" text-anchor="middle" font-size="12" '
                 f'class="axis-label">{escape(x_label)}</text>')
    parts.append(f'<text x="14" y="{TOP + plot_h / 2:.0f}" text-anchor="middle" font-size="12" class="axis-label" '
                 f'transform="rotate(-90 14 {TOP + plot_h / 2:.0f})">{escape(y_label)}</text>')
    return uid, parts


def bar_chart(title: str, labels: Sequence[str], values: Sequence[float], *, x_label: str, y_label: str,
              desc: str | None = None, y_format=_fmt) -> str:
    """Vertical bars, one per label (at most every n-th label printed on the axis so they fit)."""
    top = _nice_max(max(values, default=0))
    desc = desc or "; ".join(f"{label}: {y_format(v)}" for label, v in zip(labels, values)) or "No data."
    _uid, parts = _frame(title, desc, x_label, y_label, top, y_format)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    every = max(1, len(values) // 12)
    for i, (label, value) in enumerate(zip(labels, values)):
        h = plot_h * (value / top)
        x = LEFT + i * slot + slot * 0.1
        parts.append(f'<rect x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.8:.1f}" height="{h:.1f}" '
                     f'fill="{COLOURS[0]}"><title>{escape(f"{label}: {y_format(value)}")}</title></rect>')
        if i % every == 0:
            cx = LEFT + i * slot + slot / 2
            parts.append(f'<text x="{cx:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" font-size="10">'
                         f'{escape(str(label)[:14])}</text>')
    if not values:
        parts.append(f'<text x="{WIDTH / 2:.0f}" y="{HEIGHT / 2:.0f}" text-anchor="middle">No data</text>')
    parts.append("</svg>")
    return "".join(parts)


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float | None]], *, x_label: str,
               y_label: str, desc: str | None = None, y_format=_fmt, y_max: float | None = None) -> str:
    """One line per series over shared x labels; a None value breaks the line (nothing measured)."""
    values = [v for vs in series.values() for v in vs if v is not None]
    top = y_max if y_max is not None else _nice_max(max(values, default=0))
    desc = desc or "; ".join(f"{name}: total {_fmt(sum(v for v in vs if v is not None))}" for name, vs in series.items())
    _uid, parts = _frame(title, desc, x_label, y_label, top, y_format)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    step = plot_w / max(n - 1, 1)
    every = max(1, n // 8)
    for i, label in enumerate(labels):
        if i % every == 0:
            parts.append(f'<text x="{LEFT + i * step:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" '
                         f'font-size="10">{escape(str(label))}</text>')
    for k, (name, vs) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        segments, current = [], []
        for i, v in enumerate(vs):
            if v is None:
                segments.append(current)
                current = []
                continue
            current.append(f"{LEFT + i * step:.1f},{TOP + plot_h - plot_h * min(v / top, 1):.1f}")
        segments.append(current)
        parts.append(f"<g class=\"series\" data-series={quoteattr(name)}><title>{escape(name)}</title>")
        for seg in segments:
            if len(seg) > 1:
                parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(seg)}"/>')
            elif seg:
                x, y = seg[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="3" fill="{colour}"/>')
        parts.append("</g>")
        # A legend entry per series, above the x label.
        lx = LEFT + k * 160
        parts.append(f'<rect x="{lx}" y="{HEIGHT - 30}" width="12" height="4" fill="{colour}"/>'
                     f'<text x="{lx + 16}" y="{HEIGHT - 25}" font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def percent_format(value: float) -> str:
    return f"{value * 100:.0f}%"
