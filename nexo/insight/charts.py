"""Charts drawn on the server as SVG, pure: bars (grouped, stacked, horizontal), lines and a funnel. No Django.

Each function returns the markup of one `<svg>` (the caller marks it safe): every text is escaped; the
drawing names itself for assistive technology (`role="img"`, `<title>` and `<desc>` through
aria-labelledby) and each bar or point carries its full category, series and value in its own `<title>`.
The caller shows the same figures as a table; the chart is the picture of that table.

Geometry is Decimal from the data to the coordinates, which are written with two decimals; text widths
are estimated from the number of characters (there is no font metrics on the server), generously, so a
label is truncated with an ellipsis before it overlaps its neighbour. The drawing has a viewBox and no
fixed size, so it scales to its container (a phone's 390 px as well as a desktop column); the page's CSS
caps its width.

Colours are classes (`chart-series-0`…) with the same colour as a presentation attribute, so a stylesheet
may restyle them and a drawing opened alone still has its colours; every colour has at least 3:1 contrast
on white (graphical objects) and the texts are the page's ink colours (4.5:1).
"""

import hashlib
import html
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

Number = Decimal | int

# The series colours, in order; a seventh series reuses the first.
PALETTE = ("#0f5c8c", "#b45309", "#1d7a46", "#7c3aed", "#b42318", "#475569")
INK = "#1c2430"
INK_SOFT = "#4a5566"
GRID = "#d9dee6"

DEFAULT_WIDTH = 440
FONT_SIZE = 14  # category and tick labels, in viewBox units
VALUE_FONT_SIZE = 13  # value labels on the bars and points
# Estimated advance of one character as a share of the font size (wide enough for digits and capitals).
CHAR_WIDTH = Decimal("0.62")
PLOT_HEIGHT = 220  # the vertical charts' plotting area
BAR_THICKNESS = 18  # a horizontal bar, and a funnel stage
MAX_LABEL_CHARS = 18  # a category label longer than this is truncated whatever the room
TICK_TARGET = 5

ZERO = Decimal(0)
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Series:
    label: str
    values: list[Number]


# ---------------------------------------------------------------------------------------------- helpers


# Characters XML 1.0 does not allow at all (control characters, non-characters, lone surrogates): dropped.
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escape(text: object) -> str:
    return html.escape(NOT_XML.sub("", str(text)), quote=True)


def _coordinate(value: Number) -> str:
    """A coordinate with a fixed two decimals (never an exponent)."""
    return f"{Decimal(value).quantize(TWO_PLACES):f}"


def _text_width(text: str, font_size: int = FONT_SIZE) -> Decimal:
    return len(text) * font_size * CHAR_WIDTH


def _chars_fitting(width: Decimal, font_size: int = FONT_SIZE) -> int:
    return int(width / (font_size * CHAR_WIDTH))


def truncate(text: str, max_chars: int) -> str:
    """`text` cut to `max_chars` characters, the last one an ellipsis when it had to be cut."""
    max_chars = max(max_chars, 1)
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _is_integral_data(values: Sequence[Number]) -> bool:
    return all(isinstance(value, int) for value in values)


def nice_ticks(
    low: Number, high: Number, *, target: int = TICK_TARGET, integral: bool = False
) -> list[Number]:
    """Rounded axis ticks covering `low`…`high` and zero, about `target` intervals of 1, 2, 2.5 or 5 times a power of ten.
    All zero draws 0…1. Integral data (counts) get whole steps and int ticks."""
    low, high = min(Decimal(low), ZERO), max(Decimal(high), ZERO)
    if low == high:
        high = Decimal(1)
    raw_step = (high - low) / max(target, 1)
    magnitude = Decimal(1).scaleb(raw_step.adjusted())
    fraction = raw_step / magnitude
    step = next(nice * magnitude for nice in (1, 2, Decimal("2.5"), 5, 10) if fraction <= nice)
    if integral:
        step = max(Decimal(1), step.to_integral_value(ROUND_CEILING))
    start = (low / step).to_integral_value(ROUND_FLOOR)
    end = (high / step).to_integral_value(ROUND_CEILING)
    exponent = min(step.normalize().as_tuple().exponent, 0)
    quantum = Decimal(1).scaleb(exponent)
    ticks: list[Number] = []
    for index in range(int(start), int(end) + 1):
        tick = (index * step).quantize(quantum)
        ticks.append(int(tick) if integral else tick)
    return ticks


class _Scale:
    """Maps a value of `low`…`high` onto `start`…`end` pixels (either may be the larger)."""

    def __init__(self, low: Number, high: Number, start: Number, end: Number):
        self.low, self.high = Decimal(low), Decimal(high)
        self.start, self.end = Decimal(start), Decimal(end)

    def __call__(self, value: Number) -> Decimal:
        share = (Decimal(value) - self.low) / (self.high - self.low)
        return self.start + share * (self.end - self.start)


def _chart_id(kind: str, title: str, payload: object) -> str:
    digest = hashlib.sha1(f"{kind}|{title}|{payload!r}".encode(), usedforsecurity=False).hexdigest()
    return f"chart-{digest[:10]}"


def _describe(categories: Sequence[str], series: Sequence[Series], value_format: Callable) -> str:
    """The default `<desc>`: every value, series by series, in words a screen reader reads out."""
    parts = []
    for one in series:
        values = ", ".join(
            f"{category}: {value_format(value)}"
            for category, value in zip(categories, one.values, strict=True)
        )
        parts.append(f"{one.label} — {values}" if len(series) > 1 else values)
    return "; ".join(parts)


def _svg(
    *, kind: str, chart_id: str, title: str, description: str, width: int, height: Number, body: list[str]
) -> str:
    return "\n".join(
        [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" role="img" '
            f'viewBox="0 0 {width} {_coordinate(height)}" width="100%" preserveAspectRatio="xMidYMin meet" '
            f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
            f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\" "
            f'font-size="{FONT_SIZE}">',
            f'<title id="{chart_id}-title">{_escape(title)}</title>',
            f'<desc id="{chart_id}-desc">{_escape(description)}</desc>',
            *body,
            "</svg>",
        ]
    )


def _wrapped(text: str, max_chars: int) -> list[str]:
    """The text in lines of at most `max_chars` characters, broken between words (a longer word alone)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def _empty_chart(*, kind: str, title: str, empty_text: str, width: int, chart_id: str | None) -> str:
    # A long message is wrapped inside the frame: cut off, it would lose both its ends on a narrow chart.
    lines = _wrapped(empty_text, _chars_fitting(Decimal(width - 24)))
    line_height = FONT_SIZE + 6
    height = max(120, len(lines) * line_height + 40)
    chart_id = chart_id or _chart_id(kind, title, "empty")
    first = Decimal(height) / 2 + 5 - Decimal(line_height * (len(lines) - 1)) / 2
    body = [
        f'<rect class="chart-empty-frame" x="1" y="1" width="{width - 2}" height="{height - 2}" rx="6" '
        f'fill="none" stroke="{GRID}" stroke-dasharray="6 4"/>',
        *(
            f'<text class="chart-empty" x="{width // 2}" y="{_coordinate(first + line_height * index)}" '
            f'text-anchor="middle" fill="{INK_SOFT}">{_escape(line)}</text>'
            for index, line in enumerate(lines)
        ),
    ]
    return _svg(
        kind=kind,
        chart_id=chart_id,
        title=title,
        description=empty_text,
        width=width,
        height=height,
        body=body,
    )


def _series_class(index: int) -> tuple[str, str]:
    """The class and fallback colour of the `index`-th series."""
    slot = index % len(PALETTE)
    return f"chart-series-{slot}", PALETTE[slot]


def _legend(series: Sequence[Series], width: int, top: int = 4) -> tuple[list[str], int]:
    """The legend's markup (only for more than one series) and the height it takes, wrapping its items."""
    if len(series) <= 1:
        return [], 0
    items, x, y, row_height, margin = [], 8, top, 20, 8
    for index, one in enumerate(series):
        label = truncate(one.label, 28)
        item_width = 18 + int(_text_width(label)) + 16
        if x > margin and x + item_width > width - margin:
            x, y = margin, y + row_height
        css_class, colour = _series_class(index)
        items.append(
            f'<g class="chart-legend-item"><rect class="{css_class}" x="{x}" y="{y + 3}" width="12" height="12" '
            f'rx="2" fill="{colour}"/><text x="{x + 18}" y="{y + 14}" fill="{INK}">{_escape(label)}'
            + (f"<title>{_escape(one.label)}</title>" if label != one.label else "")
            + "</text></g>"
        )
        x += item_width
    return ['<g class="chart-legend">', *items, "</g>"], y + row_height - top + 6


def _check_lengths(categories: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(categories):
            raise ValueError(
                f"Series {one.label!r} has {len(one.values)} values for {len(categories)} categories."
            )


def _extent(categories: Sequence[str], series: Sequence[Series], stacked: bool) -> tuple[Number, Number]:
    """The lowest and highest ends a bar reaches (stacked: the sums of negatives and of positives)."""
    if stacked:
        highs = [
            sum((one.values[i] for one in series if one.values[i] > 0), ZERO) for i in range(len(categories))
        ]
        lows = [
            sum((one.values[i] for one in series if one.values[i] < 0), ZERO) for i in range(len(categories))
        ]
        return min(lows, default=ZERO), max(highs, default=ZERO)
    values = [value for one in series for value in one.values]
    return min(values, default=ZERO), max(values, default=ZERO)


def _ticks_fitting(
    low: Number,
    high: Number,
    *,
    integral: bool,
    length: Number,
    tick_format: Callable,
    horizontal_labels: bool,
) -> list[Number]:
    """Ticks few enough that their labels do not collide along an axis of `length` pixels (labels laid
    side by side when `horizontal_labels`, stacked one above another otherwise)."""
    target = TICK_TARGET
    while True:
        ticks = nice_ticks(low, high, target=target, integral=integral)
        spacing = Decimal(length) / max(len(ticks) - 1, 1)
        needed = (
            max(_text_width(tick_format(tick)) for tick in ticks) + 10
            if horizontal_labels
            else Decimal(FONT_SIZE + 6)
        )
        if spacing >= needed or target <= 1:
            return ticks
        target -= 1


# ------------------------------------------------------------------------------------- vertical charts


@dataclass
class _VerticalFrame:
    """The shared frame of vertical bars and lines: where the plot is, its y scale, the category slots."""

    left: Decimal
    right: Decimal
    top: Decimal
    bottom: Decimal
    y: _Scale
    slot: Decimal
    label_rotated: bool
    label_chars: int
    value_rotated: bool
    markup: list[str]
    height: Decimal

    def slot_center(self, index: int) -> Decimal:
        return self.left + self.slot * index + self.slot / 2


def _vertical_frame(
    *,
    categories: Sequence[str],
    series: Sequence[Series],
    low: Number,
    high: Number,
    integral: bool,
    value_format: Callable,
    tick_format: Callable,
    value_labels: list[str],
    width: int,
    value_room_width: Decimal,
) -> _VerticalFrame:
    legend, legend_height = _legend(series, width)
    provisional_ticks = nice_ticks(low, high, integral=integral)
    tick_labels_width = max(_text_width(tick_format(tick)) for tick in provisional_ticks)
    left = min(tick_labels_width + 12, Decimal(width) / 3)
    right = Decimal(width - 10)
    slot = (right - left) / len(categories)

    # Value labels sit beyond each bar's end: across when they fit in `value_room_width`, else turned.
    widest_value = max((_text_width(label, VALUE_FONT_SIZE) for label in value_labels), default=ZERO)
    value_rotated = widest_value > value_room_width
    value_room = (widest_value + 8) if value_rotated else Decimal(VALUE_FONT_SIZE + 6)
    room_above = value_room if high > 0 or low == high else Decimal(6)
    room_below = value_room if low < 0 else ZERO

    widest_label = max(len(category) for category in categories)
    label_rotated = _text_width(truncate("x" * widest_label, MAX_LABEL_CHARS)) > slot - 4
    if label_rotated:
        label_chars = MAX_LABEL_CHARS
        label_room = Decimal(min(widest_label, label_chars)) * FONT_SIZE * CHAR_WIDTH * Decimal("0.72") + 16
    else:
        label_chars = max(_chars_fitting(slot - 4), 1)
        label_room = Decimal(FONT_SIZE + 10)

    if label_rotated:  # the first label, turned, reaches left of its slot: keep it inside the drawing
        overhang = label_room - 16 - slot / 2 + 4
        if left < overhang:
            left = overhang
            slot = (right - left) / len(categories)
    top = Decimal(legend_height + 8) + room_above
    bottom = top + PLOT_HEIGHT
    ticks = _ticks_fitting(
        low, high, integral=integral, length=PLOT_HEIGHT, tick_format=tick_format, horizontal_labels=False
    )
    y = _Scale(ticks[0], ticks[-1], bottom, top)
    markup = [*legend, '<g class="chart-axis">']
    for tick in ticks:
        tick_y = _coordinate(y(tick))
        markup.append(
            f'<line x1="{_coordinate(left)}" x2="{_coordinate(right)}" y1="{tick_y}" y2="{tick_y}" '
            f'stroke="{INK_SOFT if tick == 0 else GRID}" stroke-width="1"/>'
        )
        markup.append(
            f'<text x="{_coordinate(left - 6)}" y="{_coordinate(y(tick) + 4)}" text-anchor="end" '
            f'fill="{INK_SOFT}">{_escape(tick_format(tick))}</text>'
        )
    markup.append("</g>")
    height = bottom + room_below + label_room
    frame = _VerticalFrame(
        left, right, top, bottom, y, slot, label_rotated, label_chars, value_rotated, markup, height
    )
    label_y = bottom + room_below + (12 if label_rotated else FONT_SIZE + 4)
    markup.append('<g class="chart-categories">')
    for index, category in enumerate(categories):
        shown = truncate(category, label_chars)
        x = frame.slot_center(index)
        hint = f"<title>{_escape(category)}</title>" if shown != category else ""
        if label_rotated:
            markup.append(
                f'<text x="{_coordinate(x)}" y="{_coordinate(label_y)}" text-anchor="end" fill="{INK}" '
                f'transform="rotate(-45 {_coordinate(x)} {_coordinate(label_y)})">{_escape(shown)}{hint}</text>'
            )
        else:
            markup.append(
                f'<text x="{_coordinate(x)}" y="{_coordinate(label_y)}" text-anchor="middle" fill="{INK}">'
                f"{_escape(shown)}{hint}</text>"
            )
    markup.append("</g>")
    return frame


def _value_label(
    frame: _VerticalFrame, x: Decimal, end_y: Decimal, negative: bool, text: str, shift: Decimal = ZERO
) -> str:
    """A value label just beyond a bar's or point's end: above it, or below it for a negative value;
    `shift` moves it along the axis it could collide on (down for a label across, right for a turned one)."""
    if frame.value_rotated:
        y = end_y + 6 if negative else end_y - 6
        x = x + 4 + shift
        anchor = "end" if negative else "start"
        return (
            f'<text class="chart-value" x="{_coordinate(x)}" y="{_coordinate(y)}" text-anchor="{anchor}" '
            f'font-size="{VALUE_FONT_SIZE}" fill="{INK}" transform="rotate(-90 {_coordinate(x)} {_coordinate(y)})">'
            f"{_escape(text)}</text>"
        )
    y = (end_y + VALUE_FONT_SIZE + 3 if negative else end_y - 5) + shift
    return (
        f'<text class="chart-value" x="{_coordinate(x)}" y="{_coordinate(y)}" text-anchor="middle" '
        f'font-size="{VALUE_FONT_SIZE}" fill="{INK}">{_escape(text)}</text>'
    )


def _label_shifts(frame: _VerticalFrame, ends: list[tuple[Decimal, bool]]) -> list[Decimal]:
    """How far to move labels drawn at one category (their ends, and whether each is negative) so that none
    overlaps another: across, each one at least a line above the one below it; turned, side by side."""
    gap = Decimal(VALUE_FONT_SIZE + 2)
    if frame.value_rotated:
        return [gap * index - gap * (len(ends) - 1) for index in range(len(ends))]
    baselines = [end + VALUE_FONT_SIZE + 3 if negative else end - 5 for end, negative in ends]
    shifts = [ZERO] * len(ends)
    placed: Decimal | None = None
    for index in sorted(range(len(ends)), key=lambda i: -baselines[i]):  # the lowest first
        baseline = baselines[index] if placed is None else min(baselines[index], placed - gap)
        shifts[index], placed = baseline - baselines[index], baseline
    return shifts


def _bar_title(category: str, series: Series, many: bool, value_text: str) -> str:
    return _escape(f"{category} — {series.label}: {value_text}" if many else f"{category}: {value_text}")


def _vertical_bars(
    *, categories, series, value_format, tick_format, stacked, width, integral, low, high
) -> tuple[list[str], Decimal]:
    many = len(series) > 1
    if stacked:
        totals = [
            sum((one.values[i] for one in series), ZERO if not integral else 0)
            for i in range(len(categories))
        ]
        value_labels = [value_format(total) for total in totals]
    else:
        value_labels = [value_format(value) for one in series for value in one.values]
    slot_estimate = (Decimal(width) * Decimal("0.8")) / len(categories)
    group = 1 if stacked else len(series)
    frame = _vertical_frame(
        categories=categories,
        series=series,
        low=low,
        high=high,
        integral=integral,
        value_format=value_format,
        tick_format=tick_format,
        value_labels=value_labels,
        width=width,
        value_room_width=slot_estimate * Decimal("0.9") if stacked or group == 1 else slot_estimate / group,
    )
    body = [*frame.markup, '<g class="chart-bars">']
    bar_width = frame.slot * Decimal("0.72") / group
    zero_y = frame.y(0)
    for index, category in enumerate(categories):
        group_left = frame.slot_center(index) - bar_width * group / 2
        positive_end, negative_end = zero_y, zero_y
        for series_index, one in enumerate(series):
            value = one.values[index]
            css_class, colour = _series_class(series_index)
            x = group_left if stacked else group_left + bar_width * series_index
            if stacked:
                extent = frame.y(0) - frame.y(abs(value))
                if value >= 0:
                    top, positive_end = positive_end - extent, positive_end - extent
                else:
                    top, negative_end = negative_end, negative_end + extent
            else:
                end = frame.y(value)
                top, extent = min(end, zero_y), abs(end - zero_y)
            value_text = value_format(value)
            body.append(
                f'<rect class="chart-bar {css_class}" x="{_coordinate(x)}" y="{_coordinate(top)}" '
                f'width="{_coordinate(bar_width)}" height="{_coordinate(extent)}" fill="{colour}">'
                f"<title>{_bar_title(category, one, many, value_text)}</title></rect>"
            )
            if not stacked:
                body.append(_value_label(frame, x + bar_width / 2, frame.y(value), value < 0, value_text))
        if stacked:
            total = sum((one.values[index] for one in series), ZERO)
            end = positive_end if total >= 0 else negative_end
            body.append(_value_label(frame, frame.slot_center(index), end, total < 0, value_labels[index]))
    body.append("</g>")
    return body, frame.height


# ----------------------------------------------------------------------------------- horizontal bars


def _horizontal_bars(
    *, categories, series, value_format, tick_format, stacked, width, integral, low, high
) -> tuple[list[str], Decimal]:
    many = len(series) > 1
    legend, legend_height = _legend(series, width)
    if stacked:
        totals = [sum((one.values[i] for one in series), ZERO) for i in range(len(categories))]
        value_labels = [value_format(total) for total in totals]
    else:
        value_labels = [value_format(value) for one in series for value in one.values]
    widest_value = max(_text_width(label, VALUE_FONT_SIZE) for label in value_labels) + 8
    label_column = min(
        _text_width("x" * min(max(len(c) for c in categories), MAX_LABEL_CHARS)) + 10,
        Decimal(width) * Decimal("0.36"),
    )
    label_chars = max(_chars_fitting(label_column - 10), 1)
    left = label_column + (widest_value if low < 0 else 4)
    right = Decimal(width) - (widest_value if high > 0 or low == high else Decimal(10))
    if right - left < 60:  # very long value labels: give the bars at least some room
        right = left + 60
    ticks = _ticks_fitting(
        low, high, integral=integral, length=right - left, tick_format=tick_format, horizontal_labels=True
    )
    x = _Scale(ticks[0], ticks[-1], left, right)
    group = 1 if stacked else len(series)
    band = Decimal(BAR_THICKNESS * group + 10)
    top = Decimal(legend_height + 8)
    bottom = top + band * len(categories)
    body = [*legend, '<g class="chart-axis">']
    for tick in ticks:
        tick_x = _coordinate(x(tick))
        body.append(
            f'<line x1="{tick_x}" x2="{tick_x}" y1="{_coordinate(top)}" y2="{_coordinate(bottom)}" '
            f'stroke="{INK_SOFT if tick == 0 else GRID}" stroke-width="1"/>'
        )
        body.append(
            f'<text x="{tick_x}" y="{_coordinate(bottom + FONT_SIZE + 6)}" text-anchor="middle" fill="{INK_SOFT}">'
            f"{_escape(tick_format(tick))}</text>"
        )
    body += ["</g>", '<g class="chart-bars">']
    zero_x = x(0)
    for index, category in enumerate(categories):
        band_top = top + band * index + 5
        shown = truncate(category, label_chars)
        hint = f"<title>{_escape(category)}</title>" if shown != category else ""
        body.append(
            f'<text class="chart-category" x="{_coordinate(label_column - 6)}" '
            f'y="{_coordinate(band_top + band / 2 - 1)}" text-anchor="end" fill="{INK}">{_escape(shown)}{hint}</text>'
        )
        positive_end, negative_end = zero_x, zero_x
        for series_index, one in enumerate(series):
            value = one.values[index]
            css_class, colour = _series_class(series_index)
            y = band_top if stacked else band_top + BAR_THICKNESS * series_index
            extent = abs(x(value) - zero_x)
            if stacked:
                if value >= 0:
                    start, positive_end = positive_end, positive_end + extent
                else:
                    negative_end -= extent
                    start = negative_end
            else:
                start = min(x(value), zero_x)
            value_text = value_format(value)
            body.append(
                f'<rect class="chart-bar {css_class}" x="{_coordinate(start)}" y="{_coordinate(y)}" '
                f'width="{_coordinate(extent)}" height="{BAR_THICKNESS - 2}" fill="{colour}">'
                f"<title>{_bar_title(category, one, many, value_text)}</title></rect>"
            )
            if not stacked:
                body.append(_horizontal_value_label(x(value), y, value < 0, value_text))
        if stacked:
            total = sum((one.values[index] for one in series), ZERO)
            end = positive_end if total >= 0 else negative_end
            body.append(_horizontal_value_label(end, band_top, total < 0, value_labels[index]))
    body.append("</g>")
    return body, bottom + FONT_SIZE + 14


def _horizontal_value_label(end_x: Decimal, bar_top: Decimal, negative: bool, text: str) -> str:
    x = end_x - 4 if negative else end_x + 4
    return (
        f'<text class="chart-value" x="{_coordinate(x)}" y="{_coordinate(bar_top + BAR_THICKNESS - 5)}" '
        f'text-anchor="{"end" if negative else "start"}" font-size="{VALUE_FONT_SIZE}" fill="{INK}">'
        f"{_escape(text)}</text>"
    )


# ------------------------------------------------------------------------------------------ public API


def bar_chart(
    *,
    title: str,
    categories: list[str],
    series: list[Series],
    value_format: Callable[[Number], str] = str,
    horizontal: bool = False,
    stacked: bool = False,
    tick_format: Callable[[Number], str] | None = None,
    description: str | None = None,
    empty_text: str = "No data",
    width: int = DEFAULT_WIDTH,
    chart_id: str | None = None,
) -> str:
    """Bars, one per value: grouped side by side per category, or `stacked` (negatives below zero, the
    category's total as its label), upright or `horizontal` (better for long names and for phones).
    `tick_format` formats the axis (default `value_format`); `description` replaces the generated
    `<desc>` (every value in words); `empty_text` is drawn when there is nothing to draw."""
    _check_lengths(categories, series)
    if not categories or not series:
        return _empty_chart(kind="bar", title=title, empty_text=empty_text, width=width, chart_id=chart_id)
    tick_format = tick_format or value_format
    all_values = [value for one in series for value in one.values]
    integral = _is_integral_data(all_values)
    low, high = _extent(categories, series, stacked)
    draw = _horizontal_bars if horizontal else _vertical_bars
    body, height = draw(
        categories=categories,
        series=series,
        value_format=value_format,
        tick_format=tick_format,
        stacked=stacked,
        width=width,
        integral=integral,
        low=low,
        high=high,
    )
    chart_id = chart_id or _chart_id("bar", title, (categories, [(one.label, one.values) for one in series]))
    return _svg(
        kind="bar",
        chart_id=chart_id,
        title=title,
        description=description or _describe(categories, series, value_format),
        width=width,
        height=height,
        body=body,
    )


def line_chart(
    *,
    title: str,
    categories: list[str],
    series: list[Series],
    value_format: Callable[[Number], str] = str,
    tick_format: Callable[[Number], str] | None = None,
    description: str | None = None,
    empty_text: str = "No data",
    width: int = DEFAULT_WIDTH,
    chart_id: str | None = None,
) -> str:
    """One line per series across the categories (months, usually), a marker at each value. With one
    series every point is labelled with its value; with several, each line's last point (the others keep
    their values in their `<title>`, and the table has them all)."""
    _check_lengths(categories, series)
    if not categories or not series:
        return _empty_chart(kind="line", title=title, empty_text=empty_text, width=width, chart_id=chart_id)
    tick_format = tick_format or value_format
    many = len(series) > 1
    all_values = [value for one in series for value in one.values]
    low, high = _extent(categories, series, stacked=False)
    labelled = [
        (series_index, index)
        for series_index, one in enumerate(series)
        for index in range(len(categories))
        if not many or index == len(categories) - 1
    ]
    frame = _vertical_frame(
        categories=categories,
        series=series,
        low=low,
        high=high,
        integral=_is_integral_data(all_values),
        value_format=value_format,
        tick_format=tick_format,
        value_labels=[value_format(series[s].values[i]) for s, i in labelled],
        width=width,
        value_room_width=(Decimal(width) * Decimal("0.8") / len(categories)) * Decimal("0.95"),
    )
    body = [*frame.markup, '<g class="chart-lines">']
    for series_index, one in enumerate(series):
        css_class, colour = _series_class(series_index)
        points = [(frame.slot_center(index), frame.y(value)) for index, value in enumerate(one.values)]
        path = " ".join(
            f"{'M' if index == 0 else 'L'}{_coordinate(x)} {_coordinate(y)}"
            for index, (x, y) in enumerate(points)
        )
        body.append(
            f'<path class="chart-line {css_class}" d="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
            f'stroke-linejoin="round"/>'
        )
        for index, ((x, y), value) in enumerate(zip(points, one.values, strict=True)):
            value_text = value_format(value)
            body.append(
                f'<circle class="chart-point {css_class}" cx="{_coordinate(x)}" cy="{_coordinate(y)}" r="4" '
                f'fill="{colour}"><title>{_bar_title(categories[index], one, many, value_text)}</title></circle>'
            )
            if not many:
                body.append(_value_label(frame, x, y, value < 0, value_text))
    if many:  # each line's last value, at one category: kept apart
        last = len(categories) - 1
        x = frame.slot_center(last)
        ends = [(frame.y(one.values[last]), one.values[last] < 0) for one in series]
        for one, (end, negative), shift in zip(series, ends, _label_shifts(frame, ends), strict=True):
            body.append(_value_label(frame, x, end, negative, value_format(one.values[last]), shift))
    body.append("</g>")
    chart_id = chart_id or _chart_id("line", title, (categories, [(one.label, one.values) for one in series]))
    return _svg(
        kind="line",
        chart_id=chart_id,
        title=title,
        description=description or _describe(categories, series, value_format),
        width=width,
        height=frame.height,
        body=body,
    )


def funnel_chart(
    *,
    title: str,
    stages: list[str],
    values: list[Number],
    value_format: Callable[[Number], str] = str,
    description: str | None = None,
    empty_text: str = "No data",
    width: int = DEFAULT_WIDTH,
    chart_id: str | None = None,
) -> str:
    """The stages top to bottom, each a centred bar as wide as its share of the widest stage, its name on
    the left and its value on the right. A negative value draws as nothing (a funnel has no negatives)."""
    if len(stages) != len(values):
        raise ValueError(f"{len(values)} values for {len(stages)} stages.")
    if not stages:
        return _empty_chart(kind="funnel", title=title, empty_text=empty_text, width=width, chart_id=chart_id)
    value_labels = [value_format(value) for value in values]
    label_column = min(
        _text_width("x" * min(max(len(stage) for stage in stages), MAX_LABEL_CHARS)) + 10,
        Decimal(width) * Decimal("0.34"),
    )
    label_chars = max(_chars_fitting(label_column - 10), 1)
    value_column = min(
        max(_text_width(label, VALUE_FONT_SIZE) for label in value_labels) + 12, Decimal(width) / 4
    )
    left, right = label_column, Decimal(width) - value_column
    widest = max((Decimal(value) for value in values), default=ZERO)
    band = Decimal(BAR_THICKNESS + 12)
    top = Decimal(8)
    css_class, colour = _series_class(0)
    body = ['<g class="chart-bars">']
    center = (left + right) / 2
    for index, (stage, value) in enumerate(zip(stages, values, strict=True)):
        y = top + band * index
        share = Decimal(value) / widest if widest > 0 and value > 0 else ZERO
        bar_width = (right - left) * share
        shown = truncate(stage, label_chars)
        hint = f"<title>{_escape(stage)}</title>" if shown != stage else ""
        body.append(
            f'<text class="chart-category" x="{_coordinate(left - 6)}" y="{_coordinate(y + BAR_THICKNESS - 4)}" '
            f'text-anchor="end" fill="{INK}">{_escape(shown)}{hint}</text>'
        )
        body.append(
            f'<rect class="chart-bar {css_class}" x="{_coordinate(center - bar_width / 2)}" y="{_coordinate(y)}" '
            f'width="{_coordinate(bar_width)}" height="{BAR_THICKNESS}" rx="2" fill="{colour}">'
            f"<title>{_escape(f'{stage}: {value_labels[index]}')}</title></rect>"
        )
        body.append(
            f'<text class="chart-value" x="{_coordinate(right + 6)}" y="{_coordinate(y + BAR_THICKNESS - 4)}" '
            f'font-size="{VALUE_FONT_SIZE}" fill="{INK}">{_escape(value_labels[index])}</text>'
        )
    body.append("</g>")
    chart_id = chart_id or _chart_id("funnel", title, (stages, values))
    return _svg(
        kind="funnel",
        chart_id=chart_id,
        title=title,
        description=description or "; ".join(f"{s}: {v}" for s, v in zip(stages, value_labels, strict=True)),
        width=width,
        height=top + band * len(stages),
        body=body,
    )
