"""Literal values against cty types, with Terraform's silent conversions allowed."""

from __future__ import annotations

from typing import Any

import pytest

from generator.hcl import Expr
from tools.validation.cty_values import type_errors


@pytest.mark.parametrize(
    ("value", "cty_type"),
    [
        ("x", "string"),
        (80, "string"),  # number → string is a safe conversion
        (True, "string"),
        (8080, "number"),
        ("8080", "number"),
        (1.5, "number"),
        ("true", "bool"),
        (False, "bool"),
        (None, "number"),
        (Expr("var.port"), "number"),
        ("${var.port}", "number"),
        (["a", 1], ["list", "string"]),
        (["a", Expr("var.b")], ["set", "string"]),
        ({"cpu": "100m", "gpu": 1}, ["map", "string"]),
        ({"fields": {"a": "b"}}, ["object", {"fields": ["map", "string"]}]),
        ({"anything": [1, {"x": True}]}, "dynamic"),
    ],
)
def test_values_that_convert(value: Any, cty_type: Any) -> None:
    assert type_errors(value, cty_type) == []


@pytest.mark.parametrize(
    ("value", "cty_type", "expected"),
    [
        ("web", "number", ["number required, got string 'web'"]),
        (True, "number", ["number required, got bool true"]),
        ("yes", "bool", ["bool required, got string 'yes'"]),
        (1, "bool", ["bool required, got number 1"]),
        (["a"], "string", ["string required, got a list"]),
        ({"a": 1}, ["list", "string"], ["list(string) required, got an object"]),
        ("a", ["map", "string"], ["map(string) required, got string 'a'"]),
        ([1, "x"], ["list", "number"], ["[1]: number required, got string 'x'"]),
        ({"cpu": ["1"]}, ["map", "string"], ['["cpu"]: string required, got a list']),
        (
            {"field": {}},
            ["object", {"fields": ["map", "string"]}],
            ['unexpected attribute "field"', 'attribute "fields" is required'],
        ),
    ],
)
def test_values_that_do_not_convert(value: Any, cty_type: Any, expected: list[str]) -> None:
    assert type_errors(value, cty_type) == expected
