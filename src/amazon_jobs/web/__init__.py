"""The web app: the Amazon Jobs dashboard (and, later, the REST API)."""
