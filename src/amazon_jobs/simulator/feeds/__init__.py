"""The Feeds API 2021-06-30 and the JSON_LISTINGS_FEED it carries: feed documents,
createFeed, one feed of a seller processed at a time, message validation and the
processing report.

Imitates: ``feeds_2021-06-30.json``, ``listings-feed-schema-v2.json``,
``listings-feed-message-schema-v2.json``, ``listings-feed-processing-report-schema-v2.json``
(and its example), and the "Feeds API v2021-06-30 use case guide".
"""
