"""The SVG charts: well-formed, accessible (role, title, description), one mark per figure,
text escaped. Pure functions: no app."""
import xml.etree.ElementTree as ET

from inquiry.reports import charts

NS = {"svg": "http://www.w3.org/2000/svg"}


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


def test_bar_chart_is_accessible_and_has_a_bar_per_value():
    root = parse(charts.bar_chart("Tickets by channel", ["telegram", "whatsapp", "x"], [5, 2, 0],
                                  x_label="Channel", y_label="Tickets"))
    assert root.get("role") == "img"
    title, desc = root.find("svg:title", NS), root.find("svg:desc", NS)
    assert title.text == "Tickets by channel"
    assert "telegram: 5" in desc.text and "x: 0" in desc.text
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    bars = root.findall("svg:rect", NS)
    assert [b.find("svg:title", NS).text for b in bars] == ["telegram: 5", "whatsapp: 2", "x: 0"]
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] > heights[1] > heights[2] == 0
    assert heights[0] / heights[1] == 5 / 2
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "Channel" in labels and "Tickets" in labels  # axis labels


def test_text_is_escaped():
    svg = charts.bar_chart('A <b>&"chart"', ["<script>"], [1], x_label="x & y", y_label="<n>")
    root = parse(svg)
    assert root.find("svg:title", NS).text == 'A <b>&"chart"'
    assert "<script>" not in svg


def test_line_chart_has_a_series_each_and_breaks_on_missing_values():
    root = parse(charts.line_chart("Attainment", ["Mon", "Tue", "Wed", "Thu"],
                                   {"First response": [1.0, None, 0.5, 0.75], "Resolution": [None, None, None, 1.0]},
                                   x_label="Day", y_label="Met", y_format=charts.percent_format, y_max=1.0))
    groups = root.findall("svg:g", NS)
    assert [g.get("data-series") for g in groups] == ["First response", "Resolution"]
    first, second = groups
    assert len(first.findall("svg:polyline", NS)) == 1 and len(first.findall("svg:circle", NS)) == 1
    assert len(first.find("svg:polyline", NS).get("points").split()) == 2
    assert len(second.findall("svg:circle", NS)) == 1 and not second.findall("svg:polyline", NS)
    ticks = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert "100%" in ticks and "0%" in ticks


def test_empty_data_still_draws_a_valid_chart():
    root = parse(charts.bar_chart("Nothing", [], [], x_label="x", y_label="y"))
    assert "No data" in [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    parse(charts.line_chart("Nothing", [], {"a": []}, x_label="x", y_label="y"))


def test_the_y_axis_top_is_a_round_number_at_or_above_the_largest():
    assert [charts._nice_max(v) for v in (0, 3, 7, 12, 99, 101, 0.4)] == [1, 5, 10, 20, 100, 200, 0.5]
