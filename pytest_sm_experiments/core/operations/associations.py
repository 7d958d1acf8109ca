"""AssociateTrialComponent and DisassociateTrialComponent.

A component may belong to several trials.  The region state keeps the relation and mirrors it
into the records users read: ``Trial.trial_component_names`` and ``TrialComponent.trial_names``
(names as created, in association order).
"""

from __future__ import annotations

from ...errors import ResourceNotFound
from ...models import Trial, TrialComponent
from ..backend import Context
from ._common import Params, Response, require


def _pair(ctx: Context, params: Params) -> tuple[Trial, TrialComponent]:
    state = ctx.state
    component = require(ctx, state.trial_components, "experiment-trial-component",
                        params["TrialComponentName"])
    trial = require(ctx, state.trials, "experiment-trial", params["TrialName"])
    return trial, component


def associate_trial_component(ctx: Context, params: Params) -> Response:
    trial, component = _pair(ctx, params)
    state = ctx.state
    # CHOICE (INFERRED): associating an associated pair again succeeds and changes nothing;
    # the SageMaker SDK long re-associated on every load_run without error
    # (aws/sagemaker-python-sdk#3956 only removed the call to save time).
    if not state.associated(trial, component):
        ctx.check_quota("components_per_trial", len(state.components_of(trial.name)) + 1)
        # CHOICE: associating changes neither record's LastModifiedTime (not public).
        state.associate(trial, component)
    return {"TrialComponentArn": component.arn, "TrialArn": trial.arn}


def disassociate_trial_component(ctx: Context, params: Params) -> Response:
    trial, component = _pair(ctx, params)
    if not ctx.state.associated(trial, component):
        # CHOICE: AWS's answer for a pair that is not associated is not public; the mock says
        # so with the operation's modeled ResourceNotFound.
        raise ResourceNotFound(
            f"TrialComponent '{component.arn}' is not associated with Trial '{trial.arn}'.")
    ctx.state.disassociate(trial, component)
    return {"TrialComponentArn": component.arn, "TrialArn": trial.arn}
