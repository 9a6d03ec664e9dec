"""The dashboard app for a test's runtime, made once per test process.

FastAPI builds an app's routes (each endpoint's dependencies and validators) at the
app's first requests: 0.3 to 0.5 s of CPU for the dashboard's routes, which several
hundred tests paid again for the same routes. The app reads its runtime from
``app.state.runtime`` at each request, so one app per configuration serves each
test with that test's runtime. The tests of the app's own making (secret key, hosts,
proxies) call ``create_app`` themselves.
"""

from __future__ import annotations

from fastapi import FastAPI

from amazon_jobs.runtime import Runtime
from amazon_jobs.web.app import KEY_USER, create_app

__all__ = ["web_app"]

_APPS: dict[tuple[tuple[str, ...], tuple[str, ...]], FastAPI] = {}


def web_app(rt: Runtime) -> FastAPI:
    """``create_app(rt)``'s app, made once for each configuration it is built from.
    One test at a time per process: the app serves the last runtime given."""
    key = (rt.settings.hosts, rt.settings.trusted_proxies)
    app = _APPS.get(key)
    if app is None:
        app = _APPS[key] = create_app(rt)
    else:
        rt.settings.require_secret_key(KEY_USER)
        app.state.runtime = rt
    return app
