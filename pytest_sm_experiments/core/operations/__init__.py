"""The explicit table of served operations: ``(service, operation) -> handler``.

A handler is ``(ctx, params) -> response dict``; it runs under the mock's lock after the
parameters passed model validation, and raises :class:`~pytest_sm_experiments.errors.AWSError`
for AWS errors.  The README's "Supported operations" table is checked against this table.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from ..backend import Context
from . import (
    actions,
    artifacts,
    associations,
    components,
    contexts,
    experiments,
    lineage_associations,
    lineage_query,
    metric_queries,
    metrics,
    search,
    sts,
    tags,
    trials,
)

Handler = Callable[[Context, Mapping[str, Any]], dict[str, Any]]

SAGEMAKER = "sagemaker"
METRICS = "sagemaker-metrics"
STS = "sts"

OPERATIONS: Mapping[tuple[str, str], Handler] = MappingProxyType({
    (SAGEMAKER, "CreateExperiment"): experiments.create_experiment,
    (SAGEMAKER, "DescribeExperiment"): experiments.describe_experiment,
    (SAGEMAKER, "ListExperiments"): experiments.list_experiments,
    (SAGEMAKER, "UpdateExperiment"): experiments.update_experiment,
    (SAGEMAKER, "DeleteExperiment"): experiments.delete_experiment,
    (SAGEMAKER, "CreateTrial"): trials.create_trial,
    (SAGEMAKER, "DescribeTrial"): trials.describe_trial,
    (SAGEMAKER, "ListTrials"): trials.list_trials,
    (SAGEMAKER, "UpdateTrial"): trials.update_trial,
    (SAGEMAKER, "DeleteTrial"): trials.delete_trial,
    (SAGEMAKER, "CreateTrialComponent"): components.create_trial_component,
    (SAGEMAKER, "DescribeTrialComponent"): components.describe_trial_component,
    (SAGEMAKER, "ListTrialComponents"): components.list_trial_components,
    (SAGEMAKER, "UpdateTrialComponent"): components.update_trial_component,
    (SAGEMAKER, "DeleteTrialComponent"): components.delete_trial_component,
    (SAGEMAKER, "AssociateTrialComponent"): associations.associate_trial_component,
    (SAGEMAKER, "DisassociateTrialComponent"): associations.disassociate_trial_component,
    (SAGEMAKER, "AddTags"): tags.add_tags,
    (SAGEMAKER, "ListTags"): tags.list_tags,
    (SAGEMAKER, "DeleteTags"): tags.delete_tags,
    (SAGEMAKER, "CreateArtifact"): artifacts.create_artifact,
    (SAGEMAKER, "DescribeArtifact"): artifacts.describe_artifact,
    (SAGEMAKER, "ListArtifacts"): artifacts.list_artifacts,
    (SAGEMAKER, "UpdateArtifact"): artifacts.update_artifact,
    (SAGEMAKER, "DeleteArtifact"): artifacts.delete_artifact,
    (SAGEMAKER, "CreateContext"): contexts.create_context,
    (SAGEMAKER, "DescribeContext"): contexts.describe_context,
    (SAGEMAKER, "ListContexts"): contexts.list_contexts,
    (SAGEMAKER, "UpdateContext"): contexts.update_context,
    (SAGEMAKER, "DeleteContext"): contexts.delete_context,
    (SAGEMAKER, "CreateAction"): actions.create_action,
    (SAGEMAKER, "DescribeAction"): actions.describe_action,
    (SAGEMAKER, "ListActions"): actions.list_actions,
    (SAGEMAKER, "UpdateAction"): actions.update_action,
    (SAGEMAKER, "DeleteAction"): actions.delete_action,
    (SAGEMAKER, "AddAssociation"): lineage_associations.add_association,
    (SAGEMAKER, "ListAssociations"): lineage_associations.list_associations,
    (SAGEMAKER, "DeleteAssociation"): lineage_associations.delete_association,
    (SAGEMAKER, "QueryLineage"): lineage_query.query_lineage,
    (METRICS, "BatchPutMetrics"): metrics.batch_put_metrics,
    (METRICS, "BatchGetMetrics"): metric_queries.batch_get_metrics,
    (STS, "GetCallerIdentity"): sts.get_caller_identity,
    (SAGEMAKER, "Search"): search.search,
})


#: The names of the served operations (of any service).
OPERATION_NAMES: frozenset[str] = frozenset(operation for _, operation in OPERATIONS)


def served(service_name: str, operation: str) -> bool:
    """True when the mock serves ``service_name:operation``."""
    return (service_name, operation) in OPERATIONS


def supported() -> list[str]:
    """The served operations as ``service:Operation``, sorted."""
    return sorted(f"{svc}:{op}" for svc, op in OPERATIONS)
