"""The standalone server, as docs/guide/processes.md shows it: started from the command line, used
with the AWS CLI (the page's commands and their output, run as written) and the JavaScript SDK,
and stopped by a signal.

The server and the clients are child processes with the loopback-only network guard
(tests/child_guard); the server listens on a free port, which replaces the page's 4590.
"""

from __future__ import annotations

import importlib.metadata
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from endpoint_helpers import Response, raw, request_bytes, signed

from pytest_sm_experiments import __version__
from pytest_sm_experiments.options import OPTION_NAMES
from pytest_sm_experiments.server import cli

TESTS = Path(__file__).resolve().parents[1]
PAGE = (TESTS.parent / "docs" / "guide" / "processes.md").read_text(encoding="utf-8")
NODE_MODULES = TESTS / "js" / "node_modules"
PAGE_PORT = "4590"


class Server:
    def __init__(self, process: subprocess.Popen[str], banner: list[str]) -> None:
        self.process = process
        self.banner = banner
        self.url = re.search(r"at (http://\S+)", banner[0])[1]  # type: ignore[index]
        self.port = int(self.url.rsplit(":", 1)[1])
        self.env = {**_base_env()}
        for line in banner:
            line = line.strip()
            if line.startswith("export "):
                name, _, value = line[len("export "):].partition("=")
                self.env[name] = value
            elif line.startswith("unset "):
                self.env.pop(line[len("unset "):], None)

    def stop(self, signum: int = signal.SIGTERM) -> tuple[int, str]:
        self.process.send_signal(signum)
        out, _ = self.process.communicate(timeout=30)
        return self.process.returncode, out


def _base_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    paths = [str(TESTS / "child_guard"), env.get("PYTHONPATH", "")]
    env["PYTHONPATH"] = os.pathsep.join(filter(None, paths))
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    return env


def start_server(*flags: str) -> Server:
    process = subprocess.Popen(
        [sys.executable, "-m", "pytest_sm_experiments", "serve", "--port", "0", *flags],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_base_env())
    assert process.stdout is not None
    banner = [process.stdout.readline()]
    while banner[-1] and not banner[-1].startswith("Admin:"):
        banner.append(process.stdout.readline())
    return Server(process, banner)


@pytest.fixture
def server() -> Iterator[Server]:
    running = start_server()
    yield running
    if running.process.poll() is None:
        running.stop()


def aws(server: Server, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "awscli", *args], env=server.env,
                          capture_output=True, text=True, timeout=120, check=False)


def journal(server: Server) -> list[dict[str, Any]]:
    headers = signed(f"{server.url}/_sm_experiments/journal",
                     {"Host": f"127.0.0.1:{server.port}"}, b"", method="GET",
                     key=server.env["AWS_ACCESS_KEY_ID"],
                     secret=server.env["AWS_SECRET_ACCESS_KEY"])
    data = raw(server.port, request_bytes("GET", "/_sm_experiments/journal", headers, b""))
    calls: list[dict[str, Any]] = Response(data).json()["calls"]
    return calls


def _console_block(heading: str) -> str:
    section = PAGE.split(f"\n{heading}\n", 1)[1]
    return section.split("```console\n", 1)[1].split("```", 1)[0]


def _commands(block: str) -> list[tuple[str, list[str]]]:
    """``$ command`` lines of a console block, each with the lines it printed."""
    commands: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            commands.append((line[2:], []))
        else:
            commands[-1][1].append(line)
    return commands


# -- the page, as written ---------------------------------------------------------------------

def test_the_banner_is_the_pages(server):
    shown = _commands(_console_block("## A standalone server"))
    assert shown[0][0].startswith("pytest-sm-experiments serve")
    expected = [line.replace(PAGE_PORT, str(server.port)).replace("0.1.0", __version__)
                for line in shown[0][1]]
    assert [line.rstrip("\n") for line in server.banner] == expected


def _shell_env(home: Path, **user: str) -> dict[str, str]:
    """A user's shell: HOME (and its ~/.aws) of its own, the venv's scripts (``aws``,
    ``pytest-sm-experiments``) on PATH, and the user's own AWS_* variables."""
    env = {key: value for key, value in _base_env().items()
           if key not in ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")}
    env["HOME"] = str(home)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return {**env, **user}


def _with_own_credentials(home: Path) -> dict[str, str]:
    aws_dir = home / ".aws"
    aws_dir.mkdir()
    (aws_dir / "credentials").write_text(
        "[default]\naws_access_key_id = AKIAUSEROWNKEY000001\n"
        "aws_secret_access_key = the-users-own-secret\n")
    (aws_dir / "config").write_text("[default]\nregion = eu-west-2\n")
    return _shell_env(home, AWS_PROFILE="default", AWS_ACCESS_KEY_ID="AKIAUSEROWNKEY000002",
                      AWS_SECRET_ACCESS_KEY="another-secret", AWS_SESSION_TOKEN="user-token",
                      AWS_DEFAULT_REGION="eu-west-2")


@pytest.mark.parametrize("shell", ["no credentials", "the user's own credentials"])
def test_the_pages_aws_cli_commands_print_what_it_shows(server, tmp_path, shell):
    env = (_shell_env(tmp_path) if shell == "no credentials"
           else _with_own_credentials(tmp_path))
    commands = _commands(_console_block("### The AWS CLI"))
    (setup, nothing), *calls = commands
    assert (setup, nothing) == ('eval "$(pytest-sm-experiments env)"', [])
    # The server listens on a free port, given to `env` as the page says to when it is not 4590.
    setup = setup.replace("env)", f"env --port {server.port})")
    assert [command.split()[:3] for command, _ in calls] == [
        ["aws", "sagemaker", "create-experiment"], ["aws", "sagemaker", "describe-experiment"],
        ["aws", "sts", "get-caller-identity"]]
    for command, printed in calls:
        result = subprocess.run(["bash", "-c", f"{setup}\n{command}"], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=120, check=False)
        expected = [line for line in printed if line.strip()]
        assert [line for line in (result.stdout + result.stderr).splitlines()
                if line.strip()] == expected, command
    calls_made = journal(server)
    assert [(call["operation"], call["error_code"]) for call in calls_made] == [
        ("CreateExperiment", None), ("DescribeExperiment", "ResourceNotFound"),
        ("GetCallerIdentity", None)]
    # Each call was made by its own `aws` process, not by the server.
    pids = {call["pid"] for call in calls_made}
    assert len(pids) == 3
    assert server.process.pid not in pids


def test_the_endpoint_url_alone_is_refused_as_the_page_says(server, tmp_path):
    env = _with_own_credentials(tmp_path)
    result = subprocess.run(
        ["aws", "sagemaker", "list-experiments", "--endpoint-url", server.url], env=env,
        capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode != 0
    assert "(UnrecognizedClientException)" in result.stderr


def test_the_cli_exits_nonzero_on_a_modeled_error(server):
    result = aws(server, "sagemaker", "describe-trial", "--trial-name", "missing")
    assert result.returncode == 255  # the AWS CLI v1 (v2 exits 254)
    assert "An error occurred (ResourceNotFound) when calling the DescribeTrial operation" in (
        result.stderr)


def test_the_cli_with_a_wrong_secret_is_refused(server):
    server.env["AWS_SECRET_ACCESS_KEY"] = "wrong"
    result = aws(server, "sagemaker", "list-experiments")
    assert result.returncode != 0
    assert "(InvalidSignatureException)" in result.stderr


@pytest.mark.skipif(shutil.which("node") is None or not (
    NODE_MODULES / "@aws-sdk" / "client-sagemaker").is_dir(),
    reason="needs node and `npm ci --prefix tests/js`")
def test_the_pages_javascript_example(server, tmp_path):
    code = PAGE.split("### The JavaScript SDK (v3)", 1)[1].split("```javascript\n", 1)[1]
    script = tmp_path / "example.js"
    script.write_text(code.split("```", 1)[0])
    env = {**server.env, "NODE_PATH": str(NODE_MODULES), "NODE_NO_WARNINGS": "1"}
    result = subprocess.run(["node", str(script)], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "arn:aws:sagemaker:us-east-1:123456789012:experiment/from-node",
        "ResourceNotFound: Experiment 'arn:aws:sagemaker:us-east-1:123456789012:experiment/"
        "missing' does not exist."]
    assert [call["operation"] for call in journal(server)] == [
        "CreateExperiment", "DescribeExperiment"]


# -- flags, signals, failures -----------------------------------------------------------------

def test_the_flags_are_the_mocks_options():
    assert set(cli.OPTION_FLAGS) | cli.NOT_FLAGS == set(OPTION_NAMES)


def test_flags_configure_the_mock():
    running = start_server("--region", "eu-west-1", "--account-id", "111122223333",
                           "--arn-case", "preserve", "--quotas", "experiments=1")
    try:
        assert running.env["AWS_DEFAULT_REGION"] == "eu-west-1"
        first = aws(running, "sagemaker", "create-experiment", "--experiment-name", "Mixed")
        assert json.loads(first.stdout)["ExperimentArn"] == (
            "arn:aws:sagemaker:eu-west-1:111122223333:experiment/Mixed")
        second = aws(running, "sagemaker", "create-experiment", "--experiment-name", "other")
        assert "(ResourceLimitExceeded)" in second.stderr
    finally:
        running.stop()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_it_cleanly_and_frees_the_port(server, signum):
    assert aws(server, "sagemaker", "list-experiments").returncode == 0
    code, out = server.stop(signum)
    assert code == 0
    assert out.strip().endswith("pytest-sm-experiments: stopped")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=2)


def test_a_bad_flag_value_is_a_usage_error():
    result = subprocess.run([sys.executable, "-m", "pytest_sm_experiments", "serve",
                             "--region", "Mars"], capture_output=True, text=True, timeout=60,
                            check=False, env=_base_env())
    assert result.returncode == 2
    assert "region must look like 'us-east-1', got 'Mars'" in result.stderr


def test_a_taken_port_is_reported(server):
    result = subprocess.run([sys.executable, "-m", "pytest_sm_experiments", "serve",
                             "--port", str(server.port)], capture_output=True, text=True,
                            timeout=60, check=False, env=_base_env())
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr


def test_the_console_script_is_declared():
    scripts = importlib.metadata.entry_points(group="console_scripts")
    assert [script.value for script in scripts if script.name == "pytest-sm-experiments"] == [
        "pytest_sm_experiments.server.cli:main"]


def test_serve_in_process_prints_the_banner_and_stops(capsys):
    import threading

    from pytest_sm_experiments.options import make_options

    stop = threading.Event()
    stop.set()  # stops as soon as it has started and printed
    assert cli.serve(make_options(), "127.0.0.1", 0, sys.stdout, stop) == 0
    out = capsys.readouterr().out
    assert "SageMaker Experiments mock at http://127.0.0.1:" in out
    assert out.endswith("pytest-sm-experiments: stopped\n")


def test_the_banner_warns_when_not_bound_to_loopback():
    from pytest_sm_experiments.server.cli import banner

    assert "other machines" not in banner("http://127.0.0.1:1", {}, "127.0.0.1")
    assert "other machines" not in banner("http://[::1]:1", {}, "::1")
    assert "other machines" not in banner("http://localhost:1", {}, "localhost")
    assert "Listening on 0.0.0.0: other machines" in banner("http://127.0.0.1:1", {}, "0.0.0.0")
    assert "Listening on myhost: other machines" in banner("http://myhost:1", {}, "myhost")


def test_serving_on_every_interface_is_still_reached_through_loopback(capsys):
    import threading

    from pytest_sm_experiments.options import make_options

    stop = threading.Event()
    stop.set()
    cli.serve(make_options(), "0.0.0.0", 0, sys.stdout, stop)
    out = capsys.readouterr().out
    assert "SageMaker Experiments mock at http://127.0.0.1:" in out
    assert "Listening on 0.0.0.0: other machines that reach it can use it" in out


# -- the CLI's parts in process: banner, arguments, serving -----------------------------------

def test_the_banner_says_what_to_export_and_what_to_unset():
    assert cli.banner("http://127.0.0.1:4590", {"AWS_A": "1", "AWS_B": None, "AWS_C": ""}) == (
        f"pytest-sm-experiments {__version__}: SageMaker Experiments mock at "
        "http://127.0.0.1:4590\n"
        "Stop it with Ctrl-C (SIGINT) or SIGTERM. Point clients at it with:\n"
        "  export AWS_A=1\n"
        "  unset AWS_B\n"
        "  export AWS_C=\n"
        "Admin: GET http://127.0.0.1:4590/_sm_experiments/health (unsigned); GET "
        "http://127.0.0.1:4590/_sm_experiments/journal and POST "
        "http://127.0.0.1:4590/_sm_experiments/reset (signed like any request).")


class _Printed(io.StringIO):
    """What the server prints; ``flushed`` is set when it has printed its banner."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed = threading.Event()

    def flush(self) -> None:
        super().flush()
        self.flushed.set()


def _free_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port: int = probe.getsockname()[1]
    return port


def test_serve_prints_what_clients_need_and_answers_them():
    from pytest_sm_experiments.options import make_options

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    printed, stop = _Printed(), threading.Event()
    serving = threading.Thread(target=cli.serve, args=(
        make_options(region="eu-west-1", account_id="111122223333"), "127.0.0.1", port,
        printed, stop))
    serving.start()
    try:
        assert printed.flushed.wait(30)
        assert printed.getvalue() == (
            f"pytest-sm-experiments {__version__}: SageMaker Experiments mock at {url}\n"
            "Stop it with Ctrl-C (SIGINT) or SIGTERM. Point clients at it with:\n"
            f"  export AWS_ENDPOINT_URL_SAGEMAKER={url}\n"
            f"  export AWS_ENDPOINT_URL_SAGEMAKER_METRICS={url}\n"
            f"  export AWS_ENDPOINT_URL_STS={url}\n"
            "  export AWS_DEFAULT_REGION=eu-west-1\n"
            "  export AWS_REGION=eu-west-1\n"
            "  export AWS_ACCESS_KEY_ID=AKIAMOCKSMEXPERIMENTS\n"
            "  export AWS_SECRET_ACCESS_KEY=pytest-sm-experiments-fake-secret-key\n"
            "  unset AWS_SESSION_TOKEN\n"
            "  unset AWS_IGNORE_CONFIGURED_ENDPOINT_URLS\n"
            f"Admin: GET {url}/_sm_experiments/health (unsigned); GET "
            f"{url}/_sm_experiments/journal and POST {url}/_sm_experiments/reset (signed like "
            "any request).\n")
        sagemaker = boto3.session.Session().client(
            "sagemaker", region_name="eu-west-1", endpoint_url=url,
            aws_access_key_id="AKIAMOCKSMEXPERIMENTS",
            aws_secret_access_key="pytest-sm-experiments-fake-secret-key")
        assert sagemaker.create_experiment(ExperimentName="served")["ExperimentArn"] == (
            "arn:aws:sagemaker:eu-west-1:111122223333:experiment/served")
    finally:
        stop.set()
        serving.join(30)
    assert not serving.is_alive()
    assert printed.getvalue().endswith("(signed like any request).\n"
                                       "pytest-sm-experiments: stopped\n")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


@pytest.fixture
def signal_handlers() -> Iterator[None]:
    """main() installs handlers for SIGINT and SIGTERM: put pytest's back afterwards. Until
    main installs its own, a signal fails the test (instead of ending the test session)."""
    previous = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM)}

    def not_handled(signum: int, frame: Any) -> None:
        raise AssertionError(f"main() did not handle signal {signum}")

    for signum in previous:
        signal.signal(signum, not_handled)
    yield
    for signum, handler in previous.items():
        signal.signal(signum, handler)


@pytest.fixture
def default_port_taken() -> Iterator[None]:
    """Port 4590 held (by this test, or already by another program): a main() that would serve
    on it fails at once instead of serving until a signal."""
    try:
        held = socket.create_server(("127.0.0.1", 4590))
    except OSError:  # someone else holds it
        yield
        return
    with held:
        yield


def _normalized(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_main_serves_with_the_flags_until_a_signal(monkeypatch, signal_handlers, signum):
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    printed = _Printed()
    monkeypatch.setattr(sys, "stdout", printed)
    seen: list[Any] = []

    def use_then_signal() -> None:
        try:
            if printed.flushed.wait(30):
                sagemaker = boto3.session.Session().client(
                    "sagemaker", region_name="eu-west-1", endpoint_url=url,
                    aws_access_key_id="AKIAMOCKSMEXPERIMENTS",
                    aws_secret_access_key="pytest-sm-experiments-fake-secret-key")
                seen.append(sagemaker.create_experiment(ExperimentName="Mixed")["ExperimentArn"])
                try:
                    sagemaker.create_experiment(ExperimentName="second")
                except sagemaker.exceptions.ResourceLimitExceeded as error:
                    seen.append(error.response["Error"]["Code"])
        finally:
            os.kill(os.getpid(), signum)

    user = threading.Thread(target=use_then_signal)
    user.start()
    try:
        code = cli.main(["serve", "--port", str(port), "--region", "eu-west-1",
                         "--account-id", "111122223333", "--arn-case", "preserve",
                         "--quotas", "experiments=1"])
    finally:
        user.join(30)
    assert code == 0
    assert seen == ["arn:aws:sagemaker:eu-west-1:111122223333:experiment/Mixed",
                    "ResourceLimitExceeded"]
    out = printed.getvalue()
    assert out.startswith(f"pytest-sm-experiments {__version__}: SageMaker Experiments mock "
                          f"at {url}\nStop it with Ctrl-C")
    assert "  export AWS_DEFAULT_REGION=eu-west-1\n" in out
    assert out.endswith("(signed like any request).\npytest-sm-experiments: stopped\n")
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=2)


def test_main_reports_a_port_it_cannot_listen_on(capsys, signal_handlers, default_port_taken):
    assert cli.main(["serve"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("pytest-sm-experiments: cannot listen on 127.0.0.1:4590: [Errno ")
    assert "Address already in use" in err
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert cli.main(["serve", "--host", "127.0.0.1", "--port", str(port)]) == 1
    assert capsys.readouterr().err.startswith(
        f"pytest-sm-experiments: cannot listen on 127.0.0.1:{port}: [Errno ")


@pytest.mark.parametrize(("argv", "message"), [
    (["serve", "--region", "Mars"], "pytest-sm-experiments: error: region must look like "
     "'us-east-1', got 'Mars'\n"),
    (["serve", "--quotas", "experiments"], "pytest-sm-experiments: error: quota 'experiments' "
     "must be written name=number\n"),
    (["serve", "--port", "high"], "pytest-sm-experiments serve: error: argument --port: "
     "invalid int value: 'high'\n"),
    ([], "pytest-sm-experiments: error: the following arguments are required: COMMAND\n"),
])
def test_main_refuses_bad_flags_as_usage_errors(capsys, signal_handlers, default_port_taken,
                                                argv, message):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: pytest-sm-experiments ")
    assert err.endswith(message)


def test_env_prints_the_banners_variables_as_shell_lines(capsys):
    assert cli.main(["env", "--port", "5123", "--region", "eu-west-1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "export AWS_ENDPOINT_URL_SAGEMAKER=http://127.0.0.1:5123",
        "export AWS_ENDPOINT_URL_SAGEMAKER_METRICS=http://127.0.0.1:5123",
        "export AWS_ENDPOINT_URL_STS=http://127.0.0.1:5123",
        "export AWS_DEFAULT_REGION=eu-west-1",
        "export AWS_REGION=eu-west-1",
        "export AWS_ENDPOINT_URL=http://127.0.0.1:5123",
        "export NO_PROXY=127.0.0.1",
        "export no_proxy=127.0.0.1",
        "export AWS_ACCESS_KEY_ID=AKIAMOCKSMEXPERIMENTS",
        "export AWS_SECRET_ACCESS_KEY=pytest-sm-experiments-fake-secret-key",
        "unset AWS_SESSION_TOKEN",
        "unset AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]
    assert cli.main(["env", "--host", "::", "--port", "1"]) == 0
    assert "export AWS_ENDPOINT_URL_STS=http://[::1]:1" in capsys.readouterr().out


def test_main_prints_its_version_and_help(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    with pytest.raises(SystemExit) as exited:
        cli.main(["--version"])
    assert (exited.value.code, capsys.readouterr().out) == (
        0, f"pytest-sm-experiments {__version__}\n")
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert _normalized(capsys.readouterr().out) == (
        "usage: pytest-sm-experiments [-h] [--version] COMMAND ... The SageMaker Experiments "
        "mock of pytest-sm-experiments. positional arguments: COMMAND serve serve the mock "
        "over HTTP until SIGINT/SIGTERM env print the shell lines that point clients at a "
        "server options: -h, --help show this help message and exit "
        "--version show program's version number and exit")
    with pytest.raises(SystemExit):
        cli.main(["serve", "--help"])
    assert _normalized(capsys.readouterr().out) == (
        "usage: pytest-sm-experiments serve [-h] [--host HOST] [--port PORT] "
        "[--journal-limit N] [--account-id ACCOUNT_ID] [--region REGION] [--quotas QUOTAS] "
        "[--arn-case ARN_CASE] Serve the mock "
        "over HTTP (JSON 1.1, rest-json and query, as AWS does) to requests signed with the "
        "credentials it prints. options: -h, --help show this help message and exit "
        "--host HOST address to listen on (default: 127.0.0.1, loopback only) "
        "--port PORT port to listen on (default: 4590; 0: a free one) "
        "--journal-limit N keep only the newest N calls in the journal (the oldest are "
        "dropped; the total count is kept); default: all "
        "--account-id ACCOUNT_ID the 12-digit account calls are answered as "
        "--region REGION the mock's own region (clients name theirs when they sign) "
        "--quotas QUOTAS resource limits, e.g. experiments=50,trials=10 "
        "--arn-case ARN_CASE 'lower' (default) or 'preserve': names' case in ARNs")
