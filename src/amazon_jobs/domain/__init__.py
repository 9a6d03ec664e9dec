"""Pure domain code: job types, statuses, transitions, listing states, limits.

Nothing here performs I/O or imports from the rest of the package.
"""
