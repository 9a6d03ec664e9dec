"""An audit of every SP-API operation the simulator serves: its refusals and faults
(403 without a token, 429, 500, 503) answer at a status its model declares, with the
body its model gives that status (objects closed) and only the headers the model
declares for it. The routes are read from the app, so a new operation is audited
without editing this test; each API's own tests check its successes the same way."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts

from amazon_jobs.simulator import Simulator, SimulatorConfig, create_app

from .helpers import MODELS, model_validator

#: The model of each SP-API the simulator serves, by path prefix.
MODEL_OF = {
    "/feeds/2021-06-30": "feeds_2021-06-30.json",
    "/reports/2021-06-30": "reports_2021-06-30.json",
    "/catalog/2022-04-01": "catalogItems_2022-04-01.json",
    "/orders/v0": "ordersV0.json",
    "/orders/2026-01-01": "orders_2026-01-01.json",
    "/listings/2021-08-01": "listingsItems_2021-08-01.json",
}
NOT_SP_API = ("/auth/", "/_sim/", "/_s3/")


def sp_api_routes() -> list[tuple[str, str, str]]:
    """(method, path, model) of every SP-API route of the simulator's app."""
    app = create_app(Simulator(SimulatorConfig.focused()))
    found = []
    for route in iter_route_contexts(app.routes):
        original = route.original_route
        assert isinstance(original, APIRoute), original
        if route.path.startswith(NOT_SP_API):
            continue
        (model,) = [m for prefix, m in MODEL_OF.items() if route.path.startswith(prefix)]
        found.extend((method, route.path, model) for method in sorted(route.methods or ()))
    return found


ROUTES = sp_api_routes()


@cache
def model_operation(model: str, method: str, path: str) -> dict[str, Any]:
    """The model's operation for *path* (parameter names may differ)."""
    paths = json.loads((MODELS / model).read_text())["paths"]
    shape = re.sub(r"\{[^}]+\}", "{}", path)
    for candidate, operations in paths.items():
        if re.sub(r"\{[^}]+\}", "{}", candidate) == shape and method.lower() in operations:
            return dict(operations[method.lower()])
    raise AssertionError(f"{method} {path} is not in {model}")


def audit(response, model: str, method: str, path: str) -> None:
    declared = model_operation(model, method, path)["responses"]
    status = str(response.status_code)
    assert status in declared, f"{method} {path} answered {status}, not in the model"
    definition = declared[status]["schema"]["$ref"].rsplit("/", 1)[-1]
    model_validator(model, definition, closed=True).validate(response.json())
    headers = declared[status].get("headers", {})
    assert response.headers["x-amzn-RequestId"]
    rated = "x-amzn-RateLimit-Limit" in response.headers
    assert rated == ("x-amzn-RateLimit-Limit" in headers), (method, path, status)


def test_every_operation_of_every_api_is_audited():
    models = {model for _, _, model in ROUTES}
    assert models == set(MODEL_OF.values())
    listings = {(m, p) for m, p, model in ROUTES if model.startswith("listingsItems")}
    assert {m for m, _ in listings} == {"GET", "PUT", "PATCH", "DELETE"}
    assert len(ROUTES) >= 20


@pytest.mark.parametrize(("method", "path", "model"), ROUTES)
def test_refusals_and_faults_answer_as_the_model_says(sp, http, simulator, method, path, model):
    url = re.sub(r"\{[^}]+\}", "X1", path)
    audit(http.request(method, url), model, method, path)  # no access token: 403
    for status in (500, 503, 429):
        simulator.faults.set_error_rate(1.0, statuses=[status])
        response = sp.request(method, url, json={})
        assert response.status_code == status
        audit(response, model, method, path)
    simulator.faults.clear()
