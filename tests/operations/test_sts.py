"""STS GetCallerIdentity answered by the mock, so account lookups work offline."""

from __future__ import annotations

import pytest


def _sts(sm_experiments, region=None):
    return sm_experiments.client("sts", region=region)


def test_caller_identity_is_the_mock_account(sm_experiments):
    identity = _sts(sm_experiments).get_caller_identity()
    assert identity["Account"] == "123456789012"
    assert identity["Arn"].startswith("arn:aws:sts::123456789012:assumed-role/")
    role, _, session = identity["Arn"].rpartition(":assumed-role/")[2].partition("/")
    assert role
    assert session
    assert identity["UserId"].startswith("AROA")
    assert identity["UserId"].endswith(f":{session}")
    assert identity["ResponseMetadata"]["HTTPStatusCode"] == 200
    sm_experiments.assert_called_once("GetCallerIdentity")
    assert sm_experiments.calls[-1].service == "sts"


@pytest.mark.sm_experiments(account_id="210987654321")
def test_account_follows_mock_options_and_use_account(sm_experiments):
    client = _sts(sm_experiments)
    assert client.get_caller_identity()["Account"] == "210987654321"
    with sm_experiments.use_account("111122223333"):
        identity = client.get_caller_identity()
    assert identity["Account"] == "111122223333"
    assert ":111122223333:" in identity["Arn"]


def test_partition_follows_region(sm_experiments):
    identity = _sts(sm_experiments, "cn-north-1").get_caller_identity()
    assert identity["Arn"].startswith("arn:aws-cn:sts::123456789012:")


def test_boto3_default_session_client(sm_experiments):
    # Any connection attempt raises (tests/conftest.py), so an answer means the mock gave it.
    boto3 = pytest.importorskip("boto3")
    client = boto3.client("sts", region_name="eu-west-1")
    assert client.get_caller_identity()["Account"] == "123456789012"
    assert sm_experiments.calls[-1].region == "eu-west-1"


def test_an_sts_error_message_with_markup_reaches_the_client_as_written(sm_experiments):
    # STS answers in XML: the message's &, < and > travel escaped and botocore reads them back.
    sm_experiments.inject_error("GetCallerIdentity", "AccessDenied",
                                "User <arn> & role > none: 'denied' \"here\"", http_status=403)
    sts = sm_experiments.client(service="sts")
    with pytest.raises(sts.exceptions.ClientError) as raised:
        sts.get_caller_identity()
    assert raised.value.response["Error"]["Code"] == "AccessDenied"
    assert raised.value.response["Error"]["Message"] == (
        "User <arn> & role > none: 'denied' \"here\"")


def test_the_xml_answer_holds_elements_and_their_text_only(sm_experiments):
    """The body as it travels: AWS's namespace, and no stray text between elements (botocore's
    parser would skip it, another SDK's might not)."""
    from xml.etree import ElementTree

    sts = _sts(sm_experiments)
    bodies = []
    sts.meta.events.register("before-parse.sts.GetCallerIdentity",
                             lambda response_dict, **_: bodies.append(response_dict["body"]))
    identity = sts.get_caller_identity()
    (body,) = bodies
    assert body.startswith(
        b'<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    namespace = "{https://sts.amazonaws.com/doc/2011-06-15/}"
    root = ElementTree.fromstring(body)
    result = root.find(f"{namespace}GetCallerIdentityResult")
    assert sorted((child.tag, child.text) for child in result) == sorted(
        (namespace + key, identity[key]) for key in ("Account", "Arn", "UserId"))
    for element in root.iter():
        assert (element.text if len(element) else None) is None, element.tag
        assert all(child.tail is None for child in element), element.tag
