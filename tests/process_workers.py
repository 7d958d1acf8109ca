"""Code that runs in the child processes of tests/test_subprocesses.py.

Importable by name (spawn and forkserver children import it), and runnable as a script
(``python process_workers.py many <child> <count>``) for plain ``subprocess`` children. The
children know nothing of pytest or of the mock: they use boto3 as any program would, and find
the mock through the environment they inherit.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import boto3
from botocore.config import Config

NAMES = 100


def mixed_case(index: int, child: int) -> str:
    """Name ``index`` of 100, in a letter case that differs from child to child."""
    base = f"shared-name-{index:03d}"
    return "".join(char.upper() if (position + child) % 2 else char
                   for position, char in enumerate(base))


def create(name: str, queue: Any, client: Any = None) -> None:
    """Create an experiment; report ``(pid, outcome)`` (the ARN, or the error's text)."""
    try:
        client = client or boto3.client("sagemaker")
        arn = client.create_experiment(ExperimentName=name)["ExperimentArn"]
        queue.put((os.getpid(), arn))
    except Exception as error:  # the test reads the error's text
        queue.put((os.getpid(), f"{type(error).__name__}: {error}"))


def wait_ready(ready: Any, done: Any) -> None:
    """Say the child runs (its after-fork hooks have run by then), then wait until told."""
    ready.send("ready")
    done.recv()


def create_after(name: str, go: Any, queue: Any) -> None:
    """Wait for the parent's go, then create (the parent stops its mock in between)."""
    go.recv()
    create(name, queue)


def create_many(child: int, count: int) -> tuple[int, int]:
    """``count`` creates cycling over the 100 names, in this child's letter case."""
    client = boto3.client("sagemaker", config=Config(retries={"total_max_attempts": 1}))
    created = refused = 0
    for call in range(count):
        try:
            client.create_experiment(ExperimentName=mixed_case((call + child * 7) % NAMES, child))
            created += 1
        except client.exceptions.ClientError as error:
            if error.response["Error"]["Code"] != "ValidationException":
                raise
            refused += 1
    return created, refused


if __name__ == "__main__":
    if sys.argv[1] == "many":
        print(*create_many(int(sys.argv[2]), int(sys.argv[3])))
    elif sys.argv[1] == "create":
        sagemaker = boto3.client("sagemaker")
        print(sagemaker.create_experiment(ExperimentName=sys.argv[2])["ExperimentArn"])
        print(os.getpid())
