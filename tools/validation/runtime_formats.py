"""The string formats Kubernetes validates, as small pure functions.

Each returns None when the value is fine, else a reason. Sources are in
`runtime_rules`; the regular expressions are apimachinery's
(`k8s.io/apimachinery/pkg/util/validation/validation.go`), the cron grammar
is robfig/cron/v3's standard parser, the `$(VAR)` reader is
`third_party/forked/golang/expansion`.
"""

from __future__ import annotations

import ipaddress
import re
import zoneinfo
from collections.abc import Iterator
from functools import lru_cache

_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
DNS1123_LABEL = re.compile(rf"^{_LABEL}$")
DNS1123_SUBDOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")
DNS1035_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_HAS_LETTER = re.compile(r"[a-z]")


def dns1123_label(value: str, limit: int = 63) -> str | None:
    if len(value) > limit:
        return f"longer than {limit} characters ({len(value)})"
    if not DNS1123_LABEL.match(value):
        return (
            "not a DNS-1123 label (lower-case letters, digits and '-', starting and ending "
            "with a letter or digit)"
        )
    return None


def dns1123_subdomain(value: str, limit: int = 253) -> str | None:
    if len(value) > limit:
        return f"longer than {limit} characters ({len(value)})"
    if not DNS1123_SUBDOMAIN.match(value):
        return (
            "not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', starting and "
            "ending with a letter or digit)"
        )
    return None


def ingress_host(value: str) -> str | None:
    """An Ingress rule or TLS host (kubernetes pkg/apis/networking/validation
    validateIngressRules / validateIngressTLS): not an IP address; with a `*` only as a
    leading `*.` label (IsWildcardDNS1123Subdomain), else a DNS-1123 subdomain."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        pass
    else:
        return "must be a DNS name, not an IP address"
    if value.startswith("*."):
        problem = dns1123_subdomain(value[2:], limit=251)
        return f"after the wildcard `*.`: {problem}" if problem else None
    return dns1123_subdomain(value)


def dns1035_label(value: str) -> str | None:
    if len(value) > 63:
        return f"longer than 63 characters ({len(value)})"
    if not DNS1035_LABEL.match(value):
        return (
            "not a DNS-1035 label (lower-case letters, digits and '-', starting with a letter "
            "and ending with a letter or digit)"
        )
    return None


def label_key(key: str) -> str | None:
    prefix, slash, name = key.rpartition("/")
    if slash:
        if not prefix:
            return "the prefix before '/' is empty"
        problem = dns1123_subdomain(prefix)
        if problem:
            return f"prefix {prefix!r}: {problem}"
    if not name or len(name) > 63 or not _QUALIFIED_NAME.match(name):
        return (
            f"name part {name!r} is not a qualified name (at most 63 characters of "
            "[A-Za-z0-9-_.], starting and ending alphanumeric)"
        )
    return None


def label_value(value: str) -> str | None:
    if len(value) > 63:
        return f"longer than 63 characters ({len(value)})"
    if not _LABEL_VALUE.match(value):
        return "not a label value ([A-Za-z0-9-_.], starting and ending alphanumeric)"
    return None


def port_name(name: str) -> str | None:
    """apimachinery IsValidPortName: an IANA_SVC_NAME."""
    problems = []
    if len(name) > 15:
        problems.append(f"longer than 15 characters ({len(name)})")
    if not _PORT_NAME_CHARS.match(name):
        problems.append("has characters other than lower-case letters, digits and '-'")
    if not _HAS_LETTER.search(name):
        problems.append("has no letter")
    if "--" in name:
        problems.append("has '--'")
    if name.startswith("-") or name.endswith("-"):
        problems.append("starts or ends with '-'")
    return "; ".join(problems) or None


# ---- cron (robfig/cron/v3 ParseStandard: Minute | Hour | Dom | Month | Dow | Descriptor)

_MONTHS = {
    name: number
    for number, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        start=1,
    )
}
_DAYS = {name: n for n, name in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])}
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("minute", 0, 59, {}),
    ("hour", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day of week", 0, 6, _DAYS),
)
_DESCRIPTORS = frozenset(
    {"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"}
)
_GO_DURATION = re.compile(r"^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$")


def cron_schedule(schedule: str) -> str | None:
    if "TZ" in schedule:
        return "cannot use TZ or CRON_TZ in schedule, use the timezone field instead"
    spec = schedule.strip()
    if not spec:
        return "empty schedule"
    if spec.startswith("@"):
        if spec in _DESCRIPTORS:
            return None
        if spec.startswith("@every "):
            duration = spec[len("@every ") :].strip()
            if _GO_DURATION.match(duration) and not duration.startswith("-"):
                return None
            return f"failed to parse duration {spec!r}"
        return f"unrecognized descriptor: {spec}"
    fields = spec.split()
    if len(fields) != 5:
        return (
            f"expected exactly 5 fields (minute hour day-of-month month day-of-week), "
            f"found {len(fields)}: {spec!r}"
        )
    for text, (what, low, high, names) in zip(fields, _FIELDS, strict=True):
        for part in text.split(","):
            problem = _cron_range(part, low, high, names)
            if problem:
                return f"{what} field {text!r}: {problem}"
    return None


def _cron_range(expression: str, low: int, high: int, names: dict[str, int]) -> str | None:
    range_and_step = expression.split("/")
    low_and_high = range_and_step[0].split("-")
    single = len(low_and_high) == 1
    try:
        if low_and_high[0] in ("*", "?"):
            start, end = low, high
        else:
            start = _cron_number(low_and_high[0], names)
            if len(low_and_high) == 1:
                end = start
            elif len(low_and_high) == 2:
                end = _cron_number(low_and_high[1], names)
            else:
                return f"too many hyphens: {expression}"
        if len(range_and_step) == 2:
            step = _cron_int(range_and_step[1])
            if step <= 0:
                return f"step of range should be a positive number: {expression}"
            if single:
                end = high
        elif len(range_and_step) > 2:
            return f"too many slashes: {expression}"
    except ValueError as error:
        return str(error)
    if start < low:
        return f"beginning of range ({start}) below minimum ({low}): {expression}"
    if end > high:
        return f"end of range ({end}) above maximum ({high}): {expression}"
    if start > end:
        return f"beginning of range ({start}) beyond end of range ({end}): {expression}"
    return None


def _cron_number(text: str, names: dict[str, int]) -> int:
    named = names.get(text.lower())
    return named if named is not None else _cron_int(text)


def _cron_int(text: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ValueError(f"failed to parse int from {text}")
    number = int(text)
    if number < 0:
        raise ValueError(f"negative number ({number}) not allowed: {text}")
    return number


@lru_cache(maxsize=1)
def _zones_available() -> bool:
    try:
        return bool(zoneinfo.available_timezones())
    except OSError:
        return False


def time_zone(name: str) -> str | None:
    """None when fine or when this machine has no time zone database to tell."""
    if name.lower() == "local":
        return "must be an explicit IANA time zone, not Local"
    if not _zones_available():
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return f"unknown time zone {name!r} (not in the IANA database)"
    return None


# ---- $(VAR) references (third_party/forked/golang/expansion: Expand, tryReadVariableName)


def variable_references(text: str) -> Iterator[str]:
    """The names `$(NAME)` refers to, as kubelet's Expand reads them (`$$` escapes)."""
    cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            following = text[cursor + 1]
            if following == "(":
                close = text.find(")", cursor + 2)
                if close != -1:
                    yield text[cursor + 2 : close]
                    cursor = close + 1
                    continue
            cursor += 2
            continue
        cursor += 1
