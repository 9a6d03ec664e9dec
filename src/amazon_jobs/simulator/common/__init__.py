"""What every simulated SP-API shares: the front door (access token, token buckets per
seller-application pair and per application and their 429s, ``x-amzn-RequestId`` and
rate headers), injected faults and slow answers, the
``ErrorList`` refusals, query and body reading, ISO 8601 times, and the presigned
document URLs that stand in for Amazon's S3 bucket.

Imitates: the SP-API "Usage Plans and Rate Limits" page, "Response format" (``ErrorList``),
and the presigned-URL behaviour of the Feeds and Reports APIs (``feeds_2021-06-30.json``,
``reports_2021-06-30.json``).
"""
