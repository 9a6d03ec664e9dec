"""Schemathesis against the served OpenAPI schema, with the token: valid and invalid
requests to every operation; never a 500, and every error in the one shape."""

from __future__ import annotations

import httpx
import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.api_helpers import ERROR_KEYS, assert_error, create_jobs  # noqa: E402
from tests.integration.conftest import sku  # noqa: E402

pytestmark = pytest.mark.timeout(300)

#: Examples per operation and generation mode: enough to hit every parameter's edges,
#: small enough to keep the whole run (two databases) well under a minute.
EXAMPLES = 15
#: Calls the real Amazon, or whatever endpoint a generated account or shop names: tested
#: by hand (test_account_endpoints.py, test_shops_web.py).
SKIPPED = {
    ("POST", "/api/v1/accounts/{account_id}/test"),
    ("POST", "/api/v1/shops/{shop_id}/test"),
}


BAD_TOKEN = {"Authorization": "Bearer aj_not-a-token"}

#: Every answer is documented: its status, its content type and its body's schema.
CONFORMANCE = [status_code_conformance, content_type_conformance, response_schema_conformance]


def check_answer(case, response):
    where = f"{case.method} {case.formatted_path} -> {response.status_code}"
    assert response.status_code < 500, f"{where}: {response.text[:500]}"
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == ERROR_KEYS, where
        assert body["error"]["status"] == response.status_code, where
        assert body["error"]["message"], where
    case.validate_response(response, checks=CONFORMANCE)


@pytest.mark.long  # a minute or two of a busy machine: make test-long's
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the API is the same on both
def test_no_request_makes_a_500_and_every_error_has_the_one_shape(shop, web):
    create_jobs(web, type="update_qty", skus=[sku(1)])
    schema = schemathesis.openapi.from_url(
        f"{web.url}/api/v1/openapi.json", headers={"Authorization": f"Bearer {web.token}"}
    )
    auth = {"Authorization": f"Bearer {web.token}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    tested = 0
    for operation in operations:
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
            def requests_made(case):
                check_answer(case, case.call(base_url=web.url, headers=auth))

            try:
                requests_made()
            except Unsatisfiable:
                # Nothing of the operation can be made invalid (no parameter, no body).
                assert mode is schemathesis.GenerationMode.NEGATIVE, operation.path
        tested += 1
    assert tested == len(operations) - len(SKIPPED) >= 24


def test_the_schema_is_served_to_a_token_or_a_session_only(web):
    """The test above reads the schema with the token; without one a program gets the one
    error shape's 401, and a logged-in browser the same schema."""
    assert_error(httpx.get(f"{web.url}/api/v1/openapi.json"), 401)
    assert_error(httpx.get(f"{web.url}/api/v1/openapi.json", headers=BAD_TOKEN), 401)
    with_token = web.api.get("/api/v1/openapi.json")
    assert with_token.status_code == 200 and with_token.json()["paths"]
    assert web.browser.get("/api/v1/openapi.json").json() == with_token.json()
