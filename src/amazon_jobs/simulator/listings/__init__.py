"""A seller's listings as Amazon keeps them, and what a listings message does to one:
``UPDATE``, ``PARTIAL_UPDATE``, ``PATCH`` and ``DELETE``, the offer attributes they
carry, and the issues (Amazon's numeric codes) they raise. The JSON listings feed and
the Listings Items API share this: Amazon documents their bodies as the same format.

Imitates: ``listings-feed-message-schema-v2.json`` and ``listingsItems_2021-08-01.json``.
"""
