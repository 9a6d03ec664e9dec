"""Login with Amazon: the refresh-token grant that issues access tokens, and the
``x-amz-access-token`` check every SP-API call passes.

Imitates: Amazon's "Connecting to the Selling Partner API" (``POST /auth/o2/token``)
and the LWA error codes of the models repository (``invalid_grant`` and others).
"""
