"""The Vietnamese number formatter and the server-rendered SVG charts of the dashboard."""

from __future__ import annotations

from decimal import Decimal
from xml.etree import ElementTree

import pytest
from django.template import Context, Template

from motcua.reports import charts
from motcua.reports.templatetags.vi_numbers import vi_number, vi_percent

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: str) -> ElementTree.Element:
    """The chart as XML: raises if it is not well-formed."""
    return ElementTree.fromstring(str(markup))


def bars(root: ElementTree.Element) -> list[ElementTree.Element]:
    return [e for e in root.iter(f"{SVG}rect") if e.get("class") == "bar"]


def texts(root: ElementTree.Element) -> list[str]:
    return ["".join(e.itertext()) for e in root.iter(f"{SVG}text")]


class TestViNumber:
    @pytest.mark.parametrize(
        ("value", "decimals", "expected"),
        [
            (0, 0, "0"),
            (7, 0, "7"),
            (999, 0, "999"),
            (3366, 0, "3.366"),
            (1234567, 0, "1.234.567"),
            (-3366, 0, "-3.366"),
            (2.994, 2, "2,99"),
            (2.995, 2, "3,00"),  # half up, on the decimal value, not the binary float
            (1234.5, 2, "1.234,50"),
            (Decimal("90.09"), 2, "90,09"),
        ],
    )
    def test_thousands_with_dots_decimals_with_commas(self, value, decimals, expected):
        assert vi_number(value, decimals) == expected

    def test_missing_is_a_dash_not_zero(self):
        assert vi_number(None) == "—"


class TestViPercent:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [
            (99.63, "99,63%"),
            (66.67, "66,67%"),
            (12.5, "12,50%"),
            (100.0, "100%"),
            (0, "0%"),
            (0.005, "0,01%"),
        ],
    )
    def test_two_decimals_with_a_comma(self, value, expected):
        assert vi_percent(value) == expected

    def test_not_applicable_is_a_dash(self):
        assert vi_percent(None) == "—"


class TestTemplateFilters:
    def test_filters_in_a_template(self):
        template = Template(
            "{% load vi_numbers %}{{ n|vi_number }} {{ r|vi_percent }} {{ d|vi_number:2 }}"
        )
        rendered = template.render(Context({"n": 3366, "r": 99.63, "d": 2.5}))
        assert rendered == "3.366 99,63% 2,50"


class TestNiceCeiling:
    @pytest.mark.parametrize(
        ("value", "expected"), [(0, 1), (7, 10), (13, 20), (20, 20), (23, 25), (3366, 5000)]
    )
    def test_round_axis_maximum(self, value, expected):
        assert charts.nice_ceiling(value) == expected


class TestAxisMaximum:
    @pytest.mark.parametrize(
        ("value", "expected"),
        [(1, 4), (4, 4), (5, 8), (13, 20), (20, 20), (70, 80), (90, 100), (3366, 4000)],
    )
    def test_four_whole_round_steps(self, value, expected):
        assert charts.axis_maximum(value) == expected

    def test_gridline_labels_are_whole_numbers(self):
        root = parse(charts.column_chart(["7/2025"], [5], title="T"))
        assert {"0", "2", "4", "6", "8"} <= set(texts(root))


class TestColumnChart:
    def test_bar_heights_are_proportional_to_values(self):
        root = parse(charts.column_chart(["7/2025", "8/2025", "9/2025"], [10, 20, 5], title="T"))
        heights = [float(b.get("height")) for b in bars(root)]
        assert [float(b.get("data-value")) for b in bars(root)] == [10, 20, 5]
        assert heights[1] == pytest.approx(2 * heights[0])
        assert heights[2] == pytest.approx(heights[0] / 2)

    def test_values_are_written_the_vietnamese_way(self):
        root = parse(charts.column_chart(["A", "B"], [3366, 1200], title="Hồ sơ"))
        assert "3.366" in texts(root) and "1.200" in texts(root)
        assert root.get("role") == "img" and root.find(f"{SVG}title").text == "Hồ sơ"

    def test_labels_are_escaped(self):
        root = parse(charts.column_chart(["<b>&"], [1], title="a < b & c"))
        assert "<b>&" in texts(root)
        assert root.find(f"{SVG}title").text == "a < b & c"

    def test_empty_data_says_so(self):
        for markup in (
            charts.column_chart([], [], title="T"),
            charts.column_chart(["7/2025"], [0], title="T"),
        ):
            root = parse(markup)
            assert bars(root) == []
            assert "Chưa có số liệu trong kỳ báo cáo." in texts(root)


class TestLineChart:
    def test_points_at_their_percentages(self):
        series = [
            charts.Series("Đúng hạn", [100.0, 50.0, None]),
            charts.Series("Trực tuyến", [0.0, 25.0, 75.0]),
        ]
        root = parse(charts.line_chart(["7/2025", "8/2025", "9/2025"], series, title="T"))
        groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "point"]
        on_time = [g for g in groups if g.get("data-series") == "Đúng hạn"]
        assert [float(g.get("data-value")) for g in on_time] == [100.0, 50.0]  # None: no point
        circles = [g.find(f"{SVG}circle") for g in on_time]
        y100, y50 = (float(c.get("cy")) for c in circles)
        online = [g for g in groups if g.get("data-series") == "Trực tuyến"]
        y0 = float(online[0].find(f"{SVG}rect").get("y")) + 6
        assert y0 - y50 == pytest.approx(y50 - y100)  # 0 → 50 → 100 evenly spaced
        assert "50%" in texts(root) and "25%" in texts(root)
        assert "Đúng hạn" in texts(root) and "Trực tuyến" in texts(root)  # the legend

    def test_no_figures_at_all(self):
        root = parse(charts.line_chart(["7/2025"], [charts.Series("A", [None])], title="T"))
        assert "Chưa có số liệu trong kỳ báo cáo." in texts(root)


class TestStackedColumns:
    def test_parts_stack_to_the_total(self):
        stacks = [
            charts.Series("Trước hạn", [4, 0]),
            charts.Series("Đúng hạn", [2, 3]),
            charts.Series("Trễ hạn", [2, 0]),
        ]
        root = parse(charts.stacked_columns(["7/2025", "8/2025"], stacks, title="T"))
        first = [b for b in bars(root) if float(b.get("x")) < 400]
        heights = {b.get("data-series"): float(b.get("height")) for b in first}
        assert heights["Trước hạn"] == pytest.approx(2 * heights["Đúng hạn"])
        assert heights["Đúng hạn"] == pytest.approx(heights["Trễ hạn"])
        # Zero parts draw nothing; the totals are written above the columns.
        assert len(bars(root)) == 4
        assert "8" in texts(root) and "3" in texts(root)

    def test_empty(self):
        root = parse(charts.stacked_columns([], [charts.Series("A", [])], title="T"))
        assert "Chưa có số liệu trong kỳ báo cáo." in texts(root)


class TestHorizontalBars:
    def test_widths_proportional_and_target_marked(self):
        items = [
            charts.Bar("Đúng hạn (2.1)", 99.63, target=99.0),
            charts.Bar("Trực tuyến (3.3)", 49.8, target=98.0),
            charts.Bar("Kết quả điện tử (4.1)", None),
        ]
        root = parse(charts.horizontal_bars(items, title="T", percent=True))
        widths = [float(b.get("width")) for b in bars(root)]
        assert widths[0] == pytest.approx(widths[1] * 99.63 / 49.8, rel=1e-3)
        assert widths[2] == 0
        targets = [e for e in root.iter(f"{SVG}line") if e.get("class") == "target"]
        assert [float(t.get("data-target")) for t in targets] == [99.0, 98.0]
        labels = texts(root)
        assert "99,63%" in labels  # met: no mark
        assert "49,80% ✗ chưa đạt 98%" in labels  # missed: a mark in words, not colour only
        assert "—" in labels

    def test_long_labels_are_shortened_with_the_full_name_kept(self):
        name = "Thành lập và hoạt động doanh nghiệp (hộ kinh doanh) – đăng ký thay đổi"
        root = parse(charts.horizontal_bars([charts.Bar(name, 3)], title="T"))
        label = next(e for e in root.iter(f"{SVG}text") if e.find(f"{SVG}title") is not None)
        assert label.text.endswith("…") and label.find(f"{SVG}title").text == name

    def test_empty(self):
        assert "Chưa có số liệu" in str(charts.horizontal_bars([], title="T"))
        root = parse(charts.horizontal_bars([charts.Bar("A", None)], title="T", percent=True))
        assert bars(root) == []
