"""Amazon's catalog of one marketplace and the Catalog Items API 2022-04-01 over it:
a seeded, generated catalog with real GTIN check digits, searchCatalogItems and
getCatalogItem.

Imitates: ``catalogItems_2022-04-01.json``.
"""
