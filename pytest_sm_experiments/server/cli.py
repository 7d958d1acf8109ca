"""``pytest-sm-experiments serve``: the mock as a standalone server, for everything that is not
Python in the test's process (the AWS CLI, other SDKs, containers).

    python -m pytest_sm_experiments serve [--host 127.0.0.1] [--port 4590] [mock options]
    eval "$(python -m pytest_sm_experiments env [--host ...] [--port ...] [--region ...])"

``serve`` prints the endpoint and the variables a client needs, serves until SIGINT or SIGTERM,
then closes its port and exits 0. ``env`` prints those variables as shell lines to ``eval``, so
a shell (the AWS CLI in it) reaches a server whatever credentials it held. ``serve``'s flags are
the mock's options (but ``subprocesses``: a server serves every process, and ``allow_network``:
it sends nothing) plus ``--host`` and ``--port``.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from types import FrameType
from typing import Any, TextIO

from .._version import __version__
from ..core.service import EndpointAccess, Service
from ..credentials import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, Credentials
from ..errors import MockUsageError
from ..hosts import is_loopback_host
from ..options import MockOptions, make_options, parse_quotas
from . import children
from .endpoint import Endpoint, url_of

#: CHOICE: a fixed default port, so that configurations can name it; --port 0 takes a free one.
DEFAULT_PORT = 4590
#: The server's credentials: fixed and public (they are the mock's), printed at start.
CREDENTIALS = Credentials(FAKE_ACCESS_KEY, FAKE_SECRET_KEY)

#: Each mock option as a flag: (flag, how the text becomes the option's value, help).
OPTION_FLAGS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "account_id": ("--account-id", str, "the 12-digit account calls are answered as"),
    "region": ("--region", str, "the mock's own region (clients name theirs when they sign)"),
    "quotas": ("--quotas", parse_quotas, "resource limits, e.g. experiments=50,trials=10"),
    "arn_case": ("--arn-case", str, "'lower' (default) or 'preserve': names' case in ARNs"),
}
#: Options that make no sense for a server: it serves every process already, and it sends no
#: request of its own (``allow_network`` governs the requests of a test's process).
NOT_FLAGS = frozenset({"subprocesses", "allow_network"})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pytest-sm-experiments",
        description="The SageMaker Experiments mock of pytest-sm-experiments.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    serve = commands.add_parser(
        "serve", help="serve the mock over HTTP until SIGINT/SIGTERM",
        description="Serve the mock over HTTP (JSON 1.1, rest-json and query, as AWS does) "
                    "to requests signed with the credentials it prints.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, loopback only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT,
                       help=f"port to listen on (default: {DEFAULT_PORT}; 0: a free one)")
    serve.add_argument("--journal-limit", type=_positive, default=None, metavar="N",
                       help="keep only the newest N calls in the journal (the oldest are "
                            "dropped; the total count is kept); default: all")
    for name, (flag, _, help_text) in OPTION_FLAGS.items():
        serve.add_argument(flag, dest=name, default=None, help=help_text)
    env = commands.add_parser(
        "env", help="print the shell lines that point clients at a server",
        description='Print the variables a client needs to reach a server started with '
                    '`serve`, as lines for the shell: eval "$(pytest-sm-experiments env)".')
    env.add_argument("--host", default="127.0.0.1", help="the server's --host")
    env.add_argument("--port", type=int, default=DEFAULT_PORT, help="the server's --port")
    env.add_argument("--region", default=None, help="the server's --region")
    env.set_defaults(command="env")
    serve.set_defaults(command="serve")
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of calls, 1 or more: {text!r}")
    return value


def shell_lines(listener_env: dict[str, str | None]) -> list[str]:
    """``export NAME=value`` for each variable, ``unset NAME`` for those a client must not have
    (values are URLs, regions and the public credentials: nothing a shell would split)."""
    return [f"export {name}={value}" if value is not None else f"unset {name}"
            for name, value in listener_env.items()]


def options_from(args: argparse.Namespace) -> MockOptions:
    """The mock options the flags give (MockUsageError for a bad value)."""
    given = {name: convert(getattr(args, name)) for name, (_, convert, _) in OPTION_FLAGS.items()
             if getattr(args, name) is not None}
    return make_options(**given)


def banner(url: str, listener_env: dict[str, str | None], host: str = "127.0.0.1") -> str:
    lines = [f"pytest-sm-experiments {__version__}: SageMaker Experiments mock at {url}"]
    if not is_loopback_host(host):
        lines.append(f"Listening on {host}: other machines that reach it can use it with the "
                     f"credentials below, which are public.")
    lines.append("Stop it with Ctrl-C (SIGINT) or SIGTERM. Point clients at it with:")
    lines.extend(f"  {line}" for line in shell_lines(listener_env))
    lines.append(f"Admin: GET {url}/_sm_experiments/health (unsigned); GET "
                 f"{url}/_sm_experiments/journal and POST {url}/_sm_experiments/reset "
                 f"(signed like any request).")
    return "\n".join(lines)


def serve(options: MockOptions, host: str, port: int, out: TextIO,
          stop: threading.Event | None = None, journal_limit: int | None = None) -> int:
    """Serve until ``stop`` is set (by SIGINT/SIGTERM when run from :func:`main`)."""
    stop = stop or threading.Event()
    endpoint = Endpoint(Service(options), CREDENTIALS, host, port,
                        journal_limit=journal_limit).start()
    try:
        out.write(banner(endpoint.url, children.variables(endpoint.access, options.region,
                                                             for_children=False),
                         host) + "\n")
        out.flush()
        stop.wait()
    finally:
        endpoint.stop()
    out.write("pytest-sm-experiments: stopped\n")
    out.flush()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "env":
        region = args.region or make_options().region
        access = EndpointAccess(url_of(args.host, args.port), CREDENTIALS)
        print("\n".join(shell_lines(children.variables(access, region))))
        return 0
    try:
        options = options_from(args)
    except MockUsageError as error:
        parser.error(str(error))
    stop = threading.Event()

    def stop_serving(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, stop_serving)
    try:
        return serve(options, args.host, args.port, sys.stdout, stop, args.journal_limit)
    except OSError as error:  # the port is taken, the host is not this machine's, ...
        print(f"pytest-sm-experiments: cannot listen on {args.host}:{args.port}: {error}",
              file=sys.stderr)
        return 1
