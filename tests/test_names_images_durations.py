"""Kubernetes / Terraform names, docker image references and Go-style durations."""

from __future__ import annotations

import pytest

from generator.diagnostics import InputError
from generator.durations import parse_duration_seconds
from generator.translate.images import ImageRef, split_image
from generator.translate.names import k8s_name, tf_identifier, unique

# --- k8s_name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web", "web"),
        ("My_App", "my-app"),
        ("api.v2", "api-v2"),
        ("a..b__c", "a-b-c"),
        ("--edge--", "edge"),
        ("9lives", "9lives"),
    ],
)
def test_k8s_name(name: str, expected: str) -> None:
    assert k8s_name(name) == expected


def test_k8s_name_is_at_most_63_characters_without_trailing_dash() -> None:
    name = "a" * 62 + "-b" + "c" * 10
    result = k8s_name(name)
    assert result == "a" * 62
    assert len(k8s_name("x" * 100)) == 63


@pytest.mark.parametrize("name", ["", "___", "..."])
def test_k8s_name_that_cannot_be_made_is_input_error(name: str) -> None:
    with pytest.raises(InputError) as info:
        k8s_name(name, "x.nomad.hcl", 12)
    assert (info.value.code, info.value.file, info.value.line) == (
        "invalid-name",
        "x.nomad.hcl",
        12,
    )


# --- tf_identifier / unique -------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("web", "web"),
        ("my-app", "my_app"),
        ("A.B", "a_b"),
        ("__x__", "x"),
        ("1st", "n_1st"),
        ("---", "x"),
        ("", "x"),
    ],
)
def test_tf_identifier(name: str, expected: str) -> None:
    assert tf_identifier(name) == expected


def test_unique_suffixes() -> None:
    taken: set[str] = set()
    assert [unique("web", taken) for _ in range(3)] == ["web", "web_2", "web_3"]
    assert [unique("my-app", taken) for _ in range(2)] == ["my-app", "my-app-2"]
    assert [unique("my_app", taken) for _ in range(2)] == ["my_app", "my_app_2"]
    assert taken == {"web", "web_2", "web_3", "my-app", "my-app-2", "my_app", "my_app_2"}


# --- split_image ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("nginx", ImageRef("nginx", None)),
        ("nginx:1.25", ImageRef("nginx", "1.25")),
        ("library/nginx:latest", ImageRef("library/nginx", "latest")),
        ("ghcr.io/org/app:v1.2.3", ImageRef("ghcr.io/org/app", "v1.2.3")),
        ("registry:5000/org/app", ImageRef("registry:5000/org/app", None)),
        ("registry:5000/org/app:1.2", ImageRef("registry:5000/org/app", "1.2")),
        (
            "registry:5000/org/app:1.2@sha256:abcd",
            ImageRef("registry:5000/org/app", "1.2", "sha256:abcd"),
        ),
        ("app@sha256:abcd", ImageRef("app", None, "sha256:abcd")),
        ("app:", ImageRef("app", None)),
    ],
)
def test_split_image(image: str, expected: ImageRef) -> None:
    assert split_image(image) == expected


# --- durations --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("10s", 10),
        ("1m30s", 90),
        ("500ms", 1),
        ("1500ms", 2),
        ("0", 0),
        ("0s", 0),
        ("1h", 3600),
        ("2h45m", 9900),
        ("1.5s", 2),
        ("0.5m", 30),
        ("100ns", 1),
        ("250us", 1),
        ("250µs", 1),
        (" 20s ", 20),
        ("60000ms", 60),
    ],
)
def test_parse_duration_seconds(text: str, seconds: int) -> None:
    assert parse_duration_seconds(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "10", "ten", "10 s", "1m 30s", "-5s", "s", "1d", "10sec", "5m10"]
)
def test_invalid_duration_is_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration like 10s, 1m30s or 500ms"):
        parse_duration_seconds(text)


@pytest.mark.parametrize(("text", "seconds"), [("8.3m", 498), ("16.1m", 966)])
def test_exact_fractional_duration_is_not_rounded_up(text: str, seconds: int) -> None:
    assert parse_duration_seconds(text) == seconds
