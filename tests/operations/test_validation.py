"""Model-driven server-side validation, worded as AWS words it."""

from __future__ import annotations

import json
import re
import sys
import unicodedata

import pytest
import strategies as S
from botocore.awsrequest import AWSPreparedRequest
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import given, settings
from hypothesis import strategies as st

from pytest_sm_experiments.core import validation
from pytest_sm_experiments.inprocess import hook

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


def _reachable_patterns() -> set[str]:
    """Every pattern in the input shapes of the served operations (STS's input has none)."""
    patterns = set()
    for service, operation in S.served():
        shape = S.operation_model(service, operation).input_shape
        if shape is None:
            continue
        seen: dict = {}
        _reachable(shape, seen)
        patterns |= {s.metadata["pattern"] for s in seen.values() if "pattern" in s.metadata}
    return patterns


def test_every_pattern_reachable_from_served_operations_compiles():
    patterns = _reachable_patterns()
    for service, operation in S.served():
        validation.Validator(service, S.operation_model(service, operation).input_shape)
    for pattern in patterns:
        validation.compile_pattern(pattern)
    assert r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,119}" in patterns


def test_every_reachable_pattern_is_restated_by_hand_for_the_tests():
    # tests/strategies.py generates and checks strings with these, not with validation.py.
    missing = {S.unanchored(pattern) for pattern in _reachable_patterns()} - set(S.MODEL_PATTERNS)
    assert missing == set()


#: Strings on the edges of the model's patterns.
_EDGES = ("", "a", "A", "-", "a-", "-a", "a--b", "a_b", "é", "\n", "x\ny", "\r", "\x85",
          "\u2028", "\u2029", "\t", " ", "\u00a0", "\u3000", "٣", "Ⅻ", "½", "_", "@", "+",
          "text/csv", "text/", "/csv", "a/b+c", "tëxt/csv", "arn:aws:sagemaker:us-east-1:"
          "123456789012:experiment/exp", "arn:aws-cn:sagemaker::123456789012:x",
          "arn:aws:sagemaker:us-east-1:12345678901:experiment/exp", "\U0001f600", "a" * 120,
          "a" * 121, "ABC", "abc", "a1-b2")


@pytest.mark.slow
@settings(max_examples=settings.default.max_examples * 3)
@given(data=st.data())
def test_model_patterns_match_exactly_what_the_restatement_matches(data):
    """validation.compile_pattern against the hand-written patterns, on their matches and on
    edge and hostile text."""
    pattern = data.draw(st.sampled_from(sorted(S.MODEL_PATTERNS)), label="pattern")
    restated = S.MODEL_PATTERNS[pattern]
    text = data.draw(st.one_of(restated.strategy, st.sampled_from(_EDGES), S.hostile_text()),
                     label="text")
    assert (validation.compile_pattern(pattern).fullmatch(text) is not None) == (
        restated.matches(text))


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


@pytest.mark.parametrize(("body", "message"), [
    ({"ExperimentName": None}, "1 validation error detected: Value null at 'experimentName' "
                               "failed to satisfy constraint: Member must not be null"),
    ({"TrialName": None, "ExperimentName": "e"}, "1 validation error detected: Value null at "
     "'trialName' failed to satisfy constraint: Member must not be null"),
    ({}, "2 validation errors detected: Value null at 'trialName' failed to satisfy constraint: "
         "Member must not be null; Value null at 'experimentName' failed to satisfy constraint: "
         "Member must not be null"),
])
def test_a_required_member_sent_as_json_null_is_missing(sm_experiments, body, message):
    operation = "CreateExperiment" if set(body) == {"ExperimentName"} else "CreateTrial"
    request = AWSPreparedRequest("POST", "https://api.sagemaker.us-east-1.amazonaws.com/", {},
                                 json.dumps(body).encode(), False)
    response = hook.before_send(request=request,
                                  event_name=f"before-send.sagemaker.{operation}")
    assert response.status_code == 400
    assert json.loads(response.content) == {"__type": "ValidationException", "Message": message}
    assert (len(sm_experiments.experiments), len(sm_experiments.trials)) == (0, 0)


@pytest.mark.parametrize(("value", "failure"), [
    (0, "Member must have value greater than or equal to 1"), (1, None), (100, None),
    (101, "Member must have value less than or equal to 100"),
])
def test_integer_limits_are_inclusive(sm_experiments, value, failure):
    # MaxResults: min 1, max 100 in the model.
    client = sm_experiments.client(config=Config(parameter_validation=False))
    if failure is None:
        assert client.list_experiments(MaxResults=value)["ExperimentSummaries"] == []
        return
    with pytest.raises(ClientError) as raised:
        client.list_experiments(MaxResults=value)
    assert _error(raised)["Message"] == (
        f"1 validation error detected: Value '{value}' at 'maxResults' failed to satisfy "
        f"constraint: {failure}")


def test_booleans_are_checked_by_the_model_too():
    # No served operation takes a boolean today; the checker is compiled from any model shape.
    shape = S.operation_model("sagemaker", "CreateTrainingJob").input_shape
    check = validation.Validator("sagemaker", shape.members["EnableNetworkIsolation"])
    check(True)
    with pytest.raises(validation.ValidationError) as raised:
        check("yes")
    assert raised.value.message == (
        "1 validation error detected: Value 'yes' at '' failed to satisfy constraint: Member "
        "must be a boolean")


@pytest.mark.parametrize(("pattern", "matching", "not_matching"), [
    (r"[\x41-\x43]+", ["ABC", "B"], ["D", "abc"]),
    (r"[\u0041\u00e9]+", ["Aé", "A"], ["B", "e"]),
    (r"[\uD83D\uDE00]", ["\U0001F600"], ["\uD83D", "a"]),
    (r"[\t\n]+", ["\t\n"], [" ", "t"]),
    (r"[\w-]+", ["a_1-"], ["é", " "]),
    (r"[\d]+", ["012"], ["٣", "a"]),
    (r"[\s]+", [" \t"], ["\u2003", "a"]),
    (r"[^ab]+", ["cd"], ["a", "cab"]),
    (r"[\p{Alnum}]+", ["aZ9"], ["é", "_"]),
    (r"[\p{N}]+", ["9٣Ⅻ"], ["a", "_"]),
    (r"\d\w\s", ["1a "], ["٣a ", "1é "]),
    (r"a.b", ["a-b", "a\tb"], ["a\nb", "a\u2028b", "a\x85b"]),
    (r"\.\*", [".*"], ["ab"]),
])
def test_java_pattern_pieces(pattern, matching, not_matching):
    fullmatch = validation.compile_pattern(pattern).fullmatch
    assert [text for text in matching if fullmatch(text) is None] == []
    assert [text for text in not_matching if fullmatch(text) is not None] == []


def test_a_negated_unicode_category_is_not_supported():
    with pytest.raises(NotImplementedError, match="unsupported character class"):
        validation.translate_pattern(r"[^\p{L}]")


# -- Java patterns at their edges: surrogate pairs, escapes, negated and Unicode classes;
# unions, unconstrained shapes, map lengths --


@pytest.mark.parametrize(("pattern", "matching", "not_matching"), [
    # A UTF-16 pair is one supplementary character, at both ends of the high and low ranges.
    (r"[\uD800\uDC00]", ["\U00010000"], ["\ud800", "\udc00"]),
    (r"[\uDBFF\uDFFF]", ["\U0010FFFF"], ["\udbff", "\udfff"]),
    # No pair: a high surrogate before a non-surrogate, a BMP or low code unit before a low one.
    (r"[\uD800\uE000]+", ["\ud800\ue000", "\ue000"], ["\U00010400"]),
    (r"[\u0041\uDC00]+", ["A\udc00", "A"], ["B", "\U00010000"]),
    (r"[\uDC00\uDFFF]+", ["\udc00\udfff"], ["\U00010000", "\U0010FFFF"]),
    # An escape that ends the pattern is still Java's.
    (r"a\d", ["a1"], ["a\u0663", "a"]),
    (r"a\s", ["a ", "a\t"], ["a\u2003", "a"]),
    # A negated class, at the start of the pattern and after other text.
    (r"[^ab]+", ["c^[]"], ["a", "cab"]),
    (r"x[^ab]+", ["xc^["], ["xa", "xb", "x", "c"]),
    # The text of \p{..} is no member of the class.
    (r"[\p{N}]+", ["9"], ["N", "}", "p", "{"]),
    (r"[\p{L}]+", ["a\u00e9"], ["}", "{", "1"]),
    # \p{Alnum} is ASCII, and keeps the class's other members.
    (r"[\p{Alnum}_-]+", ["aZ9_-"], ["\u00e9", "|", "[", "]", ".", "X|"]),
    (r"[\p{Alnum}\p{L}]+", ["aZ9\u00e9"], ["_", "\u0663"]),
    (r"[^\p{Alnum}]+", ["_\u00e9|"], ["a", "Z", "9", "X"]),
])
def test_java_class_escapes_at_their_edges(pattern, matching, not_matching):
    fullmatch = validation.compile_pattern(pattern).fullmatch
    assert [text for text in matching if fullmatch(text) is None] == []
    assert [text for text in not_matching if fullmatch(text) is not None] == []


def test_a_pattern_ending_in_a_lone_backslash_is_a_regex_error():
    with pytest.raises(re.error):
        validation.compile_pattern("a\\")


def test_a_union_takes_exactly_one_member():
    # No served operation takes a union today; SpaceSettings.CustomFileSystems holds one.
    shape = S.operation_model("sagemaker", "CreateSpace").input_shape.members["SpaceSettings"]
    check = validation.Validator("sagemaker", shape)
    efs = {"FileSystemId": "fs-0123456789"}
    check({"CustomFileSystems": [{"EFSFileSystem": efs}]})
    with pytest.raises(validation.ValidationError) as raised:
        check({"CustomFileSystems": [{"EFSFileSystem": efs}, {"EFSFileSystem": efs,
                                                              "FSxLustreFileSystem": efs}]})
    assert raised.value.message == (
        "1 validation error detected: Exactly one member of 'customFileSystems.2.member' must be "
        "set")


def test_a_shape_the_mock_does_not_constrain_accepts_any_value():
    # A blob (SageMaker Runtime's InvokeEndpoint body) has no checker of its own.
    shape = S.operation_model("sagemaker-runtime", "InvokeEndpoint").input_shape
    check = validation.Validator("sagemaker-runtime", shape)
    check({"EndpointName": "e", "Body": "anything"})
    check({"EndpointName": "e", "Body": 5})


def test_a_map_longer_than_its_maximum_is_a_length_error(sm_client, sm_experiments):
    sm_client.create_trial_component(
        TrialComponentName="most", Parameters={f"p{i}": {"NumberValue": i} for i in range(300)})
    with pytest.raises(ClientError) as raised:
        sm_client.create_trial_component(
            TrialComponentName="more",
            Parameters={f"p{i}": {"NumberValue": i} for i in range(301)})
    message = _error(raised)["Message"]
    assert message.startswith("1 validation error detected: Value '{'p0': {'NumberValue': 0}, ")
    assert message.endswith("'p300': {'NumberValue': 300}}' at 'parameters' failed to satisfy "
                            "constraint: Member must have length less than or equal to 300")
    assert list(sm_experiments.trial_components) == ["most"]



def test_letters_and_numbers_match_java_unicode_classes_for_every_code_point():
    fullmatch = validation.compile_pattern(r"[\p{L}\p{N}]").fullmatch
    wrong = [f"U+{code:04X}" for code in range(sys.maxunicode + 1)
             if not 0xD800 <= code <= 0xDFFF
             and (fullmatch(chr(code)) is not None) != (unicodedata.category(chr(code))[0] in "LN")]
    assert wrong == []
