"""Hypothesis strategies built from botocore's service model, and the checks hostile tests share.

Everything is derived from the model and from ``OPERATIONS``: a newly served operation is
covered without touching this file, except for a new model pattern, which gets a hand-written
entry in ``MODEL_PATTERNS`` (tests/test_validation.py checks the table covers every pattern the
served operations can reach).  Nothing here comes from the code under test: patterns, ARNs and
name comparisons are restated independently, so a bug there cannot make the generator and the
checker agree.  Four request flavours:

- ``request(service, op, "valid")``: plausible requests within the model's limits (lengths at
  the limits included), names from a small pool in mixed letter case so that calls in one
  example create, find and collide on the same resources;
- ``"hostile"``: also hostile text (controls, surrogates...) and sizes just past every limit;
- ``"client"``: also wrong JSON scalar types and missing required members (what a client with
  ``parameter_validation=False`` can still serialize);
- ``"raw"``: also anything JSON at any member, for bodies sent straight to the hook.

The second half holds the checks: response-vs-output-shape walkers, backend invariants and a
deep snapshot of the backend to prove that a failed call changed nothing.
"""

from __future__ import annotations

import dataclasses
import math
import re
import string
import unicodedata
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timezone
from functools import cache
from typing import Any

from botocore import xform_name
from hypothesis import strategies as st

from pytest_sm_experiments import _botocore
from pytest_sm_experiments.core.operations import OPERATIONS

ACCOUNT = "123456789012"
REGION = "us-east-1"

#: A few names in several letter cases: calls in one example create, find and collide on them.
POOL_NAMES = ("exp", "EXP", "Run-1", "run-1", "tc")
_ARN = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:"
POOL_ARNS = tuple(f"{_ARN}{kind}/{name}"
                  for kind in ("experiment", "experiment-trial", "experiment-trial-component")
                  for name in ("exp", "run-1", "tc"))
#: Words that mean something somewhere (Search properties, statuses, tag keys, media types).
POOL_WORDS = (
    "ExperimentName", "TrialName", "TrialComponentName", "DisplayName", "Tags.team",
    "Parents.TrialName", "Parents.ExperimentName", "Parameters.lr", "Metrics.loss.Max",
    "CreationTime", "LastModifiedTime", "team", "risk", "lr", "loss", "0.5", "1", "-1",
    "2024-01-01T00:00:00Z", "InProgress", "Completed", "text/csv", "s3://bucket/key",
    "sagemaker:trial-component-source", "aws:reserved", "AWS:Reserved",
)

#: Text no sane client sends, but AWS must survive.
NASTY = (
    "", " ", "\x00", "\n", "\r\n", "\t", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff",
    "\ud800", "\udfff", "\U0001f600", "İ", "ß", "ﬃ", "'", '"', "\\", "%s", "{0}", "../..",
    "<x/>", "a\x00b", "é" * 3, "a" * 121, "-a", "a-", "a--b", "arn:", "arn:aws:sagemaker:::",
)

_ALNUM = string.ascii_letters + string.digits
_EPOCH_MIN = datetime(1970, 1, 2, tzinfo=timezone.utc)
_EPOCH_MAX = datetime(2100, 1, 1, tzinfo=timezone.utc)
_MAX_LIST = 4
_MAX_DEPTH = 4


def served() -> list[tuple[str, str]]:
    """Every (service, operation) the mock serves, in a stable order."""
    return sorted(OPERATIONS)


def operation_model(service: str, operation: str) -> Any:
    return _botocore.operation_model(service, operation)


def method_name(operation: str) -> str:
    return xform_name(operation)


def modeled_error_codes(service: str, operation: str) -> frozenset[str]:
    """Codes a client may see for ``operation``: its modeled errors and ValidationException."""
    codes = {shape.metadata.get("error", {}).get("code", shape.name)
             for shape in operation_model(service, operation).error_shapes}
    return frozenset({*codes, "ValidationException"})


# -- values ------------------------------------------------------------------------------------

def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Any code point (controls, surrogates, non-characters included) and a list of nasties."""
    return st.one_of(
        st.sampled_from(NASTY),
        st.text(st.characters(codec=None, exclude_categories=()), max_size=max_size),
    )


def _bounds(meta: dict[str, Any]) -> tuple[int, int | None]:
    return int(meta.get("min", 0)), (int(meta["max"]) if "max" in meta else None)


def boundary_sizes(meta: dict[str, Any], *, valid: bool = False) -> list[int]:
    """Sizes at and around every limit of a shape: min-1, min, min+1, max-1, max, max+1
    (only those within the limits when ``valid``)."""
    low, high = _bounds(meta)
    sizes = {low - 1, low, low + 1}
    if high is not None:
        sizes |= {high - 1, high, high + 1}
    top = high if valid and high is not None else 5000
    return sorted(size for size in sizes if max(low if valid else 0, 0) <= size <= top)


# -- the model's patterns, restated -------------------------------------------------------------

#: What Java's ``.`` matches: anything but a line terminator.
_JAVA_DOT = "[^\n\r\x85\u2028\u2029]"
_NAME = "[a-zA-Z0-9](?:-*[a-zA-Z0-9]){0,119}"
_CONTEXT_NAME = "[a-zA-Z0-9](?:[-_]*[a-zA-Z0-9]){0,119}"
_TAG_EXTRA = "_.:/=+-@"
#: Unicode categories ``\p{L}``, ``\p{Z}`` and ``\p{N}`` (Java's meaning: the general category).
_TAG_CATEGORIES = ("L", "Z", "N")


def _is_tag_text(text: str) -> bool:
    return all(unicodedata.category(char)[0] in _TAG_CATEGORIES or char in _TAG_EXTRA
               for char in text)


@dataclasses.dataclass(frozen=True)
class ModelPattern:
    """A model (Java) pattern restated by hand: a full-match test and a generator of matches."""

    matches: Any  # Callable[[str], bool]
    strategy: st.SearchStrategy[str]


def _regex(python: str) -> ModelPattern:
    compiled = re.compile(python)
    return ModelPattern(lambda text: compiled.fullmatch(text) is not None,
                        st.from_regex(compiled, fullmatch=True))


#: Every pattern the served operations' inputs can reach, as botocore's model spells it less
#: the anchors some model versions add (``^...$``: the model's patterns always match whole).
MODEL_PATTERNS: dict[str, ModelPattern] = {
    ".*": _regex(f"{_JAVA_DOT}*"),
    ".+": _regex(f"{_JAVA_DOT}+"),
    "[-\\w]+\\/[-\\w+]+": _regex("[-A-Za-z0-9_]+/[-A-Za-z0-9_+]+"),
    "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}": _regex(_NAME),
    "[a-z0-9](-*[a-z0-9]){0,119}": _regex("[a-z0-9](?:-*[a-z0-9]){0,119}"),
    "[a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,119}": _regex(_CONTEXT_NAME),
    "(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:context\\/)?"
    "([a-zA-Z0-9]([-_]*[a-zA-Z0-9]){0,119})": _regex(
        f"(?:arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{{12}}:context/)?{_CONTEXT_NAME}"),
    "arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:.+": _regex(
        f"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{{12}}:{_JAVA_DOT}+"),
    "(arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:(experiment|experiment-trial|"
    "experiment-trial-component|artifact|action|context)\\/)?([a-zA-Z0-9](-*[a-zA-Z0-9]){0,119})":
        _regex("(?:arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:(?:experiment|experiment-trial|"
               f"experiment-trial-component|artifact|action|context)/)?{_NAME}"),
    "arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:(experiment|experiment-trial-component|"
    "artifact|action|context)/.*": _regex(
        "arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{12}:(?:experiment|experiment-trial-component|"
        f"artifact|action|context)/{_JAVA_DOT}*"),
    "arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:[a-z\\-].*/.*": _regex(
        f"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{{12}}:[a-z-]{_JAVA_DOT}*/{_JAVA_DOT}*"),
    "arn:aws[a-z\\-]*:sagemaker:[a-z0-9\\-]*:[0-9]{12}:artifact/.*": _regex(
        f"arn:aws[a-z-]*:sagemaker:[a-z0-9-]*:[0-9]{{12}}:artifact/{_JAVA_DOT}*"),
    "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)": ModelPattern(
        _is_tag_text,
        st.text(st.characters(categories=("L", "Zs", "Zl", "Zp", "N"),
                              include_characters=_TAG_EXTRA))),
}


def unanchored(pattern: str) -> str:
    """``^x$`` -> ``x``: how MODEL_PATTERNS spells a model pattern."""
    return pattern.removeprefix("^").removesuffix("$")


def model_pattern(pattern: str) -> ModelPattern:
    found = MODEL_PATTERNS.get(unanchored(pattern))
    if found is None:
        raise KeyError(f"model pattern {pattern!r} has no entry in strategies.MODEL_PATTERNS: "
                       "restate it by hand there")
    return found


@cache
def _pool_for(pattern: str | None, low: int, high: int | None) -> tuple[str, ...]:
    """The pool entries a string shape accepts (so that generated names hit real resources)."""
    matches = model_pattern(pattern).matches if pattern else (lambda _: True)

    def fits(words: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(word for word in words
                     if low <= len(word) <= (high if high is not None else 10**9)
                     and matches(word))

    # Where names fit (name and name-or-ARN members), names only: collisions stay likely.
    return fits((*POOL_NAMES, *POOL_ARNS)) or fits(POOL_WORDS)


def _fit(text: str, low: int, cap: int) -> str:
    """Cut or pad (with 'a', which every name-like pattern accepts) into [low, cap]."""
    text = text[:cap]
    return text + "a" * (low - len(text)) if len(text) < low else text


def _string(shape: Any, mode: str) -> st.SearchStrategy[Any]:
    meta = shape.metadata
    low, high = _bounds(meta)
    hostile = mode != "valid"
    enum = meta.get("enum")
    if enum:
        branches: list[st.SearchStrategy[Any]] = [st.sampled_from(enum)]
        if hostile:
            # Enum values in the wrong letter case are a classic.
            branches += [st.sampled_from(enum).map(str.lower), hostile_text()]
        return st.one_of(branches)
    branches = []
    pool = _pool_for(meta.get("pattern"), low, high)
    if pool:
        # Several entries: pool names dominate, so calls in one example touch the same names.
        branches += [st.sampled_from(pool)] * 3
    pattern = meta.get("pattern")
    cap = min(high if high is not None else 64, 64)
    if pattern:
        branches.append(model_pattern(pattern).strategy.map(lambda text: _fit(text, low, cap)))
    else:
        branches.append(st.text(_ALNUM, min_size=low, max_size=max(cap, low)))
    branches.append(st.sampled_from(boundary_sizes(meta, valid=not hostile)).flatmap(
        lambda size: st.text(_ALNUM, min_size=size, max_size=size)))
    if hostile:
        branches.append(hostile_text())
    return st.one_of(branches)


def _number(shape: Any, integral: bool, mode: str) -> st.SearchStrategy[Any]:
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    edges = [edge for limit in (low, high) if limit is not None
             for edge in (limit - 1, limit, limit + 1)]
    if mode == "valid":
        edges = [edge for edge in edges if (low is None or edge >= low)
                 and (high is None or edge <= high)]
    base: st.SearchStrategy[Any] = (
        st.integers(min_value=low, max_value=high) if integral
        else st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False))
    branches = [base, st.sampled_from(edges or [low or 0])]
    if mode != "valid":
        branches.append(st.integers(-(2**63), 2**63))
        if not integral:
            branches.append(st.floats())  # nan and infinities included
    return st.one_of(branches)


def _timestamp(mode: str) -> st.SearchStrategy[Any]:
    good = st.datetimes(min_value=_EPOCH_MIN.replace(tzinfo=None),
                        max_value=_EPOCH_MAX.replace(tzinfo=None),
                        timezones=st.just(timezone.utc))
    if mode == "valid":
        return good
    if mode == "raw":
        return st.one_of(good.map(lambda when: when.timestamp()),
                         st.floats(), st.integers(-(10**20), 10**20))
    # Far past and far future still serialize on the client side.
    extreme = st.sampled_from([datetime(1, 1, 2, tzinfo=timezone.utc),
                               datetime(9999, 12, 31, tzinfo=timezone.utc),
                               datetime(1969, 12, 31, tzinfo=timezone.utc)])
    return st.one_of(good, extreme)


def json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), hostile_text(10))


def json_values() -> st.SearchStrategy[Any]:
    return st.recursive(
        json_scalars(),
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(hostile_text(8), inner, max_size=3)),
        max_leaves=12,
    )


def _wrong_scalar(shape: Any) -> st.SearchStrategy[Any]:
    """A JSON scalar of another type than ``shape`` (botocore serializes it as given)."""
    kind = shape.type_name
    options: list[st.SearchStrategy[Any]] = [st.booleans()]
    if kind != "string":
        options.append(hostile_text(10))
    if kind not in ("integer", "long", "double", "float"):
        options += [st.integers(), st.floats()]
    if kind in ("integer", "long"):
        options.append(st.floats().filter(lambda value: not float(value).is_integer()))
    if kind == "boolean":
        options = [hostile_text(10), st.integers(), st.floats()]
    if kind in ("double", "float"):
        # botocore's serializer calls math.isnan on these: only a bool gets through.
        options = [st.booleans()]
    return st.one_of(options)


MODES = ("valid", "hostile", "client", "raw")


def values(shape: Any, mode: str = "valid", depth: int = 0) -> st.SearchStrategy[Any]:
    """A value for ``shape``. ``mode``: ``valid`` (within the model's limits), ``hostile``
    (hostile text and out-of-range sizes too), ``client`` (also wrong scalar types) or ``raw``
    (also anything JSON anywhere)."""
    kind = shape.type_name
    if kind == "structure":
        strategy: st.SearchStrategy[Any] = _structure(shape, mode, depth)
    elif kind == "list":
        strategy = _list(shape, mode, depth)
    elif kind == "map":
        # Keys are strings on the wire, whatever the mode.
        strategy = st.dictionaries(values(shape.key, "valid", depth + 1),
                                   values(shape.value, mode, depth + 1), max_size=3)
    elif kind == "string":
        strategy = _string(shape, mode)
    elif kind in ("integer", "long"):
        strategy = _number(shape, True, mode)
    elif kind in ("double", "float"):
        strategy = _number(shape, False, mode)
    elif kind == "boolean":
        strategy = st.booleans()
    elif kind == "timestamp":
        strategy = _timestamp(mode)
    else:  # blobs and documents: rare in these APIs
        strategy = st.binary(max_size=8) if mode != "raw" else st.just("")
    if mode == "client" and kind in ("string", "integer", "long", "double", "float", "boolean"):
        return st.one_of(strategy, _wrong_scalar(shape))
    if mode == "raw":
        return st.one_of(strategy, json_values())
    return strategy


def _list(shape: Any, mode: str, depth: int) -> st.SearchStrategy[Any]:
    member = values(shape.member, mode, depth + 1)
    low, high = _bounds(shape.metadata)
    small = st.lists(member, min_size=min(low, _MAX_LIST),
                     max_size=min(_MAX_LIST, high) if high is not None else _MAX_LIST)
    if depth >= _MAX_DEPTH:
        return small
    # Lengths at the list's limits (50 tags, 51 tags...).
    sizes = [size for size in boundary_sizes(shape.metadata, valid=mode == "valid")
             if size > _MAX_LIST]
    if not sizes:
        return small
    return st.one_of(small, st.sampled_from(sizes).flatmap(
        lambda size: st.lists(member, min_size=size, max_size=size)))


def _structure(shape: Any, mode: str, depth: int) -> st.SearchStrategy[Any]:
    required = set(shape.required_members)
    members = shape.members
    if depth >= _MAX_DEPTH:
        # Recursive shapes (Search's SubExpressions) stop here: required members only.
        return st.fixed_dictionaries({name: _deferred(members[name], mode, depth + 1)
                                      for name in required})
    fixed = {name: _deferred(members[name], mode, depth + 1) for name in required}
    optional = {name: _deferred(member, mode, depth + 1)
                for name, member in members.items() if name not in required}
    strategy = st.fixed_dictionaries(fixed, optional=optional)
    if mode in ("client", "raw") and required:
        # A required member missing.
        strategy = st.one_of(strategy, strategy.flatmap(
            lambda value: st.sampled_from(sorted(required)).map(
                lambda name: {key: item for key, item in value.items() if key != name})))
    return strategy


def _deferred(shape: Any, mode: str, depth: int) -> st.SearchStrategy[Any]:
    return st.deferred(lambda: values(shape, mode, depth))


@cache
def request(service: str, operation: str, mode: str = "valid") -> st.SearchStrategy[Any]:
    """Parameters for one call of ``operation`` (a dict, except sometimes in ``raw`` mode)."""
    shape = operation_model(service, operation).input_shape
    if shape is None:
        return st.just({})
    return values(shape, mode, 0)


def calls(modes: tuple[str, ...] = ("valid", "valid", "valid", "hostile"),
          max_calls: int = 6) -> st.SearchStrategy[list[tuple[str, str, dict[str, Any]]]]:
    """A short sequence of calls to served operations, drawn from the whole table; each call's
    mode is drawn from ``modes`` (repeat a mode to weight it)."""
    def one(operations: list[tuple[str, str]], modes: tuple[str, ...]) -> st.SearchStrategy[
            tuple[str, str, dict[str, Any]]]:
        return st.tuples(st.sampled_from(operations), st.sampled_from(modes)).flatmap(
            lambda pick: request(pick[0][0], pick[0][1], pick[1]).map(
                lambda params: (pick[0][0], pick[0][1], params)))

    # A valid prefix of creates and associations gives the other calls something to find.
    seeding = [key for key in served() if key[1].startswith(("Create", "Associate"))]
    prefix = st.lists(one(seeding, ("valid",)), max_size=6) if seeding else st.just([])
    rest = st.lists(one(served(), modes), min_size=1, max_size=max_calls)
    return st.tuples(prefix, rest).map(lambda parts: parts[0] + parts[1])


def seed(mock: Any, client: Any) -> None:
    """Pool-named resources for every served operation to act on (not journaled)."""
    steps = [
        ("CreateExperiment", {"ExperimentName": "exp"}),
        ("CreateTrial", {"TrialName": "run-1", "ExperimentName": "exp"}),
        ("CreateTrialComponent", {"TrialComponentName": "tc"}),
        ("AssociateTrialComponent", {"TrialComponentName": "tc", "TrialName": "run-1"}),
    ]
    with mock.unrecorded():
        for operation, params in steps:
            if ("sagemaker", operation) in OPERATIONS:
                getattr(client, method_name(operation))(**params)


def epoch_default(value: Any) -> Any:
    """``json.dumps`` default for generated requests: datetimes as epoch seconds (the wire)."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return value.decode("latin-1")
    raise TypeError(type(value).__name__)


# -- checks: responses against the model --------------------------------------------------------

def shape_problems(shape: Any, value: Any, path: str = "", *, raw: bool = False) -> list[str]:
    """Where ``value`` does not fit ``shape``. ``raw`` checks the handler's own dict (timestamps
    as datetimes, every key a member) rather than the response botocore parsed."""
    problems: list[str] = []
    _walk(shape, value, path or shape.name, problems, raw)
    return problems


_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,),
    "double": (float, int), "float": (float, int), "timestamp": (datetime,),
    "blob": (bytes, bytearray), "list": (list, tuple), "map": (dict,), "structure": (dict,),
}


def _walk(shape: Any, value: Any, path: str, problems: list[str], raw: bool) -> None:
    kind = shape.type_name
    expected = _TYPES.get(kind)
    if expected is not None and (not isinstance(value, expected) or (
            kind != "boolean" and isinstance(value, bool))):
        problems.append(f"{path}: {type(value).__name__} is not a {kind}")
        return
    if kind == "string":
        enum = shape.metadata.get("enum")
        if enum and value not in enum:
            problems.append(f"{path}: {value!r} not in enum")
    elif kind in ("double", "float") and isinstance(value, float) and not math.isfinite(value):
        problems.append(f"{path}: {value!r} is not finite (not valid JSON)")
    elif kind == "list":
        for index, item in enumerate(value):
            _walk(shape.member, item, f"{path}[{index}]", problems, raw)
    elif kind == "map":
        for key, item in value.items():
            _walk(shape.key, key, f"{path}.key", problems, raw)
            _walk(shape.value, item, f"{path}[{key!r}]", problems, raw)
    elif kind == "structure":
        for key, item in value.items():
            if key == "ResponseMetadata" and not raw:
                continue
            member = shape.members.get(key)
            if member is None:
                problems.append(f"{path}: unexpected member {key!r}")
            elif item is None:
                problems.append(f"{path}.{key}: null")
            else:
                _walk(member, item, f"{path}.{key}", problems, raw)
        if shape.metadata.get("union") and len(value) > 1:
            problems.append(f"{path}: more than one member of a union")


# -- checks: the backend ----------------------------------------------------------------------

def _collections(state: Any) -> dict[str, Any]:
    return {slot: getattr(state, slot) for slot in ("experiments", "trials", "trial_components")
            if hasattr(state, slot)}


def records(mock: Any) -> tuple[dict[str, dict[str, Any]], ...]:
    """A deep copy of what the handle shows in the mock's own region and account: experiments,
    trials and trial components, as plain dicts (a change to a record inside cannot hide)."""
    return tuple({name: dataclasses.asdict(record) for name, record in view.items()}
                 for view in (mock.experiments, mock.trials, mock.trial_components))


def snapshot(mock: Any) -> dict[tuple[str, str], dict[str, dict[str, Any]]]:
    """A deep, comparable copy of every non-empty region state (records as plain dicts)."""
    result: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for state in mock.service.backend.states():
        tables = {kind: {record.name.lower(): dataclasses.asdict(record) for record in collection}
                  for kind, collection in _collections(state).items()}
        if any(tables.values()):
            result[(state.account_id, state.region)] = tables
    return result


#: The resource type in the ARNs of each collection.
_ARN_TYPES = {"experiments": "experiment", "trials": "experiment-trial",
              "trial_components": "experiment-trial-component"}


def invariant_problems(mock: Any) -> list[str]:
    """What is wrong with what the mock holds: keys, ARNs, quotas, times and associations.

    Names are unique case-insensitively (AWS); the names here are ASCII, so ``str.lower``.
    """
    problems: list[str] = []
    quotas = mock.options.quotas
    for state in mock.service.backend.states():
        where = f"{state.account_id}/{state.region}"
        tables = _collections(state)
        for kind, collection in tables.items():
            if len(collection) > quotas[kind]:
                problems.append(f"{where}: {len(collection)} {kind} > quota")
            for record in collection:
                name = record.name
                if collection.get(name.swapcase()) is not record:
                    problems.append(f"{where} {kind}: {name!r} not found in another letter case")
                shown = name if mock.options.arn_case == "preserve" else name.lower()
                arn = f"arn:aws:sagemaker:{state.region}:{state.account_id}:{_ARN_TYPES[kind]}/"
                if record.arn != arn + shown:
                    problems.append(f"{where} {kind} {name}: arn {record.arn}")
                if len(record.tags) > quotas["tags_per_resource"]:
                    problems.append(f"{where} {kind} {name}: too many tags")
                if record.last_modified_time < record.creation_time:
                    problems.append(f"{where} {kind} {name}: modified before created")
        problems += [f"{where} {problem}" for problem in _association_problems(tables, quotas)]
    return problems


def _association_problems(tables: dict[str, Any], quotas: Any) -> list[str]:
    """Trials and components name each other symmetrically, once, and only existing records."""
    trials, components = tables["trials"], tables["trial_components"]
    experiment_names = {record.name.lower() for record in tables["experiments"]}
    trial_names = {record.name.lower() for record in trials}
    component_names = {record.name.lower() for record in components}
    held = Counter((trial.name.lower(), name.lower())
                   for trial in trials for name in trial.trial_component_names)
    belongs = Counter((name.lower(), component.name.lower())
                      for component in components for name in component.trial_names)
    problems = [f"association {pair} on one side only"
                for pair in (held - belongs) + (belongs - held)]
    problems += [f"association {pair} stored twice" for pair, count in (held | belongs).items()
                 if count > 1]
    problems += [f"association {pair} names a missing record" for pair in held | belongs
                 if pair[0] not in trial_names or pair[1] not in component_names]
    problems += [f"trial {trial.name} in missing experiment {trial.experiment_name}"
                 for trial in trials if trial.experiment_name.lower() not in experiment_names]
    per_experiment = Counter(trial.experiment_name.lower() for trial in trials)
    per_trial = Counter(pair[0] for pair in held)
    problems += [f"experiment {key}: {count} trials" for key, count in per_experiment.items()
                 if count > quotas["trials_per_experiment"]]
    problems += [f"trial {key}: {count} components" for key, count in per_trial.items()
                 if count > quotas["components_per_trial"]]
    problems += [f"component {component.name}: too many {attribute}"
                 for component in components
                 for attribute, quota in (("parameters", "parameters_per_trial_component"),
                                          ("input_artifacts", "artifacts_per_trial_component"),
                                          ("output_artifacts", "artifacts_per_trial_component"))
                 if len(getattr(component, attribute)) > quotas[quota]]
    return problems


def secrets_in(texts: Iterable[str], secrets: Iterable[str]) -> list[str]:
    """Which ``secrets`` appear in any of ``texts``."""
    joined = "\n".join(texts)
    return [secret for secret in secrets if secret in joined]


def nested_search(depth: int) -> bytes:
    """A Search whose SearchExpression nests ``depth`` SubExpressions (built as text: json
    itself cannot encode that deep)."""
    inner = '{"Filters":[{"Name":"ExperimentName","Value":"a"}]}'
    return ('{"Resource":"Experiment","SearchExpression":' + '{"SubExpressions":[' * depth
            + inner + "]}" * depth + "}").encode()
