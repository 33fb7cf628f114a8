"""Tests of tools.validation, with their fixture module and helpers."""
