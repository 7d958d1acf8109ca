"""STS GetCallerIdentity, answered with the mock's account so account lookups work offline.

The SageMaker SDK asks STS for the account id (default bucket names, telemetry); only this one
STS operation is routed to the mock, everything else in STS is left alone.
"""

from __future__ import annotations

from ... import arns
from ..backend import Context
from ._common import Params, Response

# CHOICE: the identity is an assumed role, as SageMaker notebooks and jobs run under one; the
# SDK turns ``...:assumed-role/<role>/<session>`` into the role's IAM ARN.
ROLE_NAME = "pytest-sm-experiments"
SESSION_NAME = "pytest-sm-experiments"
# A role id is 'AROA' + 17 upper-case letters/digits; this one is visibly fake.
ROLE_ID = "AROAMOCKSMEXPERIMENTS"


def get_caller_identity(ctx: Context, params: Params) -> Response:
    partition = ctx.state.partition
    return {
        "UserId": f"{ROLE_ID}:{SESSION_NAME}",
        "Account": ctx.account_id,
        "Arn": arns.build(partition, "sts", "", ctx.account_id,
                          f"assumed-role/{ROLE_NAME}/{SESSION_NAME}"),
    }
