"""Every seller's orders and the two Orders APIs that read them: getOrders and friends
(v0) and searchOrders (2026-01-01), their windows and page tokens, the quantity orders
take from a listing, and confirmShipment.

Imitates: ``ordersV0.json``, ``orders_2026-01-01.json`` and the "Orders API migration
guide".
"""
