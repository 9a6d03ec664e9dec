"""Orders as ``Order::addWs`` → ``PaymentModule::validateOrder`` and
``OrderHistory::changeIdOrderState`` make them (PrestaShop 8.2).

Creating an order uses only ``id_cart``, ``module``, ``payment``, ``total_paid`` and
``id_customer`` (for the secure key) of the posted order: everything else comes
from the cart. It starts in ``PS_OS_WS_PAYMENT`` (11), or ``PS_OS_ERROR`` (8) when
``total_paid`` is not the cart total; stock goes down at once (not in state 8),
and a product driven below zero moves the order on to "On backorder (paid)" (9).

A state change moves stock: to canceled/error from any other state → restock; from
canceled/error to a logable state → down again. Shipped states do not change the
available quantity.
"""

from __future__ import annotations

from amazon_jobs.shop_simulator.errors import RawAnswer, WsError
from amazon_jobs.shop_simulator.pricing import CartTotal, price_cart
from amazon_jobs.shop_simulator.reference_data import STATE_KEYS
from amazon_jobs.shop_simulator.state import ShopSimulator
from amazon_jobs.shop_simulator.stock import adjust_quantity
from amazon_jobs.shop_simulator.store import Row

__all__ = ["change_state", "create_order"]

_CART_USED = "Cart cannot be loaded or an order has already been placed using this cart"
_ERROR_STATES = {STATE_KEYS["PS_OS_CANCELED"], STATE_KEYS["PS_OS_ERROR"]}


def create_order(sim: ShopSimulator, posted: Row) -> int:
    """Validate the posted order's cart into a new order; return the order id."""
    store, config = sim.store, sim.config
    module = str(posted.get("module") or "")
    if module in config.disabled_payment_modules:
        raise RawAnswer(200, "Error processing order. Payment module is not active.")
    if module not in config.payment_modules:
        raise RawAnswer(500, "")
    cart = store["carts"].rows.get(int(posted.get("id_cart") or 0))
    if cart is None or store["orders"].lookup("id_cart", str(cart["id"])):
        raise RawAnswer(200, _CART_USED)
    customer = store["customers"].rows.get(int(posted.get("id_customer") or 0))
    customer_key = store["customers"].value(customer, "secure_key") if customer else ""
    if store["carts"].value(cart, "secure_key") != customer_key:
        raise RawAnswer(200, "Error processing order. Secure key does not match.")
    _check_delivery_country(sim, cart)
    refusal = sim.faults.refusal(
        {int(r.get("id_product") or 0) for r in cart.get("@cart_rows", [])}
    )
    if refusal:
        raise WsError(500, (85, refusal), (46, "Unable to save resource"))
    total = price_cart(
        store, cart, config.tax_rate, int(sim.configuration("PS_CARRIER_DEFAULT") or 0)
    )
    paid = round(float(posted.get("total_paid") or 0), 2)
    state = STATE_KEYS["PS_OS_WS_PAYMENT"] if paid == total.paid_ti else STATE_KEYS["PS_OS_ERROR"]
    order_id = _insert_order(
        sim, cart, total, module, str(posted.get("payment") or ""), paid, state
    )
    _insert_details(sim, order_id, total)
    _insert_carrier(sim, order_id, total)
    _history(sim, order_id, state)
    if state not in _ERROR_STATES:
        quantities = [
            adjust_quantity(store, line.product_id, line.attribute_id, -line.quantity)
            for line in total.lines
        ]
        backorder = sim.configuration("PS_ENABLE_BACKORDER_STATUS") == "1"
        if backorder and any(q is not None and q < 0 for q in quantities):
            change_state(sim, order_id, STATE_KEYS["PS_OS_OUTOFSTOCK_PAID"])
    return order_id


def _check_delivery_country(sim: ShopSimulator, cart: Row) -> None:
    store = sim.store
    address = store["addresses"].rows.get(int(store["carts"].value(cart, "id_address_delivery")))
    country = (
        store["countries"].rows.get(int(store["addresses"].value(address, "id_country")))
        if address
        else None
    )
    if country is None or store["countries"].value(country, "active") != "1":
        raise RawAnswer(
            500,
            "<html><body><h1>Oops... looks like an unexpected error occurred</h1>"
            "<p>The delivery address country is not active.</p></body></html>",
        )


def _insert_order(
    sim: ShopSimulator,
    cart: Row,
    total: CartTotal,
    module: str,
    payment: str,
    paid: float,
    state: int,
) -> int:
    carts, now = sim.store["carts"], sim.now()
    states = sim.store["order_states"]
    logable = states.value(states.rows[state], "logable")
    return sim.store["orders"].insert(
        {
            **{
                k: carts.value(cart, k)
                for k in (
                    "id_address_delivery",
                    "id_address_invoice",
                    "id_currency",
                    "id_lang",
                    "id_customer",
                    "secure_key",
                    "recyclable",
                    "gift",
                    "gift_message",
                    "mobile_theme",
                )
            },
            "id_cart": str(cart["id"]),
            "id_carrier": str(total.carrier_id),
            "current_state": "0",
            "module": module,
            "payment": payment,
            "valid": logable,
            "id_shop": "1",
            "id_shop_group": "1",
            "total_paid": f"{total.paid_ti:.6f}",
            "total_paid_tax_incl": f"{total.paid_ti:.6f}",
            "total_paid_tax_excl": f"{total.paid_te:.6f}",
            "total_paid_real": f"{paid:.6f}",
            "total_products": f"{total.products_te:.6f}",
            "total_products_wt": f"{total.products_ti:.6f}",
            "total_shipping": f"{total.shipping_ti:.6f}",
            "total_shipping_tax_incl": f"{total.shipping_ti:.6f}",
            "total_shipping_tax_excl": f"{total.shipping_te:.6f}",
            "carrier_tax_rate": f"{total.tax_rate:.3f}",
            "round_mode": sim.configuration("PS_PRICE_ROUND_MODE"),
            "round_type": sim.configuration("PS_ROUND_TYPE"),
            "conversion_rate": "1.000000",
            "reference": sim.order_reference(),
            "date_add": now,
            "date_upd": now,
        }
    )


def _insert_details(sim: ShopSimulator, order_id: int, total: CartTotal) -> None:
    products, combinations = sim.store["products"], sim.store["combinations"]
    for line in total.lines:
        product = products.rows.get(line.product_id) or {"id": line.product_id}
        combination = combinations.rows.get(line.attribute_id) if line.attribute_id else None
        name = str((product.get("name") or {}).get(1, ""))
        if combination is not None and combination.get("@attributes"):
            name += " - " + str(combination["@attributes"])

        def pick(field: str, product: Row = product, combination: Row | None = combination) -> str:
            own = combinations.value(combination, field) if combination is not None else ""
            return own or products.value(product, field)

        sim.store["order_details"].insert(
            {
                "id_order": str(order_id),
                "product_id": str(line.product_id),
                "product_attribute_id": str(line.attribute_id),
                "id_shop": "1",
                "product_name": name,
                "product_quantity": str(line.quantity),
                "product_quantity_in_stock": str(line.quantity),
                "product_price": f"{line.unit_te:.6f}",
                **{f"product_{f}": pick(f) for f in ("ean13", "isbn", "upc", "mpn", "reference")},
                "unit_price_tax_incl": f"{line.unit_ti:.6f}",
                "unit_price_tax_excl": f"{line.unit_te:.6f}",
                "total_price_tax_incl": f"{line.unit_ti * line.quantity:.6f}",
                "total_price_tax_excl": f"{line.unit_te * line.quantity:.6f}",
            }
        )


def _insert_carrier(sim: ShopSimulator, order_id: int, total: CartTotal) -> None:
    sim.store["order_carriers"].insert(
        {
            "id_order": str(order_id),
            "id_carrier": str(total.carrier_id),
            "shipping_cost_tax_excl": f"{total.shipping_te:.6f}",
            "shipping_cost_tax_incl": f"{total.shipping_ti:.6f}",
            "date_add": sim.now(),
        }
    )


def _history(sim: ShopSimulator, order_id: int, state: int, employee: int = 0) -> int:
    orders = sim.store["orders"]
    old = int(orders.value(orders.rows[order_id], "current_state"))
    _move_stock(sim, order_id, old, state)
    _apply_state(sim, order_id, state)
    return sim.store["order_histories"].insert(
        {
            "id_employee": str(employee),
            "id_order_state": str(state),
            "id_order": str(order_id),
            "date_add": sim.now(),
        }
    )


def change_state(sim: ShopSimulator, order_id: int, state: int, employee: int = 0) -> int:
    """Move order *order_id* to *state* (a new history row, whose id is returned)."""
    if order_id not in sim.store["orders"].rows or state not in sim.store["order_states"].rows:
        raise RawAnswer(500, "")
    return _history(sim, order_id, state, employee)


def _move_stock(sim: ShopSimulator, order_id: int, old: int, new: int) -> None:
    if old == 0:
        return  # the creation itself: create_order moves the stock
    states = sim.store["order_states"]
    if new in _ERROR_STATES and old not in _ERROR_STATES:
        sign = 1
    elif old in _ERROR_STATES and states.value(states.rows[new], "logable") == "1":
        sign = -1
    else:
        return
    details = sim.store["order_details"]
    for row in details.where("id_order", str(order_id)):
        adjust_quantity(
            sim.store,
            int(details.value(row, "product_id")),
            int(details.value(row, "product_attribute_id")),
            sign * int(details.value(row, "product_quantity")),
        )


def _apply_state(sim: ShopSimulator, order_id: int, state: int) -> None:
    orders, states = sim.store["orders"], sim.store["order_states"]
    order, flags = orders.rows[order_id], states.rows[state]
    now = sim.now()
    values: Row = {
        "current_state": str(state),
        "valid": states.value(flags, "logable"),
        "date_upd": now,
    }
    if states.value(flags, "invoice") == "1" and orders.value(order, "invoice_number") == "0":
        sim.invoice_numbers += 1
        values.update(invoice_number=str(sim.invoice_numbers), invoice_date=now)
    if states.value(flags, "delivery") == "1" and orders.value(order, "delivery_number") == "0":
        sim.delivery_numbers += 1
        values.update(delivery_number=str(sim.delivery_numbers), delivery_date=now)
    orders.update(order_id, values)
