"""The training script, as it runs inside the SageMaker training job: it names no experiment
or run; ``load_run()`` finds the run that launched the job through the job itself
(``TRAINING_JOB_ARN`` -> DescribeTrainingJob -> ``ExperimentConfig.RunName``).
"""

from __future__ import annotations

import os
from typing import Any

from sagemaker.core.experiments.run import load_run


def main(sagemaker_session: Any = None) -> None:
    epochs = int(os.environ.get("SM_HP_EPOCHS", "3"))
    with load_run(sagemaker_session=sagemaker_session) as run:
        run.log_parameter("epochs", epochs)
        for epoch in range(epochs):
            run.log_metric("train:loss", 1.0 / (epoch + 1), step=epoch)
        run.log_metric("validation:auc", 0.91)
