"""What a fresh PrestaShop 8.2 install holds besides the catalog.

Order states 1 to 13 with their flags and ``PS_OS_*`` keys
(``install-dev/data/xml/order_state.xml``), one language (English), the euro,
a few countries with their install ids, the install's free carrier (id 1) plus
one paid carrier, and the configuration keys a connector reads.
"""

from __future__ import annotations

from amazon_jobs.shop_simulator.store import Store

__all__ = ["CARRIER_SHIPPING", "STATE_KEYS", "load_reference_data"]

#: (id, config key, name, logable, paid, shipped, delivery, invoice, send_email, module, color)
_STATES = (
    (1, "PS_OS_CHEQUE", "Awaiting check payment", 0, 0, 0, 0, 0, 1, "ps_checkpayment", "#34209E"),
    (2, "PS_OS_PAYMENT", "Payment accepted", 1, 1, 0, 0, 1, 1, "", "#3498D8"),
    (3, "PS_OS_PREPARATION", "Processing in progress", 1, 1, 0, 1, 1, 1, "", "#3498D8"),
    (4, "PS_OS_SHIPPING", "Shipped", 1, 1, 1, 1, 1, 1, "", "#01b887"),
    (5, "PS_OS_DELIVERED", "Delivered", 1, 1, 1, 1, 1, 0, "", "#01b887"),
    (6, "PS_OS_CANCELED", "Canceled", 0, 0, 0, 0, 0, 1, "", "#2C3E50"),
    (7, "PS_OS_REFUND", "Refunded", 0, 0, 0, 0, 1, 1, "", "#ec2e15"),
    (8, "PS_OS_ERROR", "Payment error", 0, 0, 0, 0, 0, 1, "", "#ec2e15"),
    (9, "PS_OS_OUTOFSTOCK_PAID", "On backorder (paid)", 0, 1, 0, 0, 1, 1, "", "#3498D8"),
    (
        10,
        "PS_OS_BANKWIRE",
        "Awaiting bank wire payment",
        0,
        0,
        0,
        0,
        0,
        1,
        "ps_wirepayment",
        "#34209E",
    ),
    (11, "PS_OS_WS_PAYMENT", "Remote payment accepted", 1, 1, 0, 0, 1, 1, "", "#3498D8"),
    (12, "PS_OS_OUTOFSTOCK_UNPAID", "On backorder (not paid)", 0, 0, 0, 0, 0, 1, "", "#34209E"),
    (
        13,
        "PS_OS_COD_VALIDATION",
        "Awaiting Cash On Delivery validation",
        0,
        0,
        0,
        0,
        0,
        0,
        "ps_cashondelivery",
        "#34209E",
    ),
)
#: ``PS_OS_*`` key → state id.
STATE_KEYS = {key: state_id for state_id, key, *_ in _STATES}

#: (id, iso, name, zone, need_zip_code, zip format)
_COUNTRIES = (
    (1, "DE", "Germany", 1, "NNNNN"),
    (2, "AT", "Austria", 1, "NNNN"),
    (3, "BE", "Belgium", 1, "NNNN"),
    (6, "ES", "Spain", 1, "NNNNN"),
    (8, "FR", "France", 1, "NNNNN"),
    (10, "IT", "Italy", 1, "NNNNN"),
    (13, "NL", "Netherlands", 1, "NNNN LL"),
    (14, "PL", "Poland", 1, "NN-NNN"),
    (17, "GB", "United Kingdom", 1, ""),
    (21, "US", "United States", 2, "NNNNN"),
)

#: Carrier id → shipping cost tax excluded (what the order's shipping totals come from).
CARRIER_SHIPPING = {1: 0.0, 2: 7.0}


def load_reference_data(store: Store, shop_name: str, timezone: str, now: str) -> None:
    """Fill *store* with the install data; *now* is the install date."""
    store["languages"].insert(
        {
            "id": 1,
            "name": "English (English)",
            "iso_code": "en",
            "locale": "en-US",
            "language_code": "en-us",
            "active": "1",
            "date_format_lite": "m/d/Y",
            "date_format_full": "m/d/Y H:i:s",
        }
    )
    store["currencies"].insert(
        {
            "id": 1,
            "iso_code": "EUR",
            "numeric_iso_code": "978",
            "precision": "2",
            "conversion_rate": "1.000000",
            "active": "1",
        }
    )
    for country_id, iso, name, zone, zip_format in _COUNTRIES:
        store["countries"].insert(
            {
                "id": country_id,
                "id_zone": str(zone),
                "iso_code": iso,
                "active": "1",
                "need_zip_code": "1" if zip_format else "0",
                "zip_code_format": zip_format,
                "display_tax_label": "1",
                "name": {1: name},
            }
        )
    _load_carriers(store)
    for state_id, _key, name, log, paid, shipped, delivery, invoice, mail, module, color in _STATES:
        store["order_states"].insert(
            {
                "id": state_id,
                "unremovable": "1",
                "delivery": str(delivery),
                "send_email": str(mail),
                "module_name": module,
                "invoice": str(invoice),
                "color": color,
                "logable": str(log),
                "shipped": str(shipped),
                "paid": str(paid),
                "pdf_delivery": str(delivery),
                "pdf_invoice": str(invoice),
                "name": {1: name},
                "template": {1: ""},
            }
        )
    _load_configuration(store, {"PS_SHOP_NAME": shop_name, "PS_TIMEZONE": timezone}, now)


def _load_carriers(store: Store) -> None:
    store["carriers"].insert(
        {
            "id": 1,
            "id_reference": "1",
            "name": "Pick up in-store",
            "active": "1",
            "is_free": "1",
            "position": "0",
            "delay": {1: "Pick up in-store"},
        }
    )
    store["carriers"].insert(
        {
            "id": 2,
            "id_reference": "2",
            "name": "My carrier",
            "active": "1",
            "url": "https://tracking.example/?number=@",
            "shipping_handling": "1",
            "shipping_method": "2",
            "position": "1",
            "delay": {1: "Delivery next day!"},
        }
    )


def _load_configuration(store: Store, shop: dict[str, str], now: str) -> None:
    values = {
        **shop,
        "PS_LANG_DEFAULT": "1",
        "PS_CURRENCY_DEFAULT": "1",
        "PS_COUNTRY_DEFAULT": "8",
        "PS_CUSTOMER_GROUP": "3",
        "PS_CARRIER_DEFAULT": "1",
        "PS_STOCK_MANAGEMENT": "1",
        "PS_ORDER_OUT_OF_STOCK": "0",
        "PS_ENABLE_BACKORDER_STATUS": "1",
        "PS_INVOICE": "1",
        "PS_TAX": "1",
        "PS_PRICE_ROUND_MODE": "2",
        "PS_ROUND_TYPE": "1",
        **{key: str(state_id) for key, state_id in STATE_KEYS.items()},
    }
    for name, value in values.items():
        store["configurations"].insert(
            {"name": name, "value": value, "date_add": now, "date_upd": now}
        )
