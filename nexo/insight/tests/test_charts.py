"""The SVG charts, on plain values: escaped, accessible, one bar per value, rounded ticks, negatives, empty data;
and a property: whatever the series, the drawing is well-formed XML."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nexo.insight.charts import Series, bar_chart, funnel_chart, line_chart, nice_ticks, truncate

D = Decimal
SVG = "{http://www.w3.org/2000/svg}"
MONTHS = ["Jan", "Feb", "Mar"]


def parsed(markup: str) -> ET.Element:
    return ET.fromstring(markup)


def bars(svg: ET.Element) -> list[ET.Element]:
    return [rect for rect in svg.iter(f"{SVG}rect") if "chart-bar" in (rect.get("class") or "")]


def texts(svg: ET.Element, css_class: str) -> list[str]:
    return ["".join(text.itertext()) for text in svg.iter(f"{SVG}text") if text.get("class") == css_class]


def view_box(svg: ET.Element) -> tuple[float, float]:
    _x, _y, width, height = (float(part) for part in svg.get("viewBox").split())
    return width, height


def test_text_is_escaped_everywhere():
    hostile = "<script>alert('x')</script> & \"quotes\""

    markup = bar_chart(title=hostile, categories=[hostile, "B"], series=[Series(hostile, [D(1), D(2)]),
                                                                           Series("Other", [D(3), D(4)])])  # fmt: skip

    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup
    svg = parsed(markup)
    assert svg.find(f"{SVG}title").text == hostile  # the parser gives back the text as it was


def test_a_chart_names_itself_for_assistive_technology():
    svg = parsed(bar_chart(title="Sales", categories=MONTHS, series=[Series("Won", [1, 2, 3])]))

    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert svg.get("role") == "img"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "Sales"
    assert desc.text == "Jan: 1, Feb: 2, Mar: 3"
    assert svg.get("viewBox").startswith("0 0 440 ")
    assert svg.get("width") == "100%" and svg.get("height") is None  # scales to its container


def test_one_bar_per_value_each_titled_with_its_category_series_and_value():
    svg = parsed(bar_chart(
        title="Quotations", categories=MONTHS,
        series=[Series("Sent", [4, 5, 6]), Series("Accepted", [1, 2, 3])], value_format=lambda v: f"{v} q",
    ))  # fmt: skip

    drawn = bars(svg)
    assert len(drawn) == 6
    assert [bar.find(f"{SVG}title").text for bar in drawn[:2]] == ["Jan — Sent: 4 q", "Jan — Accepted: 1 q"]
    assert texts(svg, "chart-value") == ["4 q", "1 q", "5 q", "2 q", "6 q", "3 q"]
    assert {bar.get("class").split()[-1] for bar in drawn} == {"chart-series-0", "chart-series-1"}


def test_a_legend_names_the_series_only_when_there_are_several():
    one = parsed(bar_chart(title="t", categories=MONTHS, series=[Series("Won", [1, 2, 3])]))
    two = parsed(
        bar_chart(title="t", categories=MONTHS, series=[Series("Won", [1, 2, 3]), Series("Lost", [0, 1, 0])])
    )

    def legend(svg):
        return [
            "".join(text.itertext()) for group in svg.iter(f"{SVG}g") if group.get("class") == "chart-legend"
            for text in group.iter(f"{SVG}text")
        ]  # fmt: skip

    assert legend(one) == []
    assert legend(two) == ["Won", "Lost"]


def test_bars_are_as_high_as_their_values_from_the_zero_line():
    svg = parsed(bar_chart(title="t", categories=["a", "b"], series=[Series("s", [D(100), D(50)])]))

    high, half = (float(bar.get("height")) for bar in bars(svg))
    assert high == pytest.approx(2 * half, abs=0.02)
    assert float(bars(svg)[0].get("y")) + high == pytest.approx(float(bars(svg)[1].get("y")) + half, abs=0.02)


def test_negative_values_hang_below_the_zero_line():
    svg = parsed(bar_chart(title="Margin", categories=["a", "b"], series=[Series("m", [D("-40"), D("80")])]))

    negative, positive = bars(svg)
    zero_line = float(positive.get("y")) + float(positive.get("height"))
    assert float(negative.get("y")) == pytest.approx(zero_line, abs=0.02)  # starts at zero, goes down
    assert float(negative.get("height")) == pytest.approx(float(positive.get("height")) / 2, abs=0.02)
    assert texts(svg, "chart-value") == ["-40", "80"]
    axis = [text.text for group in svg.iter(f"{SVG}g") if group.get("class") == "chart-axis"
            for text in group.iter(f"{SVG}text")]  # fmt: skip
    assert axis[0].startswith("-") and "0" in axis


def test_horizontal_and_stacked_bars():
    horizontal = parsed(
        bar_chart(title="t", categories=["a", "b"], series=[Series("s", [D(3), D(-1)])], horizontal=True)
    )
    stacked = parsed(bar_chart(
        title="t", categories=["a"], series=[Series("x", [D(2)]), Series("y", [D(3)]), Series("z", [D(-1)])],
        stacked=True,
    ))  # fmt: skip

    widths = [float(bar.get("width")) for bar in bars(horizontal)]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.02)
    x_bar, y_bar, z_bar = bars(stacked)
    assert float(x_bar.get("y")) == pytest.approx(
        float(y_bar.get("y")) + float(y_bar.get("height")), abs=0.02
    )
    assert float(z_bar.get("y")) == pytest.approx(
        float(x_bar.get("y")) + float(x_bar.get("height")), abs=0.02
    )
    assert texts(stacked, "chart-value") == ["4"]  # the category's total


def test_a_long_category_is_truncated_with_an_ellipsis_and_kept_whole_in_titles():
    name = "Suministros Eléctricos del Mediterráneo, S.L."

    svg = parsed(bar_chart(title="t", categories=[name, "B"], series=[Series("s", [1, 2])], horizontal=True))

    label = next(text for text in svg.iter(f"{SVG}text") if text.get("class") == "chart-category")
    assert label.text.endswith("…") and len(label.text) < len(name)
    assert label.find(f"{SVG}title").text == name
    assert bars(svg)[0].find(f"{SVG}title").text == f"{name}: 1"
    assert truncate("abcdef", 4) == "abc…" and truncate("abc", 4) == "abc"


def test_ticks_are_round_and_cover_zero_and_the_data():
    assert nice_ticks(0, D("1234")) == [D(0), D(250), D(500), D(750), D(1000), D(1250)]
    assert nice_ticks(D("-5"), D("3")) == [D(-6), D(-4), D(-2), D(0), D(2), D(4)]
    assert nice_ticks(D("10"), D("90")) == [
        D(0),
        D(20),
        D(40),
        D(60),
        D(80),
        D(100),
    ]  # from zero, not from 10
    assert nice_ticks(0, 0, integral=True) == [0, 1]  # all zero: 0 to 1
    assert nice_ticks(0, 7, integral=True) == [0, 2, 4, 6, 8]
    assert nice_ticks(0, 2, integral=True) == [0, 1, 2]  # counts never step by halves
    assert nice_ticks(0, D("0.003")) == [D("0.000"), D("0.001"), D("0.002"), D("0.003")]
    assert all("E" not in str(tick) for tick in nice_ticks(0, D("1E+9")))


def test_all_zero_values_draw_flat_bars_on_an_axis():
    svg = parsed(bar_chart(title="t", categories=MONTHS, series=[Series("s", [0, 0, 0])]))

    assert [float(bar.get("height")) for bar in bars(svg)] == [0, 0, 0]
    assert texts(svg, "chart-value") == ["0", "0", "0"]


def test_a_single_category_draws_one_bar():
    svg = parsed(bar_chart(title="t", categories=["Only"], series=[Series("s", [D("12.5")])]))

    assert len(bars(svg)) == 1 and float(bars(svg)[0].get("height")) > 0


@pytest.mark.parametrize(
    "markup",
    [
        bar_chart(title="Empty", categories=[], series=[], empty_text="Nothing here"),
        bar_chart(title="Empty", categories=["a"], series=[], empty_text="Nothing here"),
        line_chart(title="Empty", categories=[], series=[Series("s", [])], empty_text="Nothing here"),
        funnel_chart(title="Empty", stages=[], values=[], empty_text="Nothing here"),
    ],
)
def test_no_data_draws_a_readable_message(markup):
    svg = parsed(markup)

    assert texts(svg, "chart-empty") == ["Nothing here"]
    assert svg.find(f"{SVG}desc").text == "Nothing here"
    assert bars(svg) == []


def test_a_long_message_is_wrapped_inside_a_narrow_drawing():
    message = "Ninguna compra más cara que el coste presupuestado en el periodo elegido."
    svg = parsed(bar_chart(title="Empty", categories=[], series=[], empty_text=message, width=300))

    lines = texts(svg, "chart-empty")
    assert len(lines) > 1 and " ".join(lines) == message
    width, _height = view_box(svg)
    assert all(len(line) * 14 * 0.62 <= width - 24 for line in lines)  # the renderer's width estimate


def test_values_and_categories_must_match():
    with pytest.raises(ValueError, match="2 values for 3 categories"):
        bar_chart(title="t", categories=MONTHS, series=[Series("s", [1, 2])])


def test_a_line_per_series_with_a_marker_per_value():
    svg = parsed(line_chart(
        title="Forecast", categories=MONTHS, series=[Series("Weighted", [D(10), D(-5), D(20)]),
                                                     Series("Best", [D(30), D(30), D(40)])],
    ))  # fmt: skip

    paths = [path for path in svg.iter(f"{SVG}path") if "chart-line" in path.get("class")]
    assert len(paths) == 2 and all(path.get("d").count("L") == 2 for path in paths)
    assert len(list(svg.iter(f"{SVG}circle"))) == 6
    assert texts(svg, "chart-value") == ["20", "40"]  # with two lines, each line's last value


def test_a_funnel_draws_each_stage_as_wide_as_its_share_of_the_widest():
    svg = parsed(
        funnel_chart(title="Pipeline", stages=["New", "Proposal", "Won"], values=[D(1000), D(250), D(0)])
    )

    widths = [float(bar.get("width")) for bar in bars(svg)]
    assert widths[0] == pytest.approx(4 * widths[1], abs=0.02) and widths[2] == 0
    assert texts(svg, "chart-value") == ["1000", "250", "0"]


def test_geometry_is_written_with_two_decimals_never_in_exponent_notation():
    markup = bar_chart(title="t", categories=["a", "b"], series=[Series("s", [D("1E+12"), D("0.000001")])])

    svg = parsed(markup)
    for bar in bars(svg):
        for attribute in ("x", "y", "width", "height"):
            assert "E" not in bar.get(attribute) and bar.get(attribute).split(".")[1].__len__() == 2


# Whatever the data, a well-formed drawing

amounts = st.one_of(
    st.integers(min_value=-(10**9), max_value=10**9),
    st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
)
labels = st.text(min_size=0, max_size=40)


@st.composite
def charts_data(draw):
    categories = draw(st.lists(labels, min_size=0, max_size=14))
    series = draw(st.lists(
        st.builds(Series, label=labels, values=st.lists(amounts, min_size=len(categories), max_size=len(categories))),
        min_size=0, max_size=4,
    ))  # fmt: skip
    return categories, series


@given(data=charts_data(), horizontal=st.booleans(), stacked=st.booleans(), title=labels)
def test_any_bar_chart_is_well_formed_xml_with_one_bar_per_value(data, horizontal, stacked, title):
    categories, series = data

    svg = parsed(
        bar_chart(title=title, categories=categories, series=series, horizontal=horizontal, stacked=stacked)
    )

    expected = len(categories) * len(series) if categories and series else 0
    assert len(bars(svg)) == expected
    width, height = view_box(svg)
    assert width > 0 and height > 0
    for bar in bars(svg):
        assert float(bar.get("width")) >= 0 and float(bar.get("height")) >= 0


@given(data=charts_data(), title=labels)
def test_any_line_chart_is_well_formed_xml(data, title):
    categories, series = data

    svg = parsed(line_chart(title=title, categories=categories, series=series))

    assert len(list(svg.iter(f"{SVG}circle"))) == (
        len(categories) * len(series) if categories and series else 0
    )


@given(values=st.lists(amounts, max_size=10), title=labels)
def test_any_funnel_is_well_formed_xml(values, title):
    svg = parsed(funnel_chart(title=title, stages=[f"Stage {n}" for n in range(len(values))], values=values))

    assert len(bars(svg)) == len(values)
