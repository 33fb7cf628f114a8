"""Nomad cron expressions (hashicorp/cronexpr) → the 5-field schedule a CronJob accepts.

cronexpr reads 5 fields (minute hour day-of-month month day-of-week), 6 (a trailing year) or
7 (a leading second and a trailing year), `L`, `W` and `#`, full month and day names, and 7
for Sunday; see hashicorp/cronexpr README ("Other details"). The API server parses a CronJob
schedule with robfig/cron's ParseStandard: exactly 5 fields, 0-6 for the days of the week,
three-letter names, and the @yearly … @hourly macros.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from generator.translate.context import Context

# cronexpr's macros (cronexpr_parse.go, cronNormalizer); ParseStandard reads the same ones.
MACROS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@hourly")
_WILDCARDS = frozenset({"*", "?"})
_FIELD = re.compile(r"[0-9A-Za-z*?/,#-]+")
_ZERO_SECOND = frozenset({"0", "00"})
_MONTHS = ("january", "february", "march", "april", "june", "july", "august", "september")
_MORE_MONTHS = ("october", "november", "december")
_WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_FULL_NAMES = {name: name[:3] for name in _MONTHS + _MORE_MONTHS + _WEEKDAYS}
_DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_DOW_ENTRY = re.compile(r"(?P<start>\w+)(?:-(?P<end>\w+))?(?:/(?P<step>\d+))?")
# cronexpr's last / nearest weekday / nth weekday entries, which ParseStandard refuses.
_DOM_EXTENSION = re.compile(r"L|LW|\d{1,2}W", re.IGNORECASE)
_DOW_EXTENSION = re.compile(r"(\d|[a-z]{3,9})(L|#\d)", re.IGNORECASE)


@dataclass
class Schedule:
    """The CronJob schedule of one Nomad cron, and what did not carry over."""

    schedule: str | None  # None: no 5-field equivalent; the module asks for one
    changes: list[str] = field(default_factory=list)


def kubernetes_schedule(cron: str) -> Schedule:
    text = " ".join(cron.split())
    if text.startswith("@"):
        if text.lower() in MACROS:
            return Schedule(text.lower())
        return Schedule(None, [f"{text!r} is not one of cronexpr's macros ({', '.join(MACROS)})"])
    fields = text.split(" ")
    if len(fields) == 5:
        second, year = "0", "*"
    elif len(fields) == 6:
        second, year = "0", fields.pop()
    elif len(fields) == 7:
        second, year = fields.pop(0), fields.pop()
    else:
        return Schedule(None, [f"{text!r} has {len(fields)} fields; cronexpr reads 5, 6 or 7"])
    odd = next((f for f in [*fields, second, year] if not _FIELD.fullmatch(f)), None)
    if odd is not None:
        return Schedule(None, [f"{text!r}: {odd!r} is not a cron field"])
    fields = [_short_names(f) for f in fields]
    extension = next(
        (e for e in fields[2].split(",") if _DOM_EXTENSION.fullmatch(e)),
        next((e for e in fields[4].split(",") if _DOW_EXTENSION.fullmatch(e)), None),
    )
    if extension is not None:
        return Schedule(
            None,
            [f"{text!r}: {extension!r} (last, weekday or nth day) has no CronJob equivalent"],
        )
    weekday = _sunday_as_zero(fields[4])
    if weekday is None:
        return Schedule(None, [f"{text!r}: day of week {fields[4]!r} cannot be rewritten"])
    fields[4] = weekday
    changes = []
    if second not in _ZERO_SECOND:
        changes.append(
            f"second {second!r} of {text!r} is dropped: a CronJob starts at second 0 of the minute"
        )
    if year not in _WILDCARDS:
        changes.append(
            f"year {year!r} of {text!r} is dropped: a CronJob runs every year; suspend it"
            " or delete it when that year is over"
        )
    return Schedule(" ".join(fields), changes)


def cron_schedule(cron: str, variable: str, line: int | None, ctx: Context) -> str | None:
    """The default of `var.<variable>`, reporting what the CronJob schedule cannot keep."""
    result = kubernetes_schedule(cron)
    for change in result.changes:
        if result.schedule is None:
            change += f": var.{variable} has no default; set a 5-field schedule"
        else:
            change += f" (schedule {result.schedule!r})"
        ctx.needs_decision(change, line, "periodic.crons")
    return result.schedule


def _short_names(text: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: _FULL_NAMES.get(m.group(0).lower(), m.group(0)), text)


def _sunday_as_zero(text: str) -> str | None:
    """cronexpr's Sunday as 7 (`5-7`, `fri-sun`) in the 0-6 that ParseStandard accepts."""
    entries = []
    for entry in text.split(","):
        match = _DOW_ENTRY.fullmatch(entry)
        if entry.startswith(("*", "?")) or match is None:
            entries.append(entry)
            continue
        start, end = _day(match["start"]), _day(match["end"] or match["start"])
        if start is None or end is None:
            return None
        if match["end"] and end == 0 and start > 0:
            end = 7  # a range up to Sunday runs through it (cronexpr's expandDowSpan)
        if end < 7:
            entries.append(entry)
            continue
        step = int(match["step"] or 1) or 1
        entries.extend(str(day % 7) for day in range(start, end + 1, step))
    return ",".join(dict.fromkeys(entries))


def _day(token: str) -> int | None:
    if token.isdigit():
        return int(token) if int(token) <= 7 else None
    return _DAYS.get(token.lower())
