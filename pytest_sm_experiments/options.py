"""Mock options: one set, used by the decorator, the marker and the ini file alike.

Leaf module: standard library only.  Quotas that AWS does not publish are a CHOICE (see the
README's "Fidelity notes"); every quota can be changed per mock.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from types import MappingProxyType
from typing import Any, Literal

from .arns import REGION
from .errors import MockUsageError

ArnCase = Literal["lower", "preserve"]


@dataclass(frozen=True, slots=True)
class Quota:
    """One limit: the option key, AWS's quota name and unit (for the error text), its default."""

    key: str
    aws_name: str
    unit: str
    default: int


QUOTAS: Mapping[str, Quota] = MappingProxyType({q.key: q for q in (
    # CHOICE: AWS does not publish per-account counts for these three.
    Quota("experiments", "Total number of experiments allowed per account", "Experiments", 10_000),
    Quota("trials", "Total number of trials allowed per account", "Trials", 100_000),
    Quota("trial_components", "Total number of trial components allowed per account",
          "Trial Components", 100_000),
    # CONFIRMED: aws/amazon-sagemaker-examples#3396 quotes this name and limit verbatim.
    Quota("trials_per_experiment",
          "Total number of trials allowed in a single experiment, excluding those automatically "
          "created by SageMaker", "Trials", 300),
    # CHOICE: not public.
    Quota("components_per_trial", "Total number of trial components allowed in a single trial",
          "Trial Components", 10_000),
    # CONFIRMED by the model (TagList max 50, Parameters max 300, artifacts max 60).
    Quota("tags_per_resource", "Total number of tags allowed per resource", "Tags", 50),
    Quota("parameters_per_trial_component",
          "Total number of parameters allowed per trial component", "Parameters", 300),
    Quota("artifacts_per_trial_component",
          "Total number of input or output artifacts allowed per trial component", "Artifacts", 60),
)})

_ACCOUNT = re.compile(r"[0-9]{12}")
# A botocore service name: lower-case letters, digits, dots and hyphens ("s3", "runtime.sagemaker").
_SERVICE = re.compile(r"[a-z0-9][a-z0-9.-]*")


def _frozen_quotas(values: Mapping[str, int]) -> Mapping[str, int]:
    merged = {key: quota.default for key, quota in QUOTAS.items()}
    merged.update(values)
    return MappingProxyType(merged)


@dataclass(frozen=True, slots=True, kw_only=True)
class MockOptions:
    """Everything a mock can be configured with. Build with :func:`make_options`."""

    account_id: str = "123456789012"
    region: str = "us-east-1"
    quotas: Mapping[str, int] = field(default_factory=lambda: _frozen_quotas({}))
    arn_case: ArnCase = "lower"
    #: Services (boto3 client names, e.g. ``"s3"``) whose requests no mock answers may reach the
    #: network while the mock runs; every other unanswered request is refused.
    allow_network: frozenset[str] = frozenset()
    #: Also serve other processes: the running mock listens on a loopback port and child
    #: processes find it through the environment (see ``endpoint.py``).
    subprocesses: bool = False


OPTION_NAMES: tuple[str, ...] = tuple(f.name for f in fields(MockOptions))


def make_options(base: MockOptions | None = None, **overrides: Any) -> MockOptions:
    """Validate ``overrides`` on top of ``base``; misuse raises :class:`MockUsageError`."""
    unknown = sorted(set(overrides) - set(OPTION_NAMES))
    if unknown:
        raise MockUsageError(
            f"unknown sm_experiments option(s) {', '.join(map(repr, unknown))}; "
            f"valid options are: {', '.join(OPTION_NAMES)}"
        )
    base = base or MockOptions()
    account_id = overrides.get("account_id", base.account_id)
    if not isinstance(account_id, str) or not _ACCOUNT.fullmatch(account_id):
        raise MockUsageError(f"account_id must be a string of 12 digits, got {account_id!r}")
    region = overrides.get("region", base.region)
    if not isinstance(region, str) or not REGION.fullmatch(region):
        raise MockUsageError(f"region must look like 'us-east-1', got {region!r}")
    arn_case = overrides.get("arn_case", base.arn_case)
    if arn_case not in ("lower", "preserve"):
        raise MockUsageError(f"arn_case must be 'lower' or 'preserve', got {arn_case!r}")
    subprocesses = overrides.get("subprocesses", base.subprocesses)
    if not isinstance(subprocesses, bool):
        raise MockUsageError(f"subprocesses must be True or False, got {subprocesses!r}")
    quotas = dict(base.quotas)
    new_quotas = overrides.get("quotas")
    if new_quotas is not None:
        if not isinstance(new_quotas, Mapping):
            raise MockUsageError(f"quotas must be a mapping of quota name to int, "
                                 f"got {new_quotas!r}")
        for key, value in new_quotas.items():
            if key not in QUOTAS:
                raise MockUsageError(
                    f"unknown quota {key!r}; known quotas are: {', '.join(QUOTAS)}"
                )
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise MockUsageError(
                    f"quota {key!r} must be a non-negative int, got {value!r}"
                )
            quotas[key] = value
    allow_network = base.allow_network
    if "allow_network" in overrides:
        allow_network = parse_services(overrides["allow_network"])
    return MockOptions(account_id=account_id, region=region,
                       quotas=MappingProxyType(quotas), arn_case=arn_case,
                       allow_network=allow_network, subprocesses=subprocesses)


def parse_services(value: Any) -> frozenset[str]:
    """``allow_network``: service names as an iterable, or one string separated by commas or
    spaces (the ini form, ``s3, sts``).  Whether each names a real service is checked when a
    mock starts (that needs botocore's list of services)."""
    if isinstance(value, str):
        names: list[Any] = value.replace(",", " ").split()
    elif isinstance(value, (list, tuple, set, frozenset)):
        names = list(value)
    else:
        raise MockUsageError(f"allow_network must be a list of service names such as ['s3'], "
                             f"got {value!r}")
    for name in names:
        if not isinstance(name, str) or not _SERVICE.fullmatch(name):
            raise MockUsageError(f"allow_network takes boto3 client names such as 's3' or "
                                 f"'sagemaker-runtime', got {name!r}")
    return frozenset(names)


def parse_quotas(text: str) -> dict[str, int]:
    """Parse the ini form ``experiments=5, trials_per_experiment=10``."""
    result: dict[str, int] = {}
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or not value.strip().isdigit():
            raise MockUsageError(f"quota {part!r} must be written name=number")
        result[key.strip()] = int(value)
    return result


_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})


def parse_bool(text: str) -> bool:
    """Parse an ini flag: true/false, yes/no, on/off, 1/0 (any letter case)."""
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise MockUsageError(f"{text!r} is not a boolean: write true or false")
