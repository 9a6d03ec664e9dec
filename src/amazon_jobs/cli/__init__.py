"""The ``amazon-jobs`` command line."""
