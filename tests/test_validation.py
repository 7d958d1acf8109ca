"""Model-driven server-side validation, worded as AWS words it."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from pytest_sm_experiments import validation

TAG_PATTERN = r"([\p{L}\p{Z}\p{N}_.:/=+\-@]*)"


def _error(raised: pytest.ExceptionInfo[ClientError]) -> dict[str, str]:
    return raised.value.response["Error"]


def test_tag_pattern_matches_java_unicode_classes_for_every_code_point():
    """\\p{L}, \\p{Z}, \\p{N} mean Unicode categories: checked against unicodedata exhaustively."""
    fullmatch = validation.compile_pattern(TAG_PATTERN).fullmatch
    wrong = []
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        expected = unicodedata.category(char)[0] in "LZN" or char in "_.:/=+-@"
        if (fullmatch(char) is not None) != expected:
            wrong.append(f"U+{code:04X} {unicodedata.category(char)}")
    assert wrong == []


@pytest.mark.parametrize(("pattern", "value", "matches"), [
    (r"[-\w]+\/[-\w+]+", "text/csv", True),
    (r"[-\w]+\/[-\w+]+", "tëxt/csv", False),      # Java's \w is ASCII
    (".*", "line\nbreak", False),                  # Java's . excludes line terminators
    (".*", "tab\tok", True),
    (".*", "para\u2029graph", False),
    ("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}", "a--b", True),
    ("[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}", "a-", False),
])
def test_java_regex_semantics(pattern, value, matches):
    assert (validation.compile_pattern(pattern).fullmatch(value) is not None) is matches


def _reachable(shape, seen):
    if shape.name in seen:
        return
    seen[shape.name] = shape
    for child in getattr(shape, "members", {}).values():
        _reachable(child, seen)
    for attr in ("member", "key", "value"):
        child = getattr(shape, attr, None)
        if child is not None:
            _reachable(child, seen)


def test_every_pattern_reachable_from_served_operations_compiles():
    from pytest_sm_experiments import _botocore
    from pytest_sm_experiments.operations import OPERATIONS
    from pytest_sm_experiments.wire import PROTOCOLS

    patterns = set()
    for service, operation in OPERATIONS:
        if PROTOCOLS[service] == "query":
            continue
        shape = _botocore.operation_model(service, operation).input_shape
        seen: dict = {}
        _reachable(shape, seen)
        patterns |= {s.metadata["pattern"] for s in seen.values() if "pattern" in s.metadata}
        validation.Validator(service, shape)
    for pattern in patterns:
        validation.compile_pattern(pattern)
    assert r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}" in patterns


def test_other_unicode_categories_compile_exactly():
    fullmatch = validation.compile_pattern(r"[\p{L}\p{M}\p{S}\p{N}\p{P}]+").fullmatch
    assert fullmatch("aé٣+!\u0301")
    assert not fullmatch("a b")


def test_unicode_tag_values_are_accepted(sm_client, sm_experiments):
    tags = [{"Key": "équipe", "Value": "風險 ٣ x y"}, {"Key": "a_b.c:d/e=f+g-h@i", "Value": ""}]
    sm_client.create_experiment(ExperimentName="Unicode", Tags=tags)
    assert sm_experiments.experiments["unicode"].tags == {"équipe": "風險 ٣ x y",
                                                          "a_b.c:d/e=f+g-h@i": ""}


@pytest.mark.parametrize("value", ["tab\there", "emoji 🙂", "semi;colon", "line\nbreak"])
def test_tag_value_outside_the_classes_is_rejected(sm_client, value):
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="X", Tags=[{"Key": "k", "Value": value}])
    assert _error(raised) == {
        "Code": "ValidationException",
        "Message": f"1 validation error detected: Value '{value}' at 'tags.1.member.value' "
                   "failed to satisfy constraint: Member must satisfy regular expression "
                   r"pattern: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)",
    }


def test_reserved_prefix_and_duplicate_keys(sm_client, sm_experiments):
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="X", Tags=[{"Key": "aws:team", "Value": "v"}])
    assert _error(raised)["Message"] == (
        "System prefix 'aws:' reserved for AWS usage in tag key: aws:team")
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="X", Tags=[
            {"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}])
    assert _error(raised) == {"Code": "ValidationException", "Message": "Duplicate tag key"}
    assert len(sm_experiments.experiments) == 0


def test_more_than_50_tags_is_a_length_error(sm_client):
    tags = [{"Key": f"k{i}", "Value": "v"} for i in range(51)]
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="X", Tags=tags)
    message = _error(raised)["Message"]
    assert message.startswith("1 validation error detected: Value '")
    assert message.endswith("at 'tags' failed to satisfy constraint: Member must have length "
                            "less than or equal to 50")


def test_limits_at_the_boundary(sm_client, sm_experiments):
    sm_client.create_experiment(ExperimentName="a" * 120, Description="d" * 3072,
                                Tags=[{"Key": "k" * 128, "Value": "v" * 256}])
    assert len(sm_experiments.experiments) == 1
    with pytest.raises(ClientError) as raised:
        sm_client.create_experiment(ExperimentName="b", Description="d" * 3073,
                                    Tags=[{"Key": "k" * 129, "Value": "v" * 257}])
    message = _error(raised)["Message"]
    assert message.startswith("3 validation errors detected: ")
    assert "at 'description' failed to satisfy constraint: Member must have length less than " \
           "or equal to 3072" in message
    assert "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less " \
           "than or equal to 128" in message
    assert "at 'tags.1.member.value' failed to satisfy constraint: Member must have length " \
           "less than or equal to 256" in message


def test_server_checks_what_client_validation_would_have(sm_experiments):
    client = sm_experiments.client(config=Config(parameter_validation=False))
    with pytest.raises(ClientError) as raised:
        client.create_experiment(ExperimentName="")
    assert _error(raised)["Message"] == (
        "1 validation error detected: Value '' at 'experimentName' failed to satisfy constraint: "
        "Member must have length greater than or equal to 1; Value '' at 'experimentName' "
        "failed to satisfy constraint: Member must satisfy regular expression pattern: "
        "^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}".replace("1 validation error", "2 validation errors"))
    with pytest.raises(ClientError) as raised:
        client.create_experiment(ExperimentName=5)
    assert _error(raised)["Code"] == "ValidationException"
    assert "at 'experimentName' failed to satisfy constraint: Member must be a string" in \
        _error(raised)["Message"]
    with pytest.raises(ClientError) as raised:
        client.create_experiment(DisplayName="x")
    assert _error(raised)["Message"] == (
        "1 validation error detected: Value null at 'experimentName' failed to satisfy "
        "constraint: Member must not be null")
    assert len(sm_experiments.experiments) == 0
