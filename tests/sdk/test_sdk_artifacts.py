"""The SDK's ``Run`` artifacts with moto's S3 beside the mock: graph artifacts (lineage artifacts
and associations made when the run closes), ``log_file`` (an S3 upload plus a trial component
artifact), ``log_artifact``, and the SDK's lineage classes reading and deleting what the run
made. Written once for both SDK generations.
"""

from __future__ import annotations

import json

import pytest

pytest.importorskip("sklearn")

BUCKET = "sagemaker-us-east-1-123456789012"  # the SDK's default bucket for the mock's account
PREFIX = f"s3://{BUCKET}/trial-component-artifacts/exp-r1"
TC_ARN = "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/exp-r1"
Y_TRUE = [0, 1, 1, 0, 1]
SCORES = [0.1, 0.8, 0.6, 0.4, 0.9]


def _log_graphs(sdk, session):
    with sdk.Run(experiment_name="exp", run_name="r1", sagemaker_session=session) as run:
        run.log_precision_recall(Y_TRUE, SCORES, title="pr-curve")
        run.log_roc_curve(Y_TRUE, SCORES, title="roc-curve", is_output=False)
        run.log_confusion_matrix(Y_TRUE, [0, 1, 0, 0, 1], title="confusion")


def test_graph_artifacts_become_lineage_artifacts_linked_to_the_run(sdk, sm_session, s3,
                                                                    sm_client, sm_experiments):
    _log_graphs(sdk, sm_session)

    creates = sm_experiments.calls.filter("CreateArtifact")
    assert [(c.params["ArtifactName"], c.params["ArtifactType"], c.params["Source"]["SourceUri"])
            for c in creates] == [
        ("pr-curve", "PrecisionRecallCurve", f"{PREFIX}/pr-curve.json"),
        ("roc-curve", "ROCCurve", f"{PREFIX}/roc-curve.json"),
        ("confusion", "ConfusionMatrix", f"{PREFIX}/confusion.json")]
    # Each artifact carries the S3 object's ETag, as moto's S3 reported it.
    for call in creates:
        key = call.params["Source"]["SourceUri"].removeprefix(f"s3://{BUCKET}/")
        etag = s3.head_object(Bucket=BUCKET, Key=key)["ETag"]
        assert call.params["Source"]["SourceTypes"] == [{"SourceIdType": "S3ETag", "Value": etag}]
    arns = {c.params["ArtifactName"]: c.response["ArtifactArn"] for c in creates}

    # Outputs: the run produced them; an input contributed to the run.
    produced = sm_client.list_associations(SourceArn=TC_ARN)["AssociationSummaries"]
    assert sorted((a["DestinationName"], a["DestinationType"], a["AssociationType"],
                   a["DestinationArn"]) for a in produced) == [
        ("confusion", "ConfusionMatrix", "Produced", arns["confusion"]),
        ("pr-curve", "PrecisionRecallCurve", "Produced", arns["pr-curve"])]
    (contributed,) = sm_client.list_associations(DestinationArn=TC_ARN)["AssociationSummaries"]
    assert (contributed["SourceArn"], contributed["SourceName"], contributed["SourceType"],
            contributed["AssociationType"], contributed["DestinationName"]) == (
        arns["roc-curve"], "roc-curve", "ROCCurve", "ContributedTo", "exp-r1")

    # The graph itself is in S3, where the artifact points.
    body = s3.get_object(Bucket=BUCKET, Key="trial-component-artifacts/exp-r1/confusion.json")
    graph = json.loads(body["Body"].read())
    assert graph["type"] == "ConfusionMatrix"
    assert graph["confusionMatrix"] == [[2, 0], [1, 2]]
    described = sm_client.describe_artifact(ArtifactArn=arns["confusion"])
    assert described["Source"]["SourceUri"] == f"{PREFIX}/confusion.json"
    assert described["ArtifactType"] == "ConfusionMatrix"


def test_sdk_lineage_classes_read_and_delete_what_the_run_made(sdk, sm_session, s3, sm_client):
    _log_graphs(sdk, sm_session)
    Artifact = sdk.artifact.Artifact

    listed = list(Artifact.list(artifact_type="ConfusionMatrix", sagemaker_session=sm_session))
    assert [summary.artifact_name for summary in listed] == ["confusion"]
    loaded = Artifact.load(artifact_arn=listed[0].artifact_arn, sagemaker_session=sm_session)
    assert loaded.source.source_uri == f"{PREFIX}/confusion.json"
    assert loaded.artifact_type == "ConfusionMatrix"

    # The SDK's delete(disassociate=True): ListAssociations both ways, DeleteAssociation each,
    # then DeleteArtifact.
    loaded.delete(disassociate=True)
    names = {a["DestinationName"] for a in sm_client.list_associations(
        SourceArn=TC_ARN)["AssociationSummaries"]}
    assert names == {"pr-curve"}
    assert [a["ArtifactName"] for a in sm_client.list_artifacts(
        SortOrder="Ascending")["ArtifactSummaries"]] == ["pr-curve", "roc-curve"]
    with pytest.raises(sm_client.exceptions.ResourceNotFound):
        sm_client.describe_artifact(ArtifactArn=listed[0].artifact_arn)

    associations = list(sdk.association.Association.list(
        destination_arn=TC_ARN, sagemaker_session=sm_session))
    assert [a.source_name for a in associations] == ["roc-curve"]


def test_log_file_uploads_and_records_an_artifact(sdk, sm_session, s3, sm_experiments, tmp_path):
    data = tmp_path / "metrics.csv"
    data.write_text("epoch,loss\n0,1.0\n")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with sdk.Run(experiment_name="exp", run_name="r1", sagemaker_session=sm_session) as run:
        run.log_file(str(data))
        run.log_file(str(notes), name="Notes", is_output=False)
        run.log_artifact("model", "s3://elsewhere/model.tar.gz", media_type="application/x-tar")
        run.log_artifact("dataset", "s3://elsewhere/train", is_output=False)

    component = sm_experiments.trial_components["exp-r1"]
    outputs = {key: (a.value, a.media_type) for key, a in component.output_artifacts.items()}
    inputs = {key: (a.value, a.media_type) for key, a in component.input_artifacts.items()}
    assert outputs == {"metrics.csv": (f"{PREFIX}/metrics.csv", "text/csv"),
                       "model": ("s3://elsewhere/model.tar.gz", "application/x-tar")}
    assert inputs == {"Notes": (f"{PREFIX}/notes.txt", "text/plain"),
                      "dataset": ("s3://elsewhere/train", None)}
    uploaded = s3.get_object(Bucket=BUCKET, Key="trial-component-artifacts/exp-r1/notes.txt")
    assert uploaded["Body"].read() == b"hello"
    # Files are trial component artifacts, not lineage artifacts.
    sm_experiments.assert_not_called("CreateArtifact")


def test_graph_logged_again_in_another_run_is_a_new_artifact(sdk, sm_session, s3, sm_client):
    """Artifact names need not be unique (the S3 key holds the run's name)."""
    for run_name in ("r1", "r2"):
        with sdk.Run(experiment_name="exp", run_name=run_name,
                     sagemaker_session=sm_session) as run:
            run.log_confusion_matrix(Y_TRUE, Y_TRUE, title="confusion")
    summaries = sm_client.list_artifacts(ArtifactType="ConfusionMatrix")["ArtifactSummaries"]
    assert sorted(s["Source"]["SourceUri"] for s in summaries) == [
        f"{PREFIX}/confusion.json",
        f"s3://{BUCKET}/trial-component-artifacts/exp-r2/confusion.json"]
    assert {s["ArtifactName"] for s in summaries} == {"confusion"}
