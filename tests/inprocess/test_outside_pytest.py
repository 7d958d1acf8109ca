"""Outside pytest (``python -m unittest``, scripts): the same guarantees as under the plugin.

Each test runs a unittest file in a fresh interpreter whose environment holds a fake "real"
key, as a developer's machine holds a real one; clients are made before the package is
imported. A socket guard in the child refuses anything beyond loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REAL_KEY = "AKIAREALMACHINEKEY01"

_SCRIPT = '''
import json, os, socket, sys, unittest

_connect = socket.socket.connect
def guarded(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(f"network blocked: {address}")
    return _connect(self, address)
socket.socket.connect = guarded
socket.getaddrinfo = lambda *args, **kwargs: (_ for _ in ()).throw(OSError("DNS blocked"))

import boto3

# Made before the package is imported, with the machine's credentials.
EARLY = boto3.client("sagemaker", region_name="us-east-1")
EARLY_S3 = boto3.client("s3", region_name="us-east-1")
PROFILE = boto3.session.Session(profile_name="with-process")
SENT = []

def record(request, **_):
    SENT.append({key: str(value) for key, value in request.headers.items()})

for client in (EARLY, EARLY_S3):
    client.meta.events.register("before-send", record)

from pytest_sm_experiments import RequestRefusedError, mock_sm_experiments


@mock_sm_experiments
class Outside(unittest.TestCase):
    def test_a_client_made_before_the_import_is_served(self):
        EARLY.create_experiment(ExperimentName="early")
        self.assertEqual(list(self.sm_experiments.experiments), ["early"])
        self.sm_experiments.assert_called_once("CreateExperiment")

    def test_other_services_are_refused_naming_the_service(self):
        with self.assertRaises(RequestRefusedError) as raised:
            EARLY_S3.list_buckets()
        self.assertIn("s3:ListBuckets", str(raised.exception))
        self.assertNotIn("created before", str(raised.exception))

    def test_an_unserved_operation_names_sagemaker(self):
        with self.assertRaises(RequestRefusedError) as raised:
            EARLY.list_training_jobs()
        self.assertIn("sagemaker:ListTrainingJobs", str(raised.exception))
        self.assertNotIn("api.sagemaker", str(raised.exception))

    def test_no_credential_process_runs_inside_a_mock(self):
        client = PROFILE.client("sagemaker", region_name="us-east-1")
        client.create_experiment(ExperimentName="profiled")
        self.assertFalse(os.path.exists(os.environ["PROCESS_MARKER"]))


def tearDownModule():
    real = os.environ["REAL_KEY"]
    leaked = [headers for headers in SENT if any(real in value for value in headers.values())]
    assert not leaked, leaked
    print("requests seen:", len(SENT), file=sys.stderr)
'''


@pytest.mark.slow
def test_unittest_outside_pytest_serves_clients_made_before_the_import(tmp_path: Path):
    marker = tmp_path / "credential-process-ran"
    process = tmp_path / "credential_process.py"
    process.write_text(textwrap.dedent(f"""\
        import json, pathlib
        pathlib.Path({str(marker)!r}).write_text("ran")
        print(json.dumps({{"Version": 1, "AccessKeyId": {REAL_KEY!r}, "SecretAccessKey": "s"}}))
        """))
    config = tmp_path / "config"
    config.write_text(f"[profile with-process]\ncredential_process = {sys.executable} {process}\n")
    (tmp_path / "test_outside.py").write_text(_SCRIPT)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("AWS_", "PYTEST"))}
    env.update({"AWS_ACCESS_KEY_ID": REAL_KEY, "AWS_SECRET_ACCESS_KEY": "real-secret",
                "AWS_CONFIG_FILE": str(config), "PROCESS_MARKER": str(marker),
                "REAL_KEY": REAL_KEY})
    done = subprocess.run([sys.executable, "-m", "unittest", "-v", "test_outside"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "Ran 4 tests" in done.stderr
    assert "requests seen: " in done.stderr
    assert not marker.exists()
