"""Builders and parsers of the documents exchanged with Amazon."""
