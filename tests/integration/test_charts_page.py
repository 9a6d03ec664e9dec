"""The Charts page over real HTTP, on jobs the worker really ran against the simulator:
each chart's table says what the SVG draws; the Quota page has its small charts."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from amazon_jobs.domain.jobs import JobType
from amazon_jobs.handlers.reservation import Selection
from amazon_jobs.service import create_listings_job
from tests.integration.conftest import sku

pytestmark = pytest.mark.timeout(120)
SVG = "{http://www.w3.org/2000/svg}"


def figure(html: str, key: str) -> str:
    start = html.index(f'data-chart="{key}"')
    return html[start : html.index("</figure>", start)]


def table(fig: str) -> dict[str, list[str]]:
    """The table behind a chart: {row label: values}."""
    head = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', fig)
    rows = re.findall(r'<tr><th scope="row">([^<]*)</th>(.*?)</tr>', fig, re.S)
    found = {label: re.findall(r'<td class="num">([^<]*)</td>', cells) for label, cells in rows}
    found["#"] = head
    return found


def svg_values(fig: str) -> list[float]:
    root = ET.fromstring(fig[fig.index("<svg") : fig.index("</svg>") + len("</svg>")])
    return [float(el.get("data-value", "0")) for el in root.iter() if el.get("data-value")]


def run_jobs(shop):
    for job_type, skus in ((JobType.UPDATE_QTY, (0, 1, 3)), (JobType.UPDATE_PRICE, (2,))):
        selection = Selection(skus=tuple(sku(n) for n in skus))
        create_listings_job(shop.rt, job_type, shop.account_id, selection)
    shop.run_worker()


def test_charts_page_tables_match_the_jobs(shop, web):
    run_jobs(shop)
    html = web.browser.get("/charts").text
    assert 'aria-current="page">Last day<' in html

    jobs = table(figure(html, "jobs-day"))
    assert jobs["#"] == ["Hour (UTC)", "Done (jobs)"]
    assert jobs["09:00"] == ["2"]
    assert sum(int(v[0]) for k, v in jobs.items() if k != "#") == 2
    assert sorted(svg_values(figure(html, "jobs-day"))) == [2.0]

    done = table(figure(html, "done-day"))
    assert set(done) - {"#"} == {"Update Products QTY", "Update Products Price"}

    errors = figure(html, "errors-day")
    codes = table(errors)["#"][1:]
    assert len(codes) == 1  # the SKU Amazon does not know, one failed item
    assert "Items failed in the last day: 1; most often" in errors
    assert svg_values(errors) == [1.0]

    quota = figure(html, f"quota-{shop.account_id}-createFeed")
    calls = table(quota)
    assert calls["#"] == ["Minute (UTC)", "calls (calls)", "429s (calls)"]
    assert sum(int(v[0]) for k, v in calls.items() if k != "#") == 2


def test_week_range_and_bad_ranges(shop, web):
    run_jobs(shop)
    week = web.browser.get("/charts", params={"range": "week"}).text
    jobs = figure(week, "jobs-week")
    assert week.count('data-chart="jobs-week"') == 1
    assert len(re.findall(r'<text class="axis-label"[^>]*text-anchor="middle"', jobs)) > 6
    assert table(jobs) == {"#": ["Hour (UTC)", "Done (jobs)"], "Fri 09:00": ["2"]}
    assert "Rows where every value is 0 are left out" in jobs
    errors = table(figure(week, "errors-week"))
    assert [k for k in errors if k != "#"] == ["Fri 27 Nov"]
    assert web.browser.get("/charts", params={"range": "year"}).status_code == 200
    assert 'data-chart="jobs-day"' in web.browser.get("/charts", params={"range": "x"}).text
    assert web.browser.get("/charts", params={"range": "<" * 5000}).status_code == 422


def test_quota_page_has_a_small_chart_per_bucket(shop, web):
    run_jobs(shop)
    html = web.browser.get("/quota").text
    row = html[html.index('data-operation="createFeed"') :]
    row = row[: row.index("</tr>")]
    spark = row[row.index("<svg") : row.index("</svg>", row.index('class="sparkline"')) + 6]
    spark = spark[spark.index('<svg xmlns="http://www.w3.org/2000/svg" class="sparkline"') :]
    root = ET.fromstring(spark)
    assert root.get("role") == "img"
    assert "createFeed: 2 calls and 0 429s" in (root.get("aria-label") or "")
    assert sum(float(el.get("data-value", "0")) for el in root.iter(f"{SVG}rect")) == 2
