"""Server-side validation compiled from botocore's service model, worded as AWS words it.

botocore's client validates required members, types and minimums; AWS validates the rest (max
lengths, patterns, enums, ranges, list sizes). The mock does both, so a client with
``parameter_validation=False`` or a raw request still gets AWS's answer.  Checkers are compiled
once per input shape and cached: the request path only walks the members actually sent.

Java-regex semantics the model's patterns rely on are reproduced: ``matches()`` is a full match,
``.`` does not match line terminators, ``\\w``/``\\d``/``\\s`` are ASCII, and ``\\p{L}``,
``\\p{N}``, ``\\p{Z}`` are Unicode categories.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from ..errors import ValidationError, validation_message

Failures = list[str]
Checker = Callable[[Any, str, Failures], None]

_JAVA_ESCAPES = {
    "w": "a-zA-Z0-9_",
    "d": "0-9",
    "s": " \\t\\n\\x0b\\f\\r",
}
# Java's POSIX classes (ASCII) that the model's patterns use inside brackets.
_POSIX_CLASSES = {"Alnum": "a-zA-Z0-9"}
_NOT_LINE_TERMINATOR = "[^\\n\\r\\x85\\u2028\\u2029]"
# Unicode letters and numbers are exactly Python's word characters less '_' (checked in the
# suite against unicodedata for every code point); separators are \s less the C0/C1 controls.
_CATEGORY_ALTERNATIVES = {
    frozenset("LNZ"): "[^\\W_]|(?![\\t-\\r\\x1c-\\x1f\\x85])\\s",
    frozenset("LN"): "[^\\W_]",
}


def translate_pattern(pattern: str) -> str:
    """Translate a model (Java) regular expression into an equivalent Python one."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\" and i + 1 < n:
            nxt = pattern[i + 1]
            out.append(f"[{_JAVA_ESCAPES[nxt]}]" if nxt in _JAVA_ESCAPES else pattern[i:i + 2])
            i += 2
        elif ch == "[":
            end, text = _translate_class(pattern, i)
            out.append(text)
            i = end
        elif ch == ".":
            out.append(_NOT_LINE_TERMINATOR)
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_CLASS_CHAR_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f", "e": "\x1b", "a": "\x07"}


def _class_escape(pattern: str, i: int) -> tuple[int, int]:
    """The code point of the escape at ``pattern[i]`` (a backslash) and the index after it.

    ``\\uD800\\uDC00`` (a UTF-16 surrogate pair, as Java writes supplementary characters)
    becomes one code point.
    """
    nxt = pattern[i + 1]
    if nxt == "u":
        code = int(pattern[i + 2:i + 6], 16)
        end = i + 6
        if 0xD800 <= code <= 0xDBFF and pattern[end:end + 2] == "\\u":
            low = int(pattern[end + 2:end + 6], 16)
            if 0xDC00 <= low <= 0xDFFF:
                return 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00), end + 6
        return code, end
    if nxt == "x":
        return int(pattern[i + 2:i + 4], 16), i + 4
    return ord(_CLASS_CHAR_ESCAPES.get(nxt, nxt)), i + 2


def _translate_class(pattern: str, start: int) -> tuple[int, str]:
    """Translate the bracket expression starting at ``start``; return (end index, text)."""
    i = start + 1
    parts: list[str] = []
    categories: set[str] = set()
    negated = pattern[i] == "^"
    if negated:
        i += 1
    while pattern[i] != "]":
        ch = pattern[i]
        if ch == "\\":
            nxt = pattern[i + 1]
            if nxt == "p":
                close = pattern.index("}", i)
                name = pattern[i + 3:close]
                if name in _POSIX_CLASSES:
                    parts.append(_POSIX_CLASSES[name])
                else:
                    categories.add(name)
                i = close + 1
            elif nxt in _JAVA_ESCAPES:
                parts.append(_JAVA_ESCAPES[nxt])
                i += 2
            else:
                code, i = _class_escape(pattern, i)
                parts.append(f"\\U{code:08x}")
        elif ch == "-":
            parts.append("-")
            i += 1
        else:
            parts.append(f"\\U{ord(ch):08x}")
            i += 1
    end = i + 1
    body = "".join(parts)
    if not categories:
        return end, f"[{'^' if negated else ''}{body}]"
    if negated:
        raise NotImplementedError(f"unsupported character class in model pattern {pattern!r}")
    alternative = _CATEGORY_ALTERNATIVES.get(frozenset(categories))
    if alternative is None:
        alternative = f"[{_category_ranges(frozenset(categories))}]"
    return end, f"(?:{alternative}|[{body}])" if body else f"(?:{alternative})"


@cache
def _category_ranges(categories: frozenset[str]) -> str:
    """An explicit class for Unicode general categories (one scan of the code space, only for
    patterns the fast table above does not cover)."""
    ranges: list[str] = []
    start = -1
    for code in range(sys.maxunicode + 2):
        inside = code <= sys.maxunicode and unicodedata.category(chr(code))[0] in categories
        if inside and start < 0:
            start = code
        elif not inside and start >= 0:
            ranges.append(f"\\U{start:08x}-\\U{code - 1:08x}")
            start = -1
    return "".join(ranges)


@cache
def compile_pattern(pattern: str) -> re.Pattern[str]:
    return re.compile(translate_pattern(pattern), re.DOTALL)


def _camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def _show(value: Any) -> str:
    """A value as the JSON it came in (the message quotes the request)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return str(value)


def _fail(failures: Failures, value: Any, path: str, constraint: str) -> None:
    failures.append(
        f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: {constraint}"
    )


def _length_checks(checks: list[Checker], shape: Any) -> None:
    meta = shape.metadata
    low, high = meta.get("min"), meta.get("max")
    if low:  # a minimum of 0 holds for every length
        def check_min(value: Any, path: str, failures: Failures, low: int = low) -> None:
            if len(value) < low:
                _fail(failures, value, path,
                      f"Member must have length greater than or equal to {low}")
        checks.append(check_min)
    if high is not None:
        def check_max(value: Any, path: str, failures: Failures, high: int = high) -> None:
            if len(value) > high:
                _fail(failures, value, path,
                      f"Member must have length less than or equal to {high}")
        checks.append(check_max)


def _string_checker(shape: Any, compiler: _Compiler) -> Checker:
    checks: list[Checker] = []
    _length_checks(checks, shape)
    enum = shape.metadata.get("enum")
    if enum:
        allowed = frozenset(enum)
        listing = ", ".join(enum)

        def check_enum(value: Any, path: str, failures: Failures) -> None:
            if value not in allowed:
                _fail(failures, value, path,
                      f"Member must satisfy enum value set: [{listing}]")
        checks.append(check_enum)
    pattern = shape.metadata.get("pattern")
    if pattern:
        fullmatch = compile_pattern(pattern).fullmatch
        shown = pattern if pattern.startswith("^") else "^" + pattern

        def check_pattern(value: Any, path: str, failures: Failures) -> None:
            if fullmatch(value) is None:
                _fail(failures, value, path,
                      f"Member must satisfy regular expression pattern: {shown}")
        checks.append(check_pattern)

    def check_string(value: Any, path: str, failures: Failures) -> None:
        if not isinstance(value, str):
            _fail(failures, value, path, "Member must be a string")
            return
        for check in checks:
            check(value, path, failures)
    return check_string


def _number_checker(shape: Any, integral: bool) -> Checker:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    expected = "an integer" if integral else "a number"
    types: tuple[type, ...] = (int,) if integral else (int, float)

    def check_number(value: Any, path: str, failures: Failures) -> None:
        if isinstance(value, bool) or not isinstance(value, types):
            _fail(failures, value, path, f"Member must be {expected}")
            return
        if value != value or value in (math.inf, -math.inf):
            _fail(failures, value, path, "Member must be a finite number")
        elif low is not None and value < low:
            _fail(failures, value, path, f"Member must have value greater than or equal to {low}")
        elif high is not None and value > high:
            _fail(failures, value, path, f"Member must have value less than or equal to {high}")
    return check_number


def _boolean_checker(shape: Any, compiler: _Compiler) -> Checker:
    def check_boolean(value: Any, path: str, failures: Failures) -> None:
        if not isinstance(value, bool):
            _fail(failures, value, path, "Member must be a boolean")
    return check_boolean


# Epoch seconds of 0001-01-01 and of the end of 9999-12-31 (UTC): what a datetime can hold.
# CHOICE: a timestamp outside that range (or not finite) is a ValidationException; botocore
# cannot send one (it serializes datetimes), only a raw request can.
_EPOCH_MIN = -62135596800
_EPOCH_MAX = 253402300800


def _timestamp_checker(shape: Any, compiler: _Compiler) -> Checker:
    def check_timestamp(value: Any, path: str, failures: Failures) -> None:
        # The JSON protocol sends epoch seconds; botocore never sends anything else.
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or not _EPOCH_MIN <= value < _EPOCH_MAX):  # also false for NaN
            _fail(failures, value, path, "Member must be a timestamp in epoch seconds")
    return check_timestamp


def _list_checker(shape: Any, compiler: _Compiler) -> Checker:
    checks: list[Checker] = []
    _length_checks(checks, shape)
    member = compiler.checker_for(shape.member)

    def check_list(value: Any, path: str, failures: Failures) -> None:
        if not isinstance(value, list):
            _fail(failures, value, path, "Member must be a list")
            return
        for check in checks:
            check(value, path, failures)
        for index, item in enumerate(value, 1):
            member(item, f"{path}.{index}.member", failures)
    return check_list


def _map_checker(shape: Any, compiler: _Compiler) -> Checker:
    checks: list[Checker] = []
    _length_checks(checks, shape)
    key_check = compiler.checker_for(shape.key)
    value_check = compiler.checker_for(shape.value)

    def check_map(value: Any, path: str, failures: Failures) -> None:
        if not isinstance(value, dict):
            _fail(failures, value, path, "Member must be a map")
            return
        for check in checks:
            check(value, path, failures)
        for key, item in value.items():
            key_check(key, f"{path}.key", failures)
            value_check(item, f"{path}.{key}", failures)
    return check_map


def _structure_checker(shape: Any, compiler: _Compiler) -> Checker:
    members: dict[str, tuple[str, Checker]] = {}
    required = tuple(shape.required_members)
    paths = {name: _camel(name) for name in shape.members}
    # Members are compiled on first use: the model has recursive shapes (Search's
    # SubExpressions), and a lazy table is what lets the recursion terminate.

    def member(name: str) -> tuple[str, Checker] | None:
        found = members.get(name)
        if found is None and name in shape.members:
            found = members[name] = (paths[name], compiler.checker_for(shape.members[name]))
        return found

    union = bool(shape.metadata.get("union"))

    def check_structure(value: Any, path: str, failures: Failures) -> None:
        if not isinstance(value, dict):
            _fail(failures, value, path, "Member must be a structure")
            return
        prefix = f"{path}." if path else ""
        for name in required:
            if value.get(name) is None:
                failures.append(
                    f"Value null at '{prefix}{paths[name]}' failed to satisfy constraint: "
                    "Member must not be null"
                )
        for name, item in value.items():
            if item is None:
                continue
            found = member(name)
            if found is not None:
                found[1](item, prefix + found[0], failures)
        if union and len(value) != 1:
            failures.append(f"Exactly one member of '{path}' must be set")
    return check_structure


_BUILDERS: dict[str, Callable[[Any, _Compiler], Checker]] = {
    "string": _string_checker,
    "integer": lambda shape, compiler: _number_checker(shape, True),
    "long": lambda shape, compiler: _number_checker(shape, True),
    "float": lambda shape, compiler: _number_checker(shape, False),
    "double": lambda shape, compiler: _number_checker(shape, False),
    "boolean": _boolean_checker,
    "timestamp": _timestamp_checker,
    "list": _list_checker,
    "map": _map_checker,
    "structure": _structure_checker,
}


def _accept(value: Any, path: str, failures: Failures) -> None:
    """Shapes the mock does not constrain (blobs, documents)."""


class _Compiler:
    """Compiles the shapes of one service model; shapes are cached by name, so recursive shapes
    share one checker and each shape is compiled once per service."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, str], Checker] = {}

    def checker_for(self, shape: Any) -> Checker:
        key = (shape.type_name, shape.name)
        found = self._cache.get(key)
        if found is None:
            builder = _BUILDERS.get(shape.type_name)
            found = builder(shape, self) if builder else _accept
            self._cache[key] = found
        return found


@cache
def compiler_for(service_name: str) -> _Compiler:
    return _Compiler()


class Validator:
    """Validates one operation's input parameters; raises :class:`ValidationError`."""

    __slots__ = ("_check", "_path")

    def __init__(self, service_name: str, input_shape: Any, path: str = "") -> None:
        """``path``: where the shape sits in a request when it is a member's (messages name
        it: ``experimentConfig.trialName``)."""
        self._check: Checker = (
            compiler_for(service_name).checker_for(input_shape)
            if input_shape is not None else _accept
        )
        self._path = path

    def __call__(self, params: Any) -> None:
        failures: Failures = []
        self._check(params, self._path, failures)
        if failures:
            raise ValidationError(validation_message(failures))
