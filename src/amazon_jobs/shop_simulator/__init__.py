"""A local fake of PrestaShop's Webservice (``/api/``), for the shop connector's tests and demos.

It imitates PrestaShop 8.2's legacy webservice as its code defines it
(``webservice/dispatcher.php``, ``classes/webservice/WebserviceRequest.php``,
``WebserviceOutputXML.php``/``WebserviceOutputJSON.php``, ``ObjectModel.php``,
``PaymentModule::validateOrder``, ``OrderHistory::changeIdOrderState``,
``StockAvailable.php``) and its developer docs (devdocs.prestashop-project.org/8/webservice):
every fact it follows is listed with its source in the project's PrestaShop facts.

- transport: ``/api/…`` and ``/webservice/dispatcher.php?url=…``; the key as HTTP Basic user
  name or ``ws_key``; per-key permissions; PSWS headers, ``Content-Sha1`` and 304
  (:mod:`.dispatch`, :mod:`.auth`);
- formats: XML with CDATA and ``xlink:href`` (:mod:`.render_xml`), JSON with its quirks
  (:mod:`.render_json`); ``display``/``filter``/``sort``/``limit``/``date``
  (:mod:`.query`, :mod:`.filters`); ``schema=blank|synopsis``; PrestaShop's error codes;
- resources (:mod:`.resources`): products, combinations, stock_availables, customers,
  addresses, carts, orders, order_details, order_states, order_histories, order_carriers,
  carriers, countries, currencies, languages, configurations;
- behaviour: order creation from the cart, state changes and their stock moves
  (:mod:`.orders`), stock sums (:mod:`.stock`), per-class save rules (:mod:`.actions`);
- a seeded catalog (:mod:`.catalog_generator`) and faults on demand (:mod:`.faults`,
  ``/_sim/faults``).

Time comes only from the injected clock::

    shop = ShopSimulator(ShopSimulatorConfig(products=100), VirtualClock())
    with serve_in_thread(create_app(shop)) as server:
        ...  # talk to f"{server.url}/api/" with any PrestaShop client
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from amazon_jobs.lazy import lazy_names

if TYPE_CHECKING:
    from amazon_jobs.shop_simulator.app import FAULTS_PATH, create_app
    from amazon_jobs.shop_simulator.config import DEFAULT_KEY, ShopSimulatorConfig
    from amazon_jobs.shop_simulator.state import ShopSimulator

__all__ = ["DEFAULT_KEY", "FAULTS_PATH", "ShopSimulator", "ShopSimulatorConfig", "create_app"]

#: Where each name lives: imported on first use (see :mod:`amazon_jobs.simulator`).
_HOMES = {
    "DEFAULT_KEY": "config",
    "FAULTS_PATH": "app",
    "ShopSimulator": "state",
    "ShopSimulatorConfig": "config",
    "create_app": "app",
}


__getattr__ = lazy_names(__name__, _HOMES)
