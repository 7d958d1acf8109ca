"""The Search grammar: property names, their types, and SearchExpression compiled to a predicate.

A record is searched through its *document*: the values of each property path it has
(``TrialName``, ``Tags.team``, ``Parameters.lr``, ``Metrics.loss.Max``, ``Parents.TrialName``...;
most have one, ``Parents.*`` and ``TrialComponentSummaries.*`` one per element), and the element
fields of the nested properties ``NestedFilters`` range over, each read when first asked for.

Everything in a request is checked while compiling, before any record is looked at, so a bad
request is a ValidationException whatever the data.  Rules (model docs, CONFIRMED): Value
without Operator means Equals; GreaterThan/LessThan and friends are not for text; Contains and In
are only for text; numbers are decimal; timestamps are ISO 8601; Contains may appear once per
expression except on names, display names, tags and artifacts ("'CONTAINS' operator usage limit
of 1 exceeded."); at most 50 Filters, NestedFilters and SubExpressions in all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal

from ...errors import ValidationError
from ...models import METRIC_STATISTICS

PropertyType = Literal["text", "number", "time", "param"]
Scalar = str | float | datetime
Values = list[Scalar]
Fields = dict[str, Values]

MAX_CLAUSES = 50
TEXT_OPERATORS = frozenset({"Equals", "NotEquals", "Contains", "In", "Exists", "NotExists"})
ORDER_OPERATORS = frozenset({"GreaterThan", "GreaterThanOrEqualTo", "LessThan",
                             "LessThanOrEqualTo"})
ORDERED_OPERATORS = frozenset({"Equals", "NotEquals", "Exists", "NotExists"}) | ORDER_OPERATORS
_TYPE_NAMES = {"text": "text", "number": "numeric", "time": "timestamp"}
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class Document:
    """What a record offers to filters and sorting, read on demand: a filter on one property
    reads that property only (a record has dozens; most searches look at one or two)."""

    __slots__ = ()

    def values(self, path: str) -> Values:
        """The values of property ``path`` (most have one; none when the record lacks it)."""
        raise NotImplementedError

    def elements(self, nested: str) -> list[Fields]:
        """One Fields per element of nested property ``nested`` (paths keep its prefix)."""
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class Schema:
    """The searchable properties of one Search resource."""

    resource: str
    #: fixed property paths and their types
    fixed: Mapping[str, PropertyType]
    #: paths with several values per record (not sortable)
    multi: frozenset[str]
    #: NestedPropertyName -> {element property path: its type}
    nested: Mapping[str, Mapping[str, PropertyType]]
    #: dynamic prefixes: ``Tags.`` (text), ``Parameters.`` (param), ``Metrics.`` (number)...
    prefixes: Mapping[str, PropertyType]
    #: properties (or prefixes, ending in '.') on which Contains may be used more than once
    contains_free: frozenset[str]

    def resolve(self, name: str) -> tuple[PropertyType, str]:
        """The type of property ``name`` and the document path that holds its values."""
        property_type = self.fixed.get(name)
        if property_type is not None:
            return property_type, name
        for prefix, prefix_type in self.prefixes.items():
            if name.startswith(prefix) and len(name) > len(prefix):
                if prefix == "Metrics.":
                    return "number", metric_path(name)
                if prefix == "Parameters.":
                    if name.endswith(".NumberValue"):
                        return "number", name
                    if name.endswith(".StringValue"):
                        return "text", name
                return prefix_type, name
        raise unknown_property(name)

    def contains_limited(self, name: str) -> bool:
        if name in self.contains_free:
            return False
        return not any(name.startswith(p) for p in self.contains_free if p.endswith("."))


def metric_path(name: str) -> str:
    """``Metrics.<name>.<stat>``; CHOICE: without a known statistic, ``Metrics.<name>`` is the
    metric's Last value (training jobs' ``Metrics.<name>`` is their final value)."""
    head, _, stat = name.rpartition(".")
    if stat in METRIC_STATISTICS and head != "Metrics":
        return name
    return f"{name}.Last"


def unknown_property(name: str) -> ValidationError:
    """INFERRED: ``Unknown property name: <name>``, the text moto's Search (getmoto/moto,
    moto/sagemaker/models.py) gives as AWS's; nothing from AWS itself is public."""
    return ValidationError(f"Unknown property name: {name}")


# -- values ---------------------------------------------------------------------------------

def parse_number(text: str) -> float | None:
    text = text.strip()
    return float(text) if _NUMBER.fullmatch(text) else None


def parse_time(text: str) -> datetime | None:
    """ISO 8601 (CONFIRMED: ``YYYY-mm-dd'T'HH:MM:SS``) or epoch seconds; CHOICE: a time
    without a zone is UTC, and epoch seconds are accepted too."""
    text = text.strip()
    number = parse_number(text)
    if number is not None:
        try:
            return datetime.fromtimestamp(number, timezone.utc)
        except (OverflowError, OSError, ValueError):
            return None
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


# -- compiling ------------------------------------------------------------------------------

Predicate = Callable[[Document], bool]
ValuesTest = Callable[[Values], bool]


@dataclass(slots=True)
class _Budget:
    clauses: int = 0
    limited_contains: int = 0


def compile_expression(schema: Schema, expression: Mapping[str, Any] | None) -> Predicate:
    """Check a whole SearchExpression and return its predicate (None matches everything)."""
    if expression is None:
        return lambda document: True
    budget = _Budget()
    predicate = _expression(schema, expression, budget)
    if budget.clauses > MAX_CLAUSES:
        # CHOICE: every Filter (also inside NestedFilters), NestedFilters and SubExpression
        # counts once; the outermost expression does not. Wording not public.
        raise ValidationError(
            f"A SearchExpression can contain at most {MAX_CLAUSES} Filters, NestedFilters and "
            f"SubExpressions in all (recursively); this one has {budget.clauses}.")
    if budget.limited_contains > 1:
        raise ValidationError("'CONTAINS' operator usage limit of 1 exceeded.")  # CONFIRMED
    return predicate


def _expression(schema: Schema, expression: Mapping[str, Any], budget: _Budget) -> Predicate:
    filters = expression.get("Filters") or []
    nested = expression.get("NestedFilters") or []
    subs = expression.get("SubExpressions") or []
    if not (filters or nested or subs):
        # Model docs: "You must specify at least one subexpression, filter, or nested filter."
        raise ValidationError(
            "A SearchExpression must specify at least one subexpression, filter, or nested "
            "filter.")
    parts: list[Predicate] = []
    for item in filters:
        budget.clauses += 1
        path, test = _filter(schema, item, budget, None)
        parts.append(_on_fields(path, test))
    for item in nested:
        budget.clauses += 1
        parts.append(_nested(schema, item, budget))
    for item in subs:
        budget.clauses += 1
        parts.append(_expression(schema, item, budget))
    if expression.get("Operator") == "Or":  # And by default
        return lambda document: any(part(document) for part in parts)
    return lambda document: all(part(document) for part in parts)


def _on_fields(path: str, test: ValuesTest) -> Predicate:
    return lambda document: test(document.values(path))


def _nested(schema: Schema, item: Mapping[str, Any], budget: _Budget) -> Predicate:
    name: str = item["NestedPropertyName"]
    element = schema.nested.get(name)
    if element is None:
        # CHOICE: wording not public.
        raise ValidationError(
            f"NestedPropertyName '{name}' is not a nested property of Search resource "
            f"{schema.resource}; nested properties are: {', '.join(sorted(schema.nested))}.")
    tests: list[tuple[str, ValuesTest]] = []
    for inner in item["Filters"]:
        budget.clauses += 1
        tests.append(_filter(schema, inner, budget, (name, element)))

    def matches(document: Document) -> bool:
        # "A nested filter is satisfied if a single object in the list satisfies all Boolean
        # expressions" (model docs).
        return any(all(test(fields.get(path, [])) for path, test in tests)
                   for fields in document.elements(name))
    return matches


def _filter(schema: Schema, item: Mapping[str, Any], budget: _Budget,
            nested: tuple[str, Mapping[str, PropertyType]] | None) -> tuple[str, ValuesTest]:
    name: str = item["Name"]
    value: str | None = item.get("Value")
    operator: str | None = item.get("Operator")
    if nested is None:
        property_type, path = schema.resolve(name)
    else:
        nested_name, element = nested
        found = element.get(name)
        if found is None:
            # CHOICE: wording not public.
            raise ValidationError(
                f"Filter name '{name}' is not a property of nested property '{nested_name}'; "
                f"valid names are: {', '.join(element)}.")
        property_type, path = found, name
    if operator is None:
        if value is None:
            # CHOICE: neither Operator nor Value; wording not public.
            raise ValidationError(f"Filter on '{name}' needs a Value (Operator defaults to "
                                  "Equals) or an Operator.")
        operator = "Equals"
    if operator in ("Exists", "NotExists"):
        if value is not None:
            # CHOICE: AWS's answer to a Value with Exists/NotExists is not public.
            raise ValidationError(f"Operator {operator} takes no Value (filter on '{name}').")
        wanted = operator == "Exists"
        return path, lambda values: bool(values) == wanted
    if value is None:
        raise ValidationError(f"Operator {operator} needs a Value (filter on '{name}').")
    if operator == "Contains" and schema.contains_limited(name):
        budget.limited_contains += 1
    allowed = TEXT_OPERATORS if property_type == "text" else (
        ORDERED_OPERATORS if property_type in ("number", "time")
        else TEXT_OPERATORS | ORDER_OPERATORS)
    if operator not in allowed:
        raise ValidationError(
            f"Operator {operator} is not supported for {_TYPE_NAMES[property_type]} property "
            f"'{name}'.")
    return path, _test(property_type, name, operator, value)


def _bad_value(name: str, value: str, what: str) -> ValidationError:
    return ValidationError(f"Value '{value}' for property '{name}' is not a valid {what}.")


def _test(property_type: PropertyType, name: str, operator: str, value: str) -> ValuesTest:
    if property_type == "number":
        number = parse_number(value)
        if number is None:
            raise _bad_value(name, value, "number")
        return _ordered(operator, number)
    if property_type == "time":
        moment = parse_time(value)
        if moment is None:
            raise _bad_value(name, value, "timestamp (ISO 8601, e.g. 2024-01-31T12:00:00Z)")
        return _ordered(operator, moment)
    if property_type == "text":
        return _text(operator, value)
    # A parameter is a number or a string per record: compare like with like.
    number = parse_number(value)
    if operator in ORDER_OPERATORS:
        if number is None:
            raise _bad_value(name, value, "number")
        numeric = _ordered(operator, number)
        return lambda values: numeric([v for v in values if isinstance(v, float)])
    textual = _text(operator, value)
    if number is None:
        return textual
    numeric = _ordered(operator, number)
    if operator == "NotEquals":
        return lambda values: textual(values) and numeric(values)
    return lambda values: textual(values) or numeric(values)


def _ordered(operator: str, target: float | datetime) -> ValuesTest:
    """A test on numbers or times; values of another type never compare."""
    target_type = type(target)

    def same(values: Values) -> list[Any]:
        return [v for v in values if isinstance(v, target_type)]

    if operator == "Equals":
        return lambda values: any(v == target for v in same(values))
    if operator == "NotEquals":
        return lambda values: all(v != target for v in same(values))
    if operator == "GreaterThan":
        return lambda values: any(v > target for v in same(values))
    if operator == "GreaterThanOrEqualTo":
        return lambda values: any(v >= target for v in same(values))
    if operator == "LessThan":
        return lambda values: any(v < target for v in same(values))
    return lambda values: any(v <= target for v in same(values))


def _text(operator: str, target: str) -> ValuesTest:
    """CHOICE: text comparisons are case-sensitive; NotEquals matches a record without the
    property; In splits Value on commas and strips blanks around each item.

    ``operator`` is one of the four below: _filter allows no other on text, answers Exists and
    NotExists itself, and _test sends a parameter's order operators to _ordered."""
    def strings(values: Values) -> list[str]:
        return [v for v in values if isinstance(v, str)]

    if operator == "Equals":
        return lambda values: target in strings(values)
    if operator == "NotEquals":
        return lambda values: target not in strings(values)
    if operator == "Contains":
        return lambda values: any(target in v for v in strings(values))
    choices = frozenset(part.strip() for part in target.split(","))  # In
    return lambda values: any(v in choices for v in strings(values))


# -- sorting --------------------------------------------------------------------------------

def compile_sort(schema: Schema, sort_by: str) -> str:
    """The document path SortBy orders on (checked: a known, single-valued property)."""
    _, path = schema.resolve(sort_by)
    if path in schema.multi:
        # CHOICE: a property with several values per record has no order.
        raise ValidationError(
            f"SortBy '{sort_by}' has several values per record and cannot be sorted on.")
    return path


#: Where a record stands in a Search's order; unique (it ends with the record's seq).
Rank = tuple[Any, ...]


def rank(value: Scalar | None, seq: int, descending: bool) -> Rank:
    """The record's place in the order, compared as tuples: ascending, the smallest rank
    first; descending, the largest.  Records with the property come first, ordered by it (ties
    broken by creation order in the same direction), then those without it (CHOICE), in
    creation order in the same direction.  CHOICE: for parameters, numbers sort before
    strings."""
    if value is None:
        return (0 if descending else 1, seq)
    return (1 if descending else 0, isinstance(value, str), value, seq)


def rank_to_json(ranked: Rank) -> list[Any]:
    """A rank as JSON (a NextToken's cursor): times as ``{"t": iso}``."""
    return [{"t": part.isoformat()} if isinstance(part, datetime) else part for part in ranked]


def rank_from_json(parts: list[Any]) -> Rank:
    return tuple(datetime.fromisoformat(part["t"]) if isinstance(part, dict) else part
                 for part in parts)
