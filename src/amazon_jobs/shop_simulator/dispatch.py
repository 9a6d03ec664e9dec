"""One webservice request from start to answer, in ``WebserviceRequest::fetch``'s order:
key → resource exists (400/27) → resource granted (401/26) → method valid (405/23) →
method allowed for the resource (405/101) → method granted (405/25) → action.
"""

from __future__ import annotations

import difflib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from amazon_jobs.shop_simulator.actions import add_entity, delete_entities, update_entity
from amazon_jobs.shop_simulator.answers import JSON_TYPE, XML_TYPE, Answer
from amazon_jobs.shop_simulator.auth import REALM, Permissions, authenticate
from amazon_jobs.shop_simulator.body import parse_entities
from amazon_jobs.shop_simulator.errors import RawAnswer, WsError
from amazon_jobs.shop_simulator.query import Display, parse_display, parse_query, select
from amazon_jobs.shop_simulator.render_json import json_errors, json_list, json_single
from amazon_jobs.shop_simulator.render_xml import (
    xml_document,
    xml_entity,
    xml_errors,
    xml_index,
    xml_list,
    xml_schema,
)
from amazon_jobs.shop_simulator.resources import RESOURCES
from amazon_jobs.shop_simulator.schema import Resource
from amazon_jobs.shop_simulator.state import ShopSimulator
from amazon_jobs.shop_simulator.store import Row
from amazon_jobs.shop_simulator.view import entity_view
from amazon_jobs.shop_simulator.virtual_prices import price_fields

__all__ = ["WsRequest", "handle"]

_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True, slots=True)
class WsRequest:
    """A webservice request: ``url`` is what follows ``/api/`` (``products/1``)."""

    method: str
    url: str
    params: Sequence[tuple[str, str]]
    headers: Mapping[str, str]
    body: bytes
    base_url: str


def handle(sim: ShopSimulator, request: WsRequest) -> Answer:
    """The answer to *request* (never raises for a bad request)."""
    params = dict(request.params)
    json_out = "JSON" in (
        request.headers.get("io-format"),
        request.headers.get("output-format"),
        params.get("output_format"),
        params.get("io_format"),
    )
    try:
        permissions = authenticate(sim.config, request.headers, params)
    except RawAnswer as raw:
        return Answer(raw.status, raw.text, "text/plain", {"WWW-Authenticate": REALM})
    except WsError as error:
        return _stamp(sim, _error_answer(error, json_out), authenticated=False)
    try:
        with sim.lock:
            answer = _route(sim, request, params, permissions, json_out)
        _hold(sim, request.url, params.get("ps_method", request.method).upper())
    except WsError as error:
        answer = _error_answer(error, json_out)
    except RawAnswer as raw:
        answer = Answer(raw.status, raw.text, "text/html" if raw.text else "")
    return _conditional(request, _stamp(sim, answer, authenticated=True))


def _route(
    sim: ShopSimulator,
    request: WsRequest,
    params: dict[str, str],
    permissions: Permissions,
    json_out: bool,
) -> Answer:
    method = params.get("ps_method", request.method).upper()
    name, _, rest = request.url.strip("/").partition("/")
    api = (sim.config.shop_url or request.base_url).rstrip("/") + "/api/"
    if not name:
        if json_out:
            return Answer(500, "")
        allowed = [(r, _granted(r, permissions)) for r in RESOURCES.values()]
        return Answer(
            200, xml_index(api, sim.config.shop_name, [a for a in allowed if a[1]]), XML_TYPE
        )
    resource = _resource(name, permissions, method)
    status = sim.faults.failure(resource.name, method)
    if status is not None:
        return Answer(status, "")
    row_id = int(rest.split("/")[0]) if rest.split("/")[0].isdigit() else 0
    if method in ("GET", "HEAD"):
        answer = _get(sim, resource, row_id if rest else None, request.params, api, json_out)
        if method == "HEAD":
            answer.body = ""
        return answer
    if method == "DELETE":
        delete_entities(sim, resource, _delete_ids(row_id, params.get("id", "")))
        return Answer(200, "")
    entities = parse_entities(request.body)
    if method == "POST":
        rows = [add_entity(sim, resource, entity)[1] for entity in entities]
        return _written(sim, resource, rows, api, json_out, 201)
    ids = [e.values.get("id", "") for e in entities]
    duplicate = next((i for i in ids if i and ids.count(i) > 1), None)
    if duplicate:
        raise WsError(400, (89, f"The id {duplicate} is duplicate in the request"))
    updated = [update_entity(sim, resource, entity, method) for entity in entities]
    rows = [sim.store[resource.name].rows[i] for i in updated]
    return _written(sim, resource, rows, api, json_out, 200)


def _hold(sim: ShopSimulator, url: str, method: str) -> None:
    # Real seconds, outside the lock: the request has taken effect, the answer is late.
    delay = sim.faults.delay(url.strip("/").partition("/")[0], method)
    if delay:
        threading.Event().wait(delay)


def _granted(resource: Resource, permissions: Permissions) -> frozenset[str]:
    if permissions is None:
        return resource.methods
    return resource.methods & frozenset(permissions.get(resource.name, ()))


def _resource(name: str, permissions: Permissions, method: str) -> Resource:
    resource = RESOURCES.get(name)
    if resource is None:
        close = difflib.get_close_matches(name, list(RESOURCES), n=1)
        hint = f' Did you mean: "{close[0]}"?' if close else ""
        raise WsError(
            400,
            (
                27,
                f'Resource of type "{name}" does not exists.{hint} The full list is: "'
                + '", "'.join(RESOURCES)
                + '"',
            ),
        )
    if permissions is not None and name not in permissions:
        raise WsError(
            401, (26, f'Resource of type "{name}" is not allowed with this authentication key')
        )
    if method not in _METHODS:
        raise WsError(405, (23, f"Method {method} is not valid"))
    if method not in resource.methods:
        raise WsError(405, (101, f"Method {method} is not allowed for the resource {name}"))
    if method not in _granted(resource, permissions):
        raise WsError(
            405,
            (25, f"Method {method} is not allowed for this resource with this authentication key"),
        )
    return resource


def _get(
    sim: ShopSimulator,
    resource: Resource,
    row_id: int | None,
    params: Sequence[tuple[str, str]],
    api: str,
    json_out: bool,
) -> Answer:
    options = dict(params)
    languages = [int(r["id"]) for r in sim.store["languages"] if r.get("active") == "1"]
    if "schema" in options:
        if options["schema"] not in ("blank", "synopsis"):
            raise WsError(
                400,
                (
                    28,
                    "Please select a schema of type 'synopsis' to get the whole "
                    "schema informations (which fields are required, which kind of "
                    "content...) or 'blank' to get an empty schema to fill before "
                    "using POST request",
                ),
            )
        return Answer(
            200, xml_schema(api, resource, options["schema"] == "synopsis", languages), XML_TYPE
        )
    table = sim.store[resource.name]
    virtual = price_fields(sim.store, resource, params, sim.config.tax_rate)
    extra = [fld.name for fld, _ in virtual]
    if row_id is not None:
        display = parse_display(resource, options.get("display"), extra)
        row = table.rows.get(row_id)
        if row is None:
            return Answer(404, "")
        shown = display or Display(full=True)
        view = entity_view(sim.store, resource, row, shown, languages, virtual)
        if json_out:
            return Answer(200, json_single(view, display is not None), JSON_TYPE)
        return Answer(200, xml_document(xml_entity(api, view)), XML_TYPE)
    query = parse_query(resource, params, extra)
    rows = select(table, query)
    ids = [int(r["id"]) for r in rows]
    views = (
        [entity_view(sim.store, resource, r, query.display, languages, virtual) for r in rows]
        if query.display is not None
        else None
    )
    if json_out:
        return Answer(200, json_list(resource, ids, views), JSON_TYPE)
    return Answer(200, xml_list(api, resource, ids, views), XML_TYPE)


def _written(
    sim: ShopSimulator, resource: Resource, rows: list[Row], api: str, json_out: bool, status: int
) -> Answer:
    languages = [int(r["id"]) for r in sim.store["languages"] if r.get("active") == "1"]
    views = [entity_view(sim.store, resource, r, Display(full=True), languages) for r in rows]
    if json_out:
        return Answer(status, json_single(views[0], False) if views else "[]", JSON_TYPE)
    return Answer(status, xml_document("".join(xml_entity(api, v) for v in views)), XML_TYPE)


def _delete_ids(row_id: int, raw: str) -> list[int]:
    if row_id:
        return [row_id]
    parts = raw.strip("[]").replace("|", ",").split(",")
    return [int(p) for p in parts if p.strip().isdigit()]


def _error_answer(error: WsError, json_out: bool) -> Answer:
    if json_out:
        return Answer(error.status, json_errors(error.errors), JSON_TYPE)
    return Answer(error.status, xml_errors(error.errors), XML_TYPE)


def _stamp(sim: ShopSimulator, answer: Answer, authenticated: bool) -> Answer:
    answer.headers.update(
        {
            "PSWS-Version": sim.config.version if authenticated else "0",
            "X-Powered-By": "PrestaShop Webservice",
            "Execution-Time": "0.001",
            "Access-Time": str(int(sim.clock.now().timestamp())),
        }
    )
    if answer.body and answer.status < 400:
        answer.headers["Content-Sha1"] = answer.sha1()
    return answer


def _conditional(request: WsRequest, answer: Answer) -> Answer:
    wanted = request.headers.get("local-content-sha1")
    if wanted and answer.status == 200 and answer.headers.get("Content-Sha1") == wanted:
        return Answer(304, "", "", {k: v for k, v in answer.headers.items() if k != "Content-Sha1"})
    return answer
