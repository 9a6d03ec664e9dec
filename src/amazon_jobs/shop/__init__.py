"""Shops and their connectors: where the catalog comes from and Amazon orders go to.

PrestaShop is the first connector; it talks to the shop's Webservice (``/api/``)
through :mod:`.webservice`.
"""
