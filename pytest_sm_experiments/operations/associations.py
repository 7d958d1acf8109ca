"""AssociateTrialComponent and DisassociateTrialComponent.

A component may belong to several trials.  The relation lives in the region state (by
case-folded name) and is mirrored into the records users read: ``Trial.trial_component_names``
and ``TrialComponent.trial_names`` (names as created, in association order).
"""

from __future__ import annotations

from dataclasses import replace

from pytest_sm_experiments.backend import Context, name_key
from pytest_sm_experiments.errors import ResourceNotFound

from ._common import Params, Response, require


def associate_trial_component(ctx: Context, params: Params) -> Response:
    state = ctx.state
    component = require(ctx, state.trial_components, "experiment-trial-component",
                        params["TrialComponentName"])
    trial = require(ctx, state.trials, "experiment-trial", params["TrialName"])
    response: Response = {"TrialComponentArn": component.arn, "TrialArn": trial.arn}
    trial_key, component_key = name_key(trial.name), name_key(component.name)
    members = state.trial_members.get(trial_key, {})
    if component_key in members:
        # CHOICE (INFERRED): associating an associated pair again succeeds and changes nothing;
        # the SageMaker SDK long re-associated on every load_run without error
        # (aws/sagemaker-python-sdk#3956 only removed the call to save time).
        return response
    ctx.check_quota("components_per_trial", len(members))
    # CHOICE: associating changes neither record's LastModifiedTime (not public).
    state.trial_members.setdefault(trial_key, {})[component_key] = None
    state.component_trials.setdefault(component_key, {})[trial_key] = None
    state.trials.replace(replace(
        trial, trial_component_names=(*trial.trial_component_names, component.name)))
    state.trial_components.replace(replace(
        component, trial_names=(*component.trial_names, trial.name)))
    return response


def disassociate_trial_component(ctx: Context, params: Params) -> Response:
    state = ctx.state
    component = require(ctx, state.trial_components, "experiment-trial-component",
                        params["TrialComponentName"])
    trial = require(ctx, state.trials, "experiment-trial", params["TrialName"])
    trial_key, component_key = name_key(trial.name), name_key(component.name)
    members = state.trial_members.get(trial_key, {})
    if component_key not in members:
        # CHOICE: AWS's answer for a pair that is not associated is not public; the mock says
        # so with the operation's modeled ResourceNotFound.
        raise ResourceNotFound(
            f"TrialComponent '{component.arn}' is not associated with Trial '{trial.arn}'.")
    del members[component_key]
    if not members:
        del state.trial_members[trial_key]
    parents = state.component_trials[component_key]
    del parents[trial_key]
    if not parents:
        del state.component_trials[component_key]
    state.trials.replace(replace(trial, trial_component_names=tuple(
        name for name in trial.trial_component_names if name_key(name) != component_key)))
    state.trial_components.replace(replace(component, trial_names=tuple(
        name for name in component.trial_names if name_key(name) != trial_key)))
    return {"TrialComponentArn": component.arn, "TrialArn": trial.arn}
