"""The functions Nomad's HCL2 jobspec parser offers (`jobspec2/functions.go`), in Python.

`try`, `can` and `convert` need their arguments unevaluated; the evaluator handles
them. Functions whose result changes on every run (`uuidv4`, `bcrypt`) and a few
rarely used ones are not evaluated: the call is reported and left as written.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import ipaddress
import json
import math
import os
import re
import stat
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import re2
import yaml

from generator.hcl.limits import (
    ELEMENT_WEIGHT,
    MAX_FILE_BYTES,
    MAX_FOOTPRINT,
    MAX_STRING_CHARS,
    LimitError,
    check_value,
    footprint,
    tick,
)
from generator.hcl.values import (
    EvalError,
    HclSet,
    Value,
    equals,
    format_number,
    is_number,
    is_sequence,
    make_set,
    normalize_number,
    to_bool,
    to_list,
    to_map,
    to_number,
    to_string,
    to_tree,
    type_name,
)

NOT_EVALUATED = {
    "uuidv4": "uuidv4() gives a new value on every run",
    "bcrypt": "bcrypt() gives a new value on every run",
    "rsadecrypt": "rsadecrypt() is not evaluated",
    "formatdate": "formatdate() is not evaluated",
    "timeadd": "timeadd() is not evaluated",
    "pathexpand": "pathexpand() depends on the home directory",
}

TERRAFORM_ONLY = frozenset(
    [
        "tostring",
        "tonumber",
        "tobool",
        "tolist",
        "toset",
        "tomap",
        "templatefile",
        "timestamp",
        "regex",
        "regexall",
        "startswith",
        "endswith",
        "strcontains",
        "one",
        "sum",
        "alltrue",
        "anytrue",
        "setsubtract",
        "transpose",
        "matchkeys",
        "base64gzip",
        "filemd5",
        "filesha1",
        "filesha256",
        "filesha512",
        "textencodebase64",
        "textdecodebase64",
        "uuid",
        "plantimestamp",
        "nonsensitive",
        "sensitive",
        "type",
    ]
)


class MissingFile(EvalError):
    """`file()` of a path that does not exist."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"file not found: {path}")
        self.path = path


def unsupported_reason(name: str) -> str:
    if name in NOT_EVALUATED:
        return NOT_EVALUATED[name]
    if name in TERRAFORM_ONLY:
        return f"{name}() is a Terraform function that Nomad's HCL2 does not have"
    return f"unknown function {name}()"


class Functions:
    """Nomad's HCL2 functions; file functions resolve paths against `base_dir`.

    Nomad reads `file()` paths relative to its working directory, anywhere on the
    machine; we read them relative to the jobspec's folder and only regular files
    under that folder or the git repository it sits in, of bounded size (limits.py).
    """

    def __init__(self, base_dir: Path) -> None:
        self.base_dir = base_dir
        self._roots: tuple[Path, ...] | None = None
        self._table: dict[str, Callable[..., Value]] = {
            **_PURE,
            "file": self._file,
            "filebase64": self._filebase64,
            "fileexists": self._fileexists,
            "fileset": self._fileset,
        }

    def call(self, name: str, args: list[Value]) -> Value:
        implementation = self._table.get(name)
        if implementation is None:
            raise EvalError(unsupported_reason(name))
        for arg in args:
            check_value(arg, f"an argument of {name}()")
        try:
            result = implementation(*args)
        except EvalError:
            raise
        except TypeError as error:
            if "positional argument" in str(error):
                raise EvalError(f"wrong number of arguments to {name}()") from None
            raise EvalError(f"{name}(): {error}") from None
        except (ValueError, ArithmeticError, LookupError, re.error, yaml.YAMLError) as error:
            raise EvalError(f"{name}(): {error}") from None
        except re2.error as error:
            raise EvalError(f"{name}(): invalid regular expression: {_re2_reason(error)}") from None
        return check_value(result, f"the result of {name}()")

    def roots(self) -> tuple[Path, ...]:
        if self._roots is None:
            self._roots = allowed_roots(self.base_dir)
        return self._roots

    def _path(self, path: Value) -> Path:
        return self.base_dir / to_string(path)

    def _allowed(self, path: Value) -> Path:
        return allowed_path(self._path(path), to_string(path), self.roots())

    def _read(self, path: Value) -> bytes:
        return read_allowed(self._path(path), to_string(path), self.roots())

    def _file(self, path: Value) -> str:
        try:
            return self._read(path).decode("utf-8")
        except UnicodeDecodeError:
            raise EvalError(f"{path} is not UTF-8 text: use filebase64()") from None

    def _filebase64(self, path: Value) -> str:
        return base64.b64encode(self._read(path)).decode("ascii")

    def _fileexists(self, path: Value) -> bool:
        return self._allowed(path).is_file()

    def _fileset(self, path: Value, pattern: Value) -> HclSet:
        root = self._allowed(path)
        found: list[str] = []
        for match in root.glob(to_string(pattern)):
            tick()
            if match.is_file() and match.resolve().is_relative_to(root):
                found.append(str(match.relative_to(root)))
            if len(found) > _MAX_FILESET:
                raise LimitError(
                    "limit-exceeded", f"fileset() matches more than {_MAX_FILESET:,} files"
                )
        return make_set(found)


def allowed_roots(base_dir: Path) -> tuple[Path, ...]:
    """The folders files may be read under: `base_dir`, and the git repository around it."""
    base = base_dir.resolve()
    repo = next((d for d in (base, *base.parents) if (d / ".git").exists()), None)
    return (base,) if repo is None or repo == base else (base, repo)


# Paths file functions looked at, while `recording_file_access()` runs (regen's cache).
_accessed: list[Path] | None = None


@contextmanager
def recording_file_access() -> Iterator[list[Path]]:
    """Collects every path a file function resolves (read, tested, or listed) meanwhile."""
    global _accessed
    outer, _accessed = _accessed, []
    try:
        yield _accessed
    finally:
        _accessed = outer


def note_file_access(path: Path) -> None:
    """Records a file the generator read outside the file functions (additions, templates)."""
    if _accessed is not None:
        _accessed.append(path.resolve())


def allowed_path(path: Path, shown: str, roots: tuple[Path, ...]) -> Path:
    """`path` resolved (symlinks followed), or LimitError when it lies outside `roots`."""
    resolved = path.resolve()
    if _accessed is not None:
        _accessed.append(resolved)
    if not any(resolved.is_relative_to(root) for root in roots):
        raise LimitError(
            "file-not-allowed",
            f"{shown}: files are read only under the jobspec's folder or its git repository"
            f" ({roots[-1]})",
        )
    return resolved


def read_allowed(path: Path, shown: str, roots: tuple[Path, ...]) -> bytes:
    """The bytes of a regular file of at most MAX_FILE_BYTES under `roots`.

    MissingFile when it does not exist; LimitError for a FIFO, device or folder (which
    could block or never end), a larger file, or one outside `roots`.
    """
    resolved = allowed_path(path, shown, roots)
    try:
        status = resolved.stat()
    except FileNotFoundError:
        raise MissingFile(path) from None
    except OSError as error:
        raise EvalError(f"cannot read {shown}: {error.strerror}") from None
    if not stat.S_ISREG(status.st_mode):
        raise LimitError("file-not-allowed", f"{shown} is not a regular file")
    if status.st_size > MAX_FILE_BYTES:
        raise LimitError(
            "file-not-allowed",
            f"{shown} is {status.st_size:,} bytes (files are read up to {MAX_FILE_BYTES:,})",
        )
    try:
        with resolved.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise EvalError(f"cannot read {shown}: {error.strerror}") from None
    if len(data) > MAX_FILE_BYTES:
        raise LimitError("file-not-allowed", f"{shown} grew while being read")
    return data


_MAX_FILESET = 10_000
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False


def _re2_reason(error: Exception) -> str:
    reason = error.args[0] if error.args else str(error)
    return reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)


def _regex(pattern: Value) -> Any:
    """A pattern compiled by RE2, the linear-time engine whose syntax Go's regexp shares."""
    return re2.compile(to_string(pattern), options=_RE2_OPTIONS)


# ---- strings ---------------------------------------------------------------


def _strings(values: list[Value]) -> list[str]:
    return [to_string(value) for value in values]


def _join(separator: Value, *lists: Value) -> str:
    if not lists:
        raise EvalError("join() needs at least one list")
    items = _strings([item for lst in lists for item in to_list(lst)])
    glue = to_string(separator)
    _check_length(sum(map(len, items)) + len(glue) * max(0, len(items) - 1), "join()")
    return glue.join(items)


def _split(separator: Value, text: Value) -> list[str]:
    separator, text = to_string(separator), to_string(text)
    return list(text) if separator == "" else text.split(separator)


_GO_REFERENCE = re.compile(r"\$(?:\{(\w+)\}|(\w+)|\$)")


def _go_expand(template: str) -> Callable[[re.Match[str]], str]:
    """Go's regexp replacement syntax (`$1`, `${name}`, `$$`) applied to a Python match."""

    written = 0

    def expand(match: Any) -> str:
        def group(reference: re.Match[str]) -> str:
            if reference.group(0) == "$$":
                return "$"
            name = reference.group(1) or reference.group(2)
            try:
                return match.group(int(name) if name.isdigit() else name) or ""
            except (IndexError, KeyError, re2.error):
                return ""

        nonlocal written
        text = _GO_REFERENCE.sub(group, template)
        written += len(text)
        _check_length(written, "regex_replace()")
        return text

    return expand


def _regex_replace(text: Value, pattern: Value, replacement: Value) -> str:
    return _regex(pattern).sub(_go_expand(to_string(replacement)), to_string(text))


def _replace(text: Value, search: Value, replacement: Value) -> str:
    search = to_string(search)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        return _regex_replace(text, search[1:-1], replacement)
    source, replacement = to_string(text), to_string(replacement)
    count = source.count(search)
    _check_length(len(source) + count * (len(replacement) - len(search)), "replace()")
    return source.replace(search, replacement)


def _check_length(length: int, what: str) -> None:
    """Refuse a string before building it, when it would be longer than strings may be."""
    if length > MAX_STRING_CHARS:
        raise LimitError(
            "limit-exceeded",
            f"{what} would build a string of {length:,} characters "
            f"(strings are limited to {MAX_STRING_CHARS:,})",
        )


def _trim(text: Value, cutset: Value) -> str:
    return to_string(text).strip(to_string(cutset))


def _trimprefix(text: Value, prefix: Value) -> str:
    return to_string(text).removeprefix(to_string(prefix))


def _trimsuffix(text: Value, suffix: Value) -> str:
    return to_string(text).removesuffix(to_string(suffix))


def _chomp(text: Value) -> str:
    return to_string(text).rstrip("\r\n")


def _title(text: Value) -> str:
    return re.sub(r"(?<![\w'])\w", lambda match: match.group().upper(), to_string(text))


def _substr(text: Value, offset: Value, length: Value) -> str:
    chars = to_string(text)
    start = int(to_number(offset))
    if start < 0:
        start += len(chars)
    count = int(to_number(length))
    if start < 0 or start > len(chars):
        raise EvalError("substr(): offset out of range")
    return chars[start:] if count < 0 else chars[start : start + count]


def _indent(spaces: Value, text: Value) -> str:
    pad = " " * _small(to_number(spaces))
    source = to_string(text)
    _check_length(len(source) + source.count("\n") * len(pad), "indent()")
    return source.replace("\n", "\n" + pad)


def _length(value: Value) -> int:
    if isinstance(value, str):
        return len(value)
    if is_sequence(value) or isinstance(value, dict):
        return len(value)
    raise EvalError(f"length() of {type_name(value)}")


# ---- format ----------------------------------------------------------------

_VERB = re.compile(r"%(?:\[(\d+)\])?([-+# 0]*)(\d+)?(?:\.(\d+))?(.)", re.DOTALL)


def _format(spec: Value, *args: Value) -> str:
    template = to_string(spec)
    output: list[str] = []
    position = 0
    next_arg = 0
    written = len(template)
    while (percent := template.find("%", position)) >= 0:
        written += len(output[-1]) if output else 0
        _check_length(written, "format()")
        output.append(template[position:percent])
        match = _VERB.match(template, percent)
        if match is None:
            raise EvalError("format(): incomplete verb at the end")
        if match.group(5) == "%":
            output.append("%")
        else:
            if match.group(1):
                next_arg = int(match.group(1)) - 1
            if next_arg >= len(args) or next_arg < 0:
                raise EvalError("format(): not enough arguments")
            output.append(_format_verb(match, args[next_arg]))
            next_arg += 1
        position = match.end()
    output.append(template[position:])
    return "".join(output)


def _format_verb(match: re.Match[str], value: Value) -> str:
    flags, width, precision, verb = match.group(2), match.group(3), match.group(4), match.group(5)
    if value is None:
        raise EvalError("format(): null argument")
    text = _verb_text(verb, flags, precision, value)
    if width and len(text) < _small(int(width)):
        if "-" in flags:
            return text.ljust(int(width))
        fill = "0" if "0" in flags and verb in "dfeEgGxXob" else " "
        sign = text[0] if fill == "0" and text[:1] in "+-" else ""
        return sign + text[len(sign) :].rjust(int(width) - len(sign), fill)
    return text


def _verb_text(verb: str, flags: str, precision: str | None, value: Value) -> str:
    sign = "+" if "+" in flags else (" " if " " in flags else "")
    if verb == "v":
        return _json(value) if "#" in flags or not _is_scalar(value) else to_string(value)
    if verb == "s":
        return to_string(value)[: int(precision)] if precision else to_string(value)
    if verb == "q":
        return json.dumps(to_string(value), ensure_ascii=False)
    if verb == "t":
        return to_string(to_bool(value))
    number = to_number(value)
    if verb in "dxXob":
        if not float(number).is_integer():
            raise EvalError(f"format(): %{verb} needs a whole number")
        return format(int(number), sign + ("#" if "#" in flags else "") + verb.replace("d", ""))
    if verb in "feEgG":
        places = "" if precision is None and verb in "gG" else f".{_small(int(precision or 6))}"
        return format(float(number), f"{sign}{places}{verb}")
    raise EvalError(f"format(): unsupported verb %{verb}")


def _small(number: int | float) -> int:
    """A count used to build a string: refuse what would exhaust memory."""
    if not 0 <= number <= 10_000:
        raise EvalError(f"{number} is out of range")
    return int(number)


def _is_scalar(value: Value) -> bool:
    return isinstance(value, str | bool) or is_number(value)


def _formatlist(spec: Value, *args: Value) -> list[str]:
    lengths = {len(arg) for arg in args if is_sequence(arg)}
    if len(lengths) > 1:
        raise EvalError("formatlist(): list arguments have different lengths")
    count = lengths.pop() if lengths else 1
    return [
        _format(spec, *[arg[index] if is_sequence(arg) else arg for arg in args])
        for index in range(count)
    ]


# ---- encodings -------------------------------------------------------------


def _json(value: Value) -> str:
    text = json.dumps(to_tree(value), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _from_json(value: object) -> Value:
    if isinstance(value, float):
        return normalize_number(value)
    if isinstance(value, list):
        return [_from_json(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _from_json(item) for key, item in value.items()}
    return value


def _jsondecode(text: Value) -> Value:
    return _from_json(json.loads(to_string(text)))


def _yamldecode(text: Value) -> Value:
    loaded = yaml.safe_load(to_string(text))
    if footprint(loaded) > MAX_FOOTPRINT:
        raise LimitError(
            "limit-exceeded",
            f"yamldecode(): the document expands (through aliases) past {MAX_FOOTPRINT:,} "
            "characters",
        )
    return _from_json(json.loads(json.dumps(loaded, default=str)))


def _yamlencode(value: Value) -> str:
    return "\n".join(_yaml_lines(to_tree(value), 0)) + "\n"


def _yaml_scalar(value: Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if is_number(value):
        return format_number(value)
    return json.dumps(value, ensure_ascii=False)


def _yaml_lines(value: Value, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines: list[str] = []
        for key in sorted(value):
            lines.extend(_yaml_entry(pad + json.dumps(key, ensure_ascii=False) + ":", value[key]))
        return lines
    if isinstance(value, list) and value:
        lines = []
        for item in value:
            nested = _yaml_lines(item, indent + 2)
            if isinstance(item, dict | list) and item:
                lines.append(pad + "- " + nested[0].lstrip(" "))
                lines.extend(nested[1:])
            else:
                lines.append(pad + "- " + nested[0].lstrip(" "))
        return lines
    if isinstance(value, dict | list):
        return [pad + ("{}" if isinstance(value, dict) else "[]")]
    return [pad + _yaml_scalar(value)]


def _yaml_entry(head: str, value: Value) -> list[str]:
    if isinstance(value, dict) and value:
        indent = len(head) - len(head.lstrip(" ")) + 2
        return [head, *_yaml_lines(value, indent)]
    if isinstance(value, list) and value:
        indent = len(head) - len(head.lstrip(" "))
        return [head, *_yaml_lines(value, indent)]
    return [head + " " + _yaml_lines(value, 0)[0]]


def _base64decode(text: Value) -> str:
    try:
        return base64.b64decode(to_string(text), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        raise EvalError("base64decode(): not base64 of UTF-8 text") from None


def _csvdecode(text: Value) -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(to_string(text))))
    if not rows:
        raise EvalError("csvdecode(): missing header line")
    header, body = rows[0], rows[1:]
    if any(len(row) != len(header) for row in body):
        raise EvalError("csvdecode(): rows have different numbers of fields")
    return [dict(zip(header, row, strict=True)) for row in body]


def _uuidv5(namespace: Value, name: Value) -> str:
    namespaces = {
        "dns": uuid.NAMESPACE_DNS,
        "url": uuid.NAMESPACE_URL,
        "oid": uuid.NAMESPACE_OID,
        "x500": uuid.NAMESPACE_X500,
    }
    key = to_string(namespace)
    return str(uuid.uuid5(namespaces.get(key) or uuid.UUID(key), to_string(name)))


def _digest(algorithm: str) -> Callable[[Value], str]:
    return lambda text: hashlib.new(algorithm, to_string(text).encode("utf-8")).hexdigest()


# ---- collections -----------------------------------------------------------


def _flatten(value: Value) -> list[Value]:
    flat: list[Value] = []
    for item in to_list(value):
        flat.extend(_flatten(item) if is_sequence(item) else [item])
    return flat


def _distinct(value: Value) -> list[Value]:
    result: list[Value] = []
    for item in to_list(value):
        if not any(equals(item, seen) for seen in result):
            result.append(item)
    return result


def _lookup(mapping: Value, key: Value, *default: Value) -> Value:
    values = to_map(mapping)
    name = to_string(key)
    if name in values:
        return values[name]
    if default:
        return default[0]
    raise EvalError(f'lookup(): no key "{name}" and no default')


def _element(value: Value, index: Value) -> Value:
    items = to_list(value)
    position = int(to_number(index))
    if not items:
        raise EvalError("element() of an empty list")
    if position < 0:
        raise EvalError("element(): negative index")
    return items[position % len(items)]


def _coalesce(*args: Value) -> Value:
    for arg in args:
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce(): no non-null, non-empty argument")


def _coalescelist(*args: Value) -> Value:
    for arg in args:
        if to_list(arg):
            return arg
    raise EvalError("coalescelist(): no non-empty list")


def _concat(*lists: Value) -> list[Value]:
    return [item for lst in lists for item in to_list(lst)]


def _merge(*maps: Value) -> dict[str, Value]:
    merged: dict[str, Value] = {}
    for mapping in maps:
        if mapping is not None:
            merged.update(to_map(mapping))
    return merged


def _keys(mapping: Value) -> list[str]:
    return sorted(to_map(mapping))


def _values(mapping: Value) -> list[Value]:
    values = to_map(mapping)
    return [values[key] for key in sorted(values)]


def _range(*args: Value) -> list[Value]:
    numbers = [to_number(arg) for arg in args]
    if not 1 <= len(numbers) <= 3:
        raise EvalError("wrong number of arguments to range()")
    start, end, step = (
        (0, numbers[0], 1)
        if len(numbers) == 1
        else (numbers[0], numbers[1], numbers[2] if len(numbers) == 3 else 1)
    )
    if len(numbers) < 3 and end < start:
        step = -1
    if step == 0 or (end - start) * step < 0:
        raise EvalError("range(): step does not move toward the end")
    count = max(0, math.ceil((end - start) / step))
    if count > 1024:
        raise EvalError("range(): more than 1024 elements")
    return [normalize_number(start + index * step) for index in range(count)]


def _slice(value: Value, start: Value, end: Value) -> list[Value]:
    items = to_list(value)
    first, last = int(to_number(start)), int(to_number(end))
    if not 0 <= first <= last <= len(items):
        raise EvalError("slice(): indices out of range")
    return items[first:last]


def _index(value: Value, wanted: Value) -> int:
    for position, item in enumerate(to_list(value)):
        if equals(item, wanted):
            return position
    raise EvalError("index(): item not found")


def _chunklist(value: Value, size: Value) -> list[list[Value]]:
    items, step = to_list(value), int(to_number(size))
    if step < 0:
        raise EvalError("chunklist(): negative size")
    if step == 0:
        return [items]
    return [items[start : start + step] for start in range(0, len(items), step)]


def _zipmap(keys: Value, values: Value) -> dict[str, Value]:
    names, items = _strings(to_list(keys)), to_list(values)
    if len(names) != len(items):
        raise EvalError("zipmap(): lists have different lengths")
    return dict(zip(names, items, strict=True))


def _sort(value: Value) -> list[str]:
    return sorted(_strings(to_list(value)))


def _setunion(*sets: Value) -> HclSet:
    return make_set([item for value in sets for item in to_list(value)])


def _setintersection(first: Value, *others: Value) -> HclSet:
    kept = [
        item
        for item in to_list(first)
        if all(any(equals(item, other) for other in to_list(value)) for value in others)
    ]
    return make_set(kept)


def _setproduct(*sets: Value) -> list[list[Value]]:
    count = math.prod(len(to_list(value)) for value in sets)
    if count * len(sets) * ELEMENT_WEIGHT > MAX_FOOTPRINT:
        raise LimitError("limit-exceeded", f"setproduct() would make {count:,} combinations")
    products: list[list[Value]] = [[]]
    for value in sets:
        products = [[*product, item] for product in products for item in to_list(value)]
    return products


# ---- numbers ---------------------------------------------------------------


def _numbers(args: tuple[Value, ...], name: str) -> list[int | float]:
    if not args:
        raise EvalError(f"{name}() needs at least one number")
    return [to_number(arg) for arg in args]


def _parseint(text: Value, base: Value) -> int:
    return int(to_string(text), int(to_number(base)))


def _log(number: Value, base: Value) -> int | float:
    return normalize_number(math.log(to_number(number), to_number(base)))


def _signum(number: Value) -> int:
    value = to_number(number)
    return (value > 0) - (value < 0)


# ---- networks and paths ----------------------------------------------------


def _network(prefix: Value) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
    return ipaddress.ip_network(to_string(prefix), strict=False)


def _cidrhost(prefix: Value, host: Value) -> str:
    network = _network(prefix)
    number = int(to_number(host))
    base = network.broadcast_address + 1 if number < 0 else network.network_address
    address = base + number
    if address not in network:
        raise EvalError("cidrhost(): host number out of range")
    return str(address)


def _cidrnetmask(prefix: Value) -> str:
    network = _network(prefix)
    if network.version != 4:
        raise EvalError("cidrnetmask() only supports IPv4")
    return str(network.netmask)


def _cidrsubnet(prefix: Value, newbits: Value, netnum: Value) -> str:
    network = _network(prefix)
    length = network.prefixlen + int(to_number(newbits))
    number = int(to_number(netnum))
    if not network.prefixlen <= length <= network.max_prefixlen:
        raise EvalError("cidrsubnet(): not enough bits in the prefix")
    if not 0 <= number < 2 ** (length - network.prefixlen):
        raise EvalError("cidrsubnet(): network number out of range")
    first = int(network.network_address) + (number << (network.max_prefixlen - length))
    return str(ipaddress.ip_network((first, length)))


def _cidrsubnets(prefix: Value, *newbits: Value) -> list[str]:
    network = _network(prefix)
    result: list[str] = []
    cursor = int(network.network_address)
    for bits in newbits:
        length = network.prefixlen + int(to_number(bits))
        size = 2 ** (network.max_prefixlen - length)
        cursor = -(-cursor // size) * size
        subnet = ipaddress.ip_network((cursor, length))
        if not subnet.subnet_of(network):  # type: ignore[arg-type]
            raise EvalError("cidrsubnets(): not enough space")
        result.append(str(subnet))
        cursor += size
    return result


def _basename(path: Value) -> str:
    return os.path.basename(to_string(path).rstrip("/")) or "."


def _dirname(path: Value) -> str:
    return os.path.dirname(to_string(path).rstrip("/")) or "."


_PURE: dict[str, Callable[..., Value]] = {
    "abs": lambda number: abs(to_number(number)),
    "base64decode": _base64decode,
    "base64encode": lambda text: base64.b64encode(to_string(text).encode()).decode("ascii"),
    "ceil": lambda number: math.ceil(to_number(number)),
    "chomp": _chomp,
    "chunklist": _chunklist,
    "cidrhost": _cidrhost,
    "cidrnetmask": _cidrnetmask,
    "cidrsubnet": _cidrsubnet,
    "cidrsubnets": _cidrsubnets,
    "coalesce": _coalesce,
    "coalescelist": _coalescelist,
    "compact": lambda value: [item for item in to_list(value) if item not in (None, "")],
    "concat": _concat,
    "contains": lambda value, item: any(equals(item, each) for each in to_list(value)),
    "csvdecode": _csvdecode,
    "distinct": _distinct,
    "element": _element,
    "flatten": _flatten,
    "floor": lambda number: math.floor(to_number(number)),
    "format": _format,
    "formatlist": _formatlist,
    "indent": _indent,
    "index": _index,
    "join": _join,
    "jsondecode": _jsondecode,
    "jsonencode": _json,
    "keys": _keys,
    "length": _length,
    "log": _log,
    "lookup": _lookup,
    "lower": lambda text: to_string(text).lower(),
    "max": lambda *args: max(_numbers(args, "max")),
    "md5": _digest("md5"),
    "merge": _merge,
    "min": lambda *args: min(_numbers(args, "min")),
    "parseint": _parseint,
    "pow": lambda base, power: normalize_number(float(to_number(base)) ** to_number(power)),
    "range": _range,
    "regex_replace": _regex_replace,
    "replace": _replace,
    "reverse": lambda value: list(reversed(to_list(value))),
    "setintersection": _setintersection,
    "setproduct": _setproduct,
    "setunion": _setunion,
    "sha1": _digest("sha1"),
    "sha256": _digest("sha256"),
    "sha512": _digest("sha512"),
    "signum": _signum,
    "slice": _slice,
    "sort": _sort,
    "split": _split,
    "strlen": lambda text: len(to_string(text)),
    "strrev": lambda text: to_string(text)[::-1],
    "substr": _substr,
    "title": _title,
    "trim": _trim,
    "trimprefix": _trimprefix,
    "trimspace": lambda text: to_string(text).strip(),
    "trimsuffix": _trimsuffix,
    "upper": lambda text: to_string(text).upper(),
    "urlencode": lambda text: urllib.parse.quote_plus(to_string(text), safe="~"),
    "uuidv5": _uuidv5,
    "values": _values,
    "yamldecode": _yamldecode,
    "yamlencode": _yamlencode,
    "zipmap": _zipmap,
    "abspath": lambda path: os.path.abspath(to_string(path)),
    "basename": _basename,
    "dirname": _dirname,
}
