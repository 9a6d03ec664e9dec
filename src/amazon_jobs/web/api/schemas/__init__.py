"""Pydantic schemas of the REST API, one module per resource.

Families follow one pattern: ``XCreate`` / ``XUpdate`` are what a client
sends, ``XPublic`` what it gets back (never an ORM object, never a secret),
``XsPublic`` a page of them.
"""
