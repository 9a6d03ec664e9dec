"""The SP-API client: Login with Amazon, one method per operation, documents."""
