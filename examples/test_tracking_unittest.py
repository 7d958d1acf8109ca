"""The same code tested with unittest: the decorator gives each test a fresh mock.

Run: pytest examples   (pytest collects unittest classes), or outside pytest:
python -m unittest discover -s examples -p "test_tracking_unittest.py"
(importing pytest_sm_experiments routes clients made afterwards, and clients made before are
routed at their first call while a mock runs).
"""

from __future__ import annotations

import unittest

import boto3
import tracking

from pytest_sm_experiments import SageMakerExperimentsMock, mock_sm_experiments


@mock_sm_experiments
class TrackingTest(unittest.TestCase):
    """``self.sm_experiments`` is the running mock of the current test."""

    sm_experiments: SageMakerExperimentsMock

    def setUp(self) -> None:
        self.client = boto3.client("sagemaker", region_name="us-east-1")

    def test_registers_experiment(self) -> None:
        tracking.start(self.client, "Churn-Model", tags={"team": "risk"})

        self.sm_experiments.assert_called_once("CreateExperiment", ExperimentName="Churn-Model")
        self.assertEqual(self.sm_experiments.experiments["churn-model"].tags, {"team": "risk"})

    def test_each_test_gets_a_fresh_mock(self) -> None:
        self.assertEqual(len(self.sm_experiments.experiments), 0)
        tracking.start(self.client, "Fraud")
        self.assertEqual(list(self.sm_experiments.experiments), ["Fraud"])


class OptionsTest(unittest.TestCase):
    @mock_sm_experiments(region="eu-west-1", account_id="111122223333")
    def test_options_on_one_test(self) -> None:
        client = boto3.client("sagemaker", region_name="eu-west-1")
        described = tracking.start(client, "Fraud")
        self.assertEqual(described["ExperimentArn"],
                         "arn:aws:sagemaker:eu-west-1:111122223333:experiment/fraud")


if __name__ == "__main__":
    unittest.main()
