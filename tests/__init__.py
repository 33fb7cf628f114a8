"""The test suite: a package, so helpers import as `tests.<module>` for pytest and mypy."""
