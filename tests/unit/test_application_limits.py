"""The second table of limits, the application's, and how it is configured."""

from __future__ import annotations

import pytest

from amazon_jobs.config import load_settings
from amazon_jobs.domain.limits import Limit, Operation, application_limits_for
from amazon_jobs.errors import ConfigError
from amazon_jobs.runtime import Runtime


def test_amazons_documented_figures_per_application():
    limits = application_limits_for("sp-api")
    assert {op: limit.rate for op, limit in limits.items()} == {
        Operation.DELETE_LISTINGS_ITEM: 100,
        Operation.GET_LISTINGS_ITEM: 100,
        Operation.PATCH_LISTINGS_ITEM: 500,
        Operation.PUT_LISTINGS_ITEM: 100,
        Operation.GET_CATALOG_ITEM: 250,
        Operation.SEARCH_CATALOG_ITEMS: 500,
    }
    assert all(limit.burst == limit.rate for limit in limits.values())
    assert application_limits_for("seed") == limits, "Amazon applies them whatever we document"


def test_overrides_change_one_or_add_one():
    limits = application_limits_for(
        "sp-api",
        {"patchListingsItem": {"rate": 50}, "createReport": {"burst": 3, "rate": 0.5}},
    )
    assert limits[Operation.PATCH_LISTINGS_ITEM] == Limit(500, 50)
    assert limits[Operation.CREATE_REPORT] == Limit(3, 0.5)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"noSuchCall": {"rate": 1}}, "unknown operation 'noSuchCall' in application_limits"),
        ({"createReport": {"rate": 1}}, "burst"),
        ({"getListingsItem": {"rate": 0}}, "rate > 0"),
    ],
)
def test_bad_overrides_are_refused_with_the_table_named(overrides, message):
    with pytest.raises(ConfigError, match="application_limits") as refused:
        load_settings(environ={}, application_limits=overrides)
    assert message in str(refused.value)


def test_the_file_sets_them_and_the_runtime_uses_them(tmp_path):
    config = tmp_path / "amazon-jobs.toml"
    config.write_text("[application_limits.searchCatalogItems]\nburst = 4\nrate = 2\n")
    settings = load_settings(
        environ={"AMAZON_JOBS_CONFIG": str(config)},
        database_url=f"sqlite:///{tmp_path / 'a.db'}",
        clock="virtual",
    )
    rt = Runtime.build(settings)
    try:
        assert rt.throttle.application_limits[Operation.SEARCH_CATALOG_ITEMS] == Limit(4, 2.0)
        assert rt.throttle.application_limits[Operation.PATCH_LISTINGS_ITEM].rate == 500
    finally:
        rt.close()


def test_the_environment_cannot_set_the_table(tmp_path):
    env = {"AMAZON_JOBS_APPLICATION_LIMITS": "anything"}
    assert load_settings(environ=env).application_limits == {}
