"""Checked by mypy (see ``[tool.mypy] files``), never run: the public API's types as users see
them, so an annotation that decays to ``Any`` (and loses editor completion) fails ``tox -e types``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine, Mapping
    from typing import Any

    from mypy_boto3_sagemaker import SageMakerClient
    from typing_extensions import assert_type

    from pytest_sm_experiments import (
        CallJournal,
        Experiment,
        InjectedError,
        MockOptions,
        RecordedCall,
        RegionView,
        ResourceView,
        SageMakerExperimentsMock,
        Trial,
        TrialComponent,
        attach,
        mock_sm_experiments,
    )

    def fixture_handle(sm_experiments: SageMakerExperimentsMock) -> None:
        assert_type(sm_experiments.options, MockOptions)
        assert_type(sm_experiments.options.region, str)
        assert_type(sm_experiments.options.quotas, Mapping[str, int])
        assert_type(sm_experiments.calls, CallJournal)
        assert_type(sm_experiments.calls[0], RecordedCall)
        assert_type(sm_experiments.calls[1:], CallJournal)
        assert_type(sm_experiments.calls.filter("CreateExperiment"), CallJournal)
        assert_type(sm_experiments.calls.one("CreateExperiment").error_code, str | None)
        assert_type(sm_experiments.assert_called("CreateExperiment"), RecordedCall)
        assert_type(sm_experiments.experiments, ResourceView[Experiment])
        assert_type(sm_experiments.experiments["a"], Experiment)
        assert_type(sm_experiments.trials["a"], Trial)
        assert_type(sm_experiments.trial_components["a"], TrialComponent)
        assert_type(sm_experiments.trial_components["a"].parameters, dict[str, str | float])
        assert_type(sm_experiments.region("eu-west-1"), RegionView)
        assert_type(sm_experiments.inject_error("CreateTrial", "ThrottlingException"),
                    InjectedError)
        with sm_experiments.use_account("111122223333") as same:
            assert_type(same, SageMakerExperimentsMock)
        with sm_experiments.unrecorded() as same:
            assert_type(same, SageMakerExperimentsMock)

    def front_door() -> None:
        with mock_sm_experiments(region="eu-west-1") as mock:
            assert_type(mock, SageMakerExperimentsMock)

        @mock_sm_experiments
        def decorated(x: int) -> str:
            return str(x)

        assert_type(decorated(1), str)

        @mock_sm_experiments(account_id="111122223333")
        async def decorated_async() -> int:
            return 1

        assert_type(decorated_async, Callable[[], Coroutine[Any, Any, int]])

    def attached(client: SageMakerClient, sm_experiments: SageMakerExperimentsMock) -> None:
        assert_type(attach(client), SageMakerClient)
        assert_type(sm_experiments.attach(client), SageMakerClient)
