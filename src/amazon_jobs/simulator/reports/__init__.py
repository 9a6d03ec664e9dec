"""The Reports API 2021-06-30: createReport, a report's life from IN_QUEUE to DONE,
and the tab-separated inventory reports it produces.

Imitates: ``reports_2021-06-30.json`` and Amazon's "Report Type Values — Inventory"
page (the Inventory Report ``GET_FLAT_FILE_OPEN_LISTINGS_DATA`` and the merchant
listings reports, with the ``reportOptions`` each accepts).
"""
