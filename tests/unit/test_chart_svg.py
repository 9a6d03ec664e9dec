"""The SVG chart renderer: valid XML, geometry proportional to the data, text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from amazon_jobs.store.charts import BucketMinutes, Durations
from amazon_jobs.web.charts import Chart, Series, render_svg, sparkline
from amazon_jobs.web.charts.build import (
    errors_chart,
    jobs_chart,
    quota_chart,
    time_to_done_chart,
    window,
)
from amazon_jobs.web.charts.svg import nice_max

NS = {"s": "http://www.w3.org/2000/svg"}
XSS = '<script>alert("x")</script>&'
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)


def parse(markup: str) -> ET.Element:
    return ET.fromstring(str(markup))


def chart(kind: str = "bar", **kw: object) -> Chart:
    args: dict[str, object] = {
        "key": "c",
        "title": "T",
        "kind": kind,
        "labels": ("a", "b", "c"),
        "series": (Series("one", (1.0, 2.0, 4.0), "tone-0"),),
        "unit": "jobs",
    }
    args.update(kw)
    return Chart(**args)  # type: ignore[arg-type]


def heights(root: ET.Element) -> list[float]:
    return [float(r.get("height", "0")) for r in root.iterfind(".//s:rect[@data-value]", NS)]


def test_bars_are_proportional_to_their_values():
    root = parse(render_svg(chart()))
    assert root.get("role") == "img"
    assert root.find("s:title", NS).text == "T"  # type: ignore[union-attr]
    h = heights(root)
    assert len(h) == 3
    assert h[1] == pytest.approx(2 * h[0], rel=1e-3)
    assert h[2] == pytest.approx(4 * h[0], rel=1e-3)
    # the axis ends at the nice maximum above the tallest bar (4 → 5): 4/5 of the plot
    assert root.get("data-y-max") == "5"
    grid_ys = sorted(float(line.get("y1", "0")) for line in root.iterfind(".//s:line", NS))
    plot_h = grid_ys[-1] - grid_ys[0]
    assert h[2] == pytest.approx(plot_h * 4 / 5, rel=1e-3)


def test_stacked_bars_sit_on_each_other_and_skip_zeros():
    stacked = chart(
        "stacked",
        series=(
            Series("ok", (1.0, 0.0, 3.0), "tone-done"),
            Series("bad", (1.0, 2.0, 0.0), "tone-error"),
        ),
    )
    rects = parse(render_svg(stacked)).findall(".//s:rect[@data-value]", NS)
    assert [r.get("data-value") for r in rects] == ["1", "1", "2", "3"]
    first_ok, first_bad = rects[0], rects[1]
    # the second series starts where the first ends, same column
    assert float(first_bad.get("y", "0")) + float(first_bad.get("height", "0")) == pytest.approx(
        float(first_ok.get("y", "0")), abs=0.02
    )
    assert first_ok.get("x") == first_bad.get("x")
    assert float(rects[3].get("height", "0")) == pytest.approx(
        1.5 * float(rects[2].get("height", "0")), rel=1e-3
    )


def test_lines_put_points_at_their_values():
    root = parse(render_svg(chart("line")))
    dots = root.findall(".//s:circle", NS)
    assert [d.get("data-value") for d in dots] == ["1", "2", "4"]
    axis_y = max(float(line.get("y1", "0")) for line in root.iterfind(".//s:line", NS))
    rises = [axis_y - float(d.get("cy", "0")) for d in dots]
    assert rises[1] == pytest.approx(2 * rises[0], rel=1e-3)
    assert rises[2] == pytest.approx(4 * rises[0], rel=1e-3)
    assert root.find(".//s:polyline", NS) is not None


def test_every_text_is_escaped():
    hostile = chart(
        key="k",
        title=XSS,
        labels=(XSS, "b", "c"),
        series=(Series(XSS, (1.0, 2.0, 3.0), "tone-0"),),
        unit=XSS,
        summary=XSS,
    )
    for markup in (render_svg(hostile), sparkline(hostile)):
        assert "<script" not in markup
        root = parse(markup)  # still well-formed
        texts = [el.text for el in root.iter() if el.text]
        assert any(XSS in t for t in texts) or XSS in (root.get("aria-label") or "")
    legend = parse(render_svg(hostile)).findall(".//s:text[@class='legend-label']", NS)
    assert [t.text for t in legend] == [XSS]


def test_empty_chart_says_so():
    empty = chart(series=(Series("one", (0.0, 0.0, 0.0), "tone-0"),))
    root = parse(render_svg(empty))
    assert heights(root) == []
    assert "Nothing in this period" in str(render_svg(empty))


def test_series_must_match_the_labels():
    with pytest.raises(ValueError, match="values"):
        chart(series=(Series("one", (1.0,), "tone-0"),))


@pytest.mark.parametrize(
    ("value", "expected"), [(0, 1), (1, 1), (3, 5), (7, 10), (12, 20), (0.3, 0.5), (240, 250)]
)
def test_nice_max(value, expected):
    assert nice_max(value) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("y_max", "labels"), [(2, "0 0.5 1 1.5 2"), (5, "0 1 2 3 4 5"), (250, "0 50 100 150 200 250")]
)
def test_y_axis_ticks_are_round(y_max, labels):
    root = parse(render_svg(chart(series=(Series("one", (y_max, 0.0, 0.0), "tone-0"),))))
    texts = [t.text for t in root.iterfind(".//s:text[@text-anchor='end']", NS)][1:]
    assert " ".join(texts) == labels


def test_jobs_chart_has_one_column_per_hour_and_a_series_per_status():
    w = window(NOW, 3600, 24)
    current = int(NOW.timestamp() // 3600)
    counts = {(current, "done"): 3, (current, "error"): 1, (current - 23, "done"): 2}
    c = jobs_chart(counts, w, "day")
    assert len(c.labels) == 24 and c.labels[-1] == "09:00" and c.labels[0] == "10:00"
    assert [s.name for s in c.series] == ["Done", "Error"]
    assert c.series[0].values[-1] == 3 and c.series[0].values[0] == 2
    # the table leaves out the hours without any job
    assert c.rows() == [("10:00", ["2", "0"]), ("09:00", ["3", "1"])]


def test_errors_chart_keeps_the_top_codes_and_sums_the_rest():
    w = window(NOW, 86400, 7)
    day = int(NOW.timestamp() // 86400)
    counts = {(day, f"E{n}"): 10 - n for n in range(9)} | {(day - 30, "OLD"): 99}
    c = errors_chart(counts, w, "week")
    assert [s.name for s in c.series][:2] == ["E0", "E1"]
    assert c.series[-1].name == "other codes" and c.series[-1].values[-1] == 3 + 2
    assert "OLD" not in {s.name for s in c.series}


def test_time_to_done_in_a_readable_unit():
    c = time_to_done_chart({"update_qty": Durations(4, 300.0, 900.0)}, "day")
    assert c.unit == "min" and c.labels == ("Update Products QTY",)
    assert [s.values for s in c.series] == [(5.0,), (15.0,)]


def test_quota_chart_groups_minutes_of_the_last_hour():
    minute = int(NOW.timestamp() // 60)
    bucket = BucketMinutes(
        1, "us", "createFeed", {minute: 2, minute - 1: 1, minute - 90: 5}, {minute: 1}
    )
    c = quota_chart(bucket, NOW)
    assert len(c.labels) == 12
    assert c.series[0].values[-2:] == (1, 2) and sum(c.series[0].values) == 3
    assert c.series[1].values[-1] == 1
