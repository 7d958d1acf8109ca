"""The endpoint's parts on their own: finding a peer's pid, the environment overlay, what
children inherit, the forked child's forwarder, and the routing tables from botocore's models."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from pathlib import Path

import pytest
from endpoint_helpers import CREDENTIALS, serving

from pytest_sm_experiments.core.service import EndpointAccess, Service, route
from pytest_sm_experiments.errors import MockUnreachableError
from pytest_sm_experiments.inprocess import environment
from pytest_sm_experiments.options import make_options
from pytest_sm_experiments.server import children, forwarding, peers, routing
from pytest_sm_experiments.server.endpoint import Endpoint

# -- peers ------------------------------------------------------------------------------------

TCP_HEADER = ("  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
              "timeout inode\n")


def fake_proc(root: Path, lines: list[str], sockets: dict[int, list[str | None]],
              table: str = "tcp") -> Path:
    """A /proc with one TCP table and ``pid -> descriptors`` (each a link's target, or None: a
    descriptor closed while it is read, which has no link to read)."""
    (root / "net").mkdir(parents=True)
    (root / "net" / table).write_text(TCP_HEADER + "".join(lines))
    for pid, links in sockets.items():
        fd = root / str(pid) / "fd"
        fd.mkdir(parents=True)
        for number, link in enumerate(links):
            if link is None:
                (fd / str(number)).write_text("")
            else:
                (fd / str(number)).symlink_to(link)
    (root / "self").mkdir()  # not a pid: skipped
    return root


def line(local: str, remote: str, inode: int) -> str:
    return (f"   0: {local} {remote} 01 00000000:00000000 00:00000000 00000000  0        0 "
            f"{inode} 1 0000000000000000 20 4 30 10 -1\n")


def test_proc_addresses_are_little_endian_words():
    assert peers.socket_inode(("127.0.0.1", 8080), ("127.0.0.1", 80), "/nonexistent") is None
    # 127.0.0.1:8080 is written 0100007F:1F90; ::1 as its four words, each little endian.
    assert peers.hex_address("127.0.0.1", 8080) == "0100007F:1F90"
    assert peers.hex_address("::1", 1) == "00000000000000000000000001000000:0001"


def test_the_socket_is_found_in_the_table_and_its_owner_by_its_descriptor(tmp_path):
    proc = fake_proc(tmp_path, [
        line("0100007F:1F90", "0100007F:0050", 111),   # another pair of ports
        line("0100007F:0050", "0100007F:1F90", 222),   # the client's socket: 80 -> 8080
    ], {41: ["/dev/null", "socket:[111]"], 42: ["pipe:[5]", "socket:[222]"]})
    assert peers.socket_inode(("127.0.0.1", 80), ("127.0.0.1", 8080), str(proc)) == 222
    assert peers.owner_of(222, str(proc)) == 42
    assert peers.owner_of(111, str(proc)) == 41
    assert peers.owner_of(333, str(proc)) is None


def test_ipv6_peers_are_looked_up_in_tcp6(tmp_path):
    proc = fake_proc(tmp_path, [line("00000000000000000000000001000000:0050",
                                     "00000000000000000000000001000000:1F90", 7)],
                     {9: ["socket:[7]"]}, table="tcp6")
    assert peers.socket_inode(("::1", 80), ("::1", 8080), str(proc)) == 7


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_a_real_peer_is_this_process(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.create_server((host, 0), family=family) as server, socket.create_connection(
            server.getsockname()[:2]) as client:
        accepted, _ = server.accept()
        with accepted:
            assert peers.peer_pid(accepted) == os.getpid()
            # The kernel's own word for the client socket's inode (fstat), and the real /proc
            # read when no other is given.
            inode = os.fstat(client.fileno()).st_ino
            assert peers.socket_inode(client.getsockname()[:2],
                                      server.getsockname()[:2]) == inode
            assert peers.owner_of(inode) == os.getpid()


def test_peer_pid_reads_the_process_table_it_is_given(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as server, socket.create_connection(
            server.getsockname()) as client:
        accepted, _ = server.accept()
        with accepted:
            proc = fake_proc(tmp_path, [line(
                peers.hex_address(*client.getsockname()),
                peers.hex_address(*server.getsockname()), 5)], {77: ["socket:[5]"]})
            assert peers.peer_pid(accepted, str(proc)) == 77
            assert peers.peer_pid(accepted, str(tmp_path / "nothing")) is None


@pytest.mark.parametrize(("table", "expected"), [
    ("", None),                      # not even the column titles
    (TCP_HEADER, None),              # no socket at all
    # A line cut short before the inode column is skipped; one that ends with it is read.
    (TCP_HEADER + "   0: 0100007F:0050 0100007F:1F90 01 0:0 0:0 0 0 0\n", None),
    (TCP_HEADER + "   0: 0100007F:0050 0100007F:1F90 01 0:0 0:0 0 0 0 321\n", 321),
])
def test_short_or_empty_tables_are_read_without_failing(tmp_path, table, expected):
    (tmp_path / "net").mkdir()
    (tmp_path / "net" / "tcp").write_text(table)
    assert peers.socket_inode(("127.0.0.1", 80), ("127.0.0.1", 8080), str(tmp_path)) == expected


def descendants(root: Path, tree: dict[int, list[list[int]]]) -> None:
    """``pid -> children per thread`` as /proc/<pid>/task/<tid>/children lists them (an empty
    list: a thread without a children file)."""
    for pid, threads in tree.items():
        for tid, kids in enumerate(threads, start=pid):
            task = root / str(pid) / "task" / str(tid)
            task.mkdir(parents=True)
            if kids:
                (task / "children").write_text(" ".join(map(str, kids)) + " ")


def test_a_descendant_holding_the_socket_is_named_before_any_other_process(tmp_path):
    # The connection's owner is a grandchild of this process, reached through threads of which
    # most have no children file (exited). Thirty unrelated processes share the socket (fork
    # and descriptor passing do that): the descendant, who called, is the one named.
    me = os.getpid()
    unrelated: dict[int, list[str | None]] = {pid: ["socket:[9]"] for pid in range(1000, 1030)}
    proc = fake_proc(tmp_path, [], {
        **unrelated,
        901: ["/dev/null"],                                 # a child, not the owner
        902: [*([None] * 20), "socket:[9]"],                # the grandchild, the owner
    })
    (proc / "903").mkdir()  # a child that exited: no descriptors to read
    descendants(proc, {me: [[], [], [], [], [903, 901], [], [], []], 901: [[], [902]]})
    assert peers.owner_of(9, str(proc)) == 902


def test_a_process_table_that_loops_is_still_searched_to_the_end(tmp_path):
    # Pids are reused while the table is read: a child may list an ancestor as its child.
    me = os.getpid()
    proc = fake_proc(tmp_path, [], {2000: ["socket:[4]"], 901: [], 902: []})
    descendants(proc, {me: [[901]], 901: [[902]], 902: [[901, me]]})
    found: list[int | None] = []
    search = threading.Thread(target=lambda: found.append(peers.owner_of(4, str(proc))),
                              daemon=True)
    search.start()
    search.join(timeout=10)
    assert found == [2000]


def test_a_closed_socket_has_no_peer():
    closed = socket.socket()
    closed.close()
    assert peers.peer_pid(closed) is None


# -- environment: a mock's extra variables, innermost wins -------------------------------------

def test_an_inner_mock_without_extras_hides_the_outer_ones(monkeypatch):
    monkeypatch.setenv("SM_TEST_A", "shell-a")
    outer = environment.enter("us-east-1", {"SM_TEST_A": "outer", "SM_TEST_B": "outer-b"})
    try:
        assert (os.environ["SM_TEST_A"], os.environ["SM_TEST_B"]) == ("outer", "outer-b")
        inner = environment.enter("eu-west-1")
        # Not AWS_* variables: back to what they held before any mock started.
        assert os.environ["SM_TEST_A"] == "shell-a"
        assert "SM_TEST_B" not in os.environ
        environment.leave(inner)
        assert (os.environ["SM_TEST_A"], os.environ["SM_TEST_B"]) == ("outer", "outer-b")
    finally:
        environment.leave(outer)
    assert os.environ["SM_TEST_A"] == "shell-a"
    assert "SM_TEST_B" not in os.environ


# -- children ---------------------------------------------------------------------------------

def test_the_endpoint_variables_come_from_the_service_ids():
    assert children.endpoint_variables() == (
        "AWS_ENDPOINT_URL_SAGEMAKER", "AWS_ENDPOINT_URL_SAGEMAKER_METRICS", "AWS_ENDPOINT_URL_STS")


def test_variables_for_a_listener(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "internal.example,127.0.0.1")
    monkeypatch.delenv("no_proxy", raising=False)
    listener = EndpointAccess("http://127.0.0.1:1", CREDENTIALS)
    assert children.variables(None) == {}
    assert children.variables(listener, "eu-west-1") == {
        "AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:1",
        "AWS_ENDPOINT_URL_SAGEMAKER_METRICS": "http://127.0.0.1:1",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1",
        "AWS_DEFAULT_REGION": "eu-west-1", "AWS_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": CREDENTIALS.access_key,
        "AWS_SECRET_ACCESS_KEY": CREDENTIALS.secret_key,
        "AWS_SESSION_TOKEN": None, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": None,
        # Every other service: the endpoint answers as the test's process would.
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
        # Merged: the user's list stays, the endpoint's host once.
        "NO_PROXY": "internal.example,127.0.0.1", "no_proxy": "127.0.0.1"}
    assert "AWS_REGION" not in children.variables(listener)
    # What a running mock adds: the values, never a variable to unset, and no region (the
    # environment patch sets the mock's own).
    assert children.extra(listener) == {
        "AWS_ENDPOINT_URL_SAGEMAKER": "http://127.0.0.1:1",
        "AWS_ENDPOINT_URL_SAGEMAKER_METRICS": "http://127.0.0.1:1",
        "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:1",
        "AWS_ACCESS_KEY_ID": "AKIAENDPOINTTESTKEY1",
        "AWS_SECRET_ACCESS_KEY": "endpoint-test-secret",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:1",
        "NO_PROXY": "internal.example,127.0.0.1", "no_proxy": "127.0.0.1"}


@pytest.fixture
def running_fork_server(monkeypatch):
    """A fork server that says it runs; the list records each time it is stopped."""
    import multiprocessing.forkserver as forkserver

    stopped: list[bool] = []

    class FakeServer:
        _forkserver_pid = 1234

        def _stop(self) -> None:
            stopped.append(True)

    monkeypatch.setattr(forkserver, "_forkserver", FakeServer())
    return stopped


def test_a_running_fork_server_is_stopped_when_what_it_would_pass_on_changes(
        monkeypatch, running_fork_server):
    stopped = running_fork_server
    monkeypatch.delenv("AWS_ENDPOINT_URL_SAGEMAKER", raising=False)
    before = children.snapshot()
    assert before is not None
    children.refresh(before)  # nothing changed
    assert stopped == []
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:1")
    children.refresh(before)
    assert stopped == [True]


def test_no_fork_server_module_no_snapshot(monkeypatch):
    import sys

    monkeypatch.delitem(sys.modules, "multiprocessing.forkserver", raising=False)
    assert children.snapshot() is None
    children.refresh(None)  # nothing to do


def test_a_fork_server_that_is_not_running_is_left_alone(monkeypatch):
    import multiprocessing.forkserver as forkserver

    class NotRunning:
        _forkserver_pid = None

        def _stop(self) -> None:
            raise AssertionError("stopped a fork server that does not run")

    monkeypatch.setattr(forkserver, "_forkserver", NotRunning())
    before = children.snapshot()
    monkeypatch.setenv("AWS_ENDPOINT_URL_SAGEMAKER", "http://127.0.0.1:2")
    children.refresh(before)


def test_a_fork_server_is_restarted_when_only_the_secret_changes(monkeypatch,
                                                                running_fork_server):
    # A new mock may get the port an earlier one freed: its children need its own secret.
    stopped = running_fork_server
    for name in children.endpoint_variables():
        monkeypatch.setenv(name, "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "first-mock")
    before = children.snapshot()
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "second-mock")
    children.refresh(before)
    assert stopped == [True]


class _NoStop:
    _forkserver_pid = 1234


class _NoPid:
    def _stop(self) -> None:
        raise AssertionError("stopped a fork server that does not say it runs")


@pytest.mark.parametrize("server", [None, _NoStop(), _NoPid()],
                         ids=["no-fork-server", "no-stop", "no-pid"])
def test_a_python_whose_fork_server_internals_differ_still_runs_mocks(monkeypatch, server):
    # The fork server is restarted through standard-library internals: where they are not
    # what this Python has, starting and stopping a mock that serves children still works.
    import multiprocessing.forkserver as forkserver

    from pytest_sm_experiments import mock_sm_experiments

    if server is None:
        monkeypatch.delattr(forkserver, "_forkserver")
    else:
        monkeypatch.setattr(forkserver, "_forkserver", server)
    with mock_sm_experiments(subprocesses=True) as mock:
        assert os.environ["AWS_ENDPOINT_URL_SAGEMAKER"] == mock.endpoint_url
    assert "AWS_ENDPOINT_URL_SAGEMAKER" not in os.environ


# -- remote: the forked child's forwarder -----------------------------------------------------

def test_forward_signs_and_sends_and_reuses_its_connection():
    endpoint = Endpoint(Service(make_options()), CREDENTIALS, idle_timeout=0.3).start()
    try:
        create = route("sagemaker", "CreateExperiment")
        for name in ("one", "two"):
            status, headers, body = forwarding.forward(endpoint.access, 1, create,
                                                   f'{{"ExperimentName":"{name}"}}', "eu-west-1")
            assert status == 200
            assert headers["Content-Type"] == "application/x-amz-json-1.1"
            assert body == (f'{{"ExperimentArn":"arn:aws:sagemaker:eu-west-1:123456789012:'
                            f'experiment/{name}"}}').encode()
        assert [call.region for call in endpoint.service.journal] == ["eu-west-1", "eu-west-1"]
        pids = {call.pid for call in endpoint.service.journal}
        assert pids == {os.getpid()}
        # A connection the server closed while idle is replaced once, transparently.
        time.sleep(0.8)
        status, _, _ = forwarding.forward(endpoint.access, 1, create,
                                      b'{"ExperimentName":"three"}', "eu-west-1")
        assert status == 200
        assert len(endpoint.service.journal) == 3
        metrics = route("sagemaker-metrics", "BatchPutMetrics")
        status, _, body = forwarding.forward(endpoint.access, 1, metrics,
                                         b'{"TrialComponentName":"x","MetricData":[]}',
                                         "eu-west-1")
        assert status == 400  # MetricData needs an item: validated by the parent
        identity = route("sts", "GetCallerIdentity")
        status, _, body = forwarding.forward(endpoint.access, 1, identity,
                                         "Action=GetCallerIdentity&Version=2011-06-15",
                                         "eu-west-1")
        assert (status, b"<Account>123456789012</Account>" in body) == (200, True)
    finally:
        forwarding.close()
        endpoint.stop()


def test_forward_to_a_stopped_endpoint_says_so():
    with serving() as endpoint:
        listener = endpoint.access
    with pytest.raises(MockUnreachableError, match=r"could not reach the mock of pid 77 at "
                                                   r"http://127\.0\.0\.1:\d+ \(Connection"):
        forwarding.forward(listener, 77, route("sagemaker", "CreateExperiment"), None, "us-east-1")
    forwarding.close()


def test_forward_to_a_stopped_endpoint_names_the_call():
    with serving() as endpoint:
        listener = endpoint.access
    with pytest.raises(MockUnreachableError, match=r"^pytest-sm-experiments: sagemaker-metrics:"
                                                   r"BatchPutMetrics from this forked process"):
        forwarding.forward(listener, 77, route("sagemaker-metrics", "BatchPutMetrics"), b"{}",
                       "us-east-1")
    forwarding.close()


def test_forward_sends_text_bodies_as_utf8_and_no_body_as_empty(loopback_connects):
    with serving() as endpoint:
        create, listing = route("sagemaker", "CreateExperiment"), route(
            "sagemaker", "ListExperiments")
        try:
            status, _, _ = forwarding.forward(
                endpoint.access, 1, create,
                '{"ExperimentName":"text","Description":"café ✓"}', "us-east-1")
            assert status == 200
            status, _, body = forwarding.forward(endpoint.access, 1, listing, None, "us-east-1")
            assert status == 200
            assert [summary["ExperimentName"] for summary in json.loads(body)[
                "ExperimentSummaries"]] == ["text"]
        finally:
            forwarding.close()
        first, second = endpoint.service.journal
        assert first.params == {"ExperimentName": "text", "Description": "café ✓"}
        assert (second.operation, second.params, second.succeeded) == (
            "ListExperiments", {}, True)
    # Both calls went over one kept-alive connection.
    assert list(loopback_connects) == [("127.0.0.1", endpoint.port)]


def test_close_ends_this_threads_connections(loopback_connects):
    create = route("sagemaker", "CreateExperiment")
    with serving() as endpoint:
        try:
            for name in ("a", "b"):
                forwarding.forward(endpoint.access, 1, create, f'{{"ExperimentName":"{name}"}}',
                               "us-east-1")
            forwarding.close()
            forwarding.forward(endpoint.access, 1, create, b'{"ExperimentName":"c"}',
                           "us-east-1")
        finally:
            forwarding.close()
        assert len(endpoint.service.journal) == 3
    assert list(loopback_connects) == [("127.0.0.1", endpoint.port)] * 2
    # A thread that never forwarded has nothing to close.
    closed = threading.Thread(target=forwarding.close)
    closed.start()
    closed.join()


def test_forward_to_a_listener_url_with_a_trailing_slash():
    with serving() as endpoint:
        listener = EndpointAccess(endpoint.url + "/", CREDENTIALS)
        try:
            status, _, _ = forwarding.forward(listener, 1, route("sagemaker", "CreateExperiment"),
                                          b'{"ExperimentName":"slash"}', "us-east-1")
        finally:
            forwarding.close()
        assert status == 200
        assert [call.params for call in endpoint.service.journal] == [
            {"ExperimentName": "slash"}]


def test_forward_to_an_ipv6_listener():
    endpoint = Endpoint(Service(make_options()), CREDENTIALS, "::1").start()
    try:
        assert endpoint.access.url == f"http://[::1]:{endpoint.port}"
        status, _, body = forwarding.forward(endpoint.access, 1,
                                         route("sagemaker", "CreateExperiment"),
                                         b'{"ExperimentName":"six"}', "us-east-1")
        assert (status, body) == (200, b'{"ExperimentArn":"arn:aws:sagemaker:us-east-1:'
                                       b'123456789012:experiment/six"}')
    finally:
        forwarding.close()
        endpoint.stop()


def _answer_once_and_close(listening: socket.socket, answer: bytes) -> None:
    """Accept one connection, read one request, send ``answer`` and close everything."""
    connection, _ = listening.accept()
    with connection:
        data = b""
        while b"\r\n\r\n" not in data:
            data += connection.recv(65536)
        head, _, body = data.partition(b"\r\n\r\n")
        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(body) < length:
            body += connection.recv(65536)
        connection.sendall(answer)
    listening.close()


def test_a_parent_that_answered_connection_close_and_went_is_tried_once(loopback_connects):
    # The parent's last answer said it closes the connection, and then its port closed: the
    # next call opens one new connection, is refused, and says so (no retry of a refusal).
    listening = socket.create_server(("127.0.0.1", 0))
    port = listening.getsockname()[1]
    answer = (b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\n"
              b"Content-Length: 2\r\nConnection: close\r\n\r\n{}")
    server = threading.Thread(target=_answer_once_and_close, args=(listening, answer))
    server.start()
    listener = EndpointAccess(f"http://127.0.0.1:{port}", CREDENTIALS)
    listing = route("sagemaker", "ListExperiments")
    try:
        assert forwarding.forward(listener, 5, listing, None, "us-east-1")[::2] == (200, b"{}")
        server.join()
        with pytest.raises(MockUnreachableError, match=r"\(ConnectionRefusedError: "):
            forwarding.forward(listener, 5, listing, None, "us-east-1")
    finally:
        forwarding.close()
    assert list(loopback_connects) == [("127.0.0.1", port)] * 2


def test_a_parent_that_never_answers_is_given_up_on(monkeypatch):
    # The parent's port is open but nothing answers (its process is stopped, say): the call
    # fails after the forwarder's timeout instead of hanging. If it did wait on, the port
    # closes after a while, and the error would name the reset connection instead.
    monkeypatch.setattr(forwarding, "_TIMEOUT", 0.2)
    listening = socket.create_server(("127.0.0.1", 0))  # never accepts
    gone = threading.Timer(10, listening.close)
    gone.start()
    listener = EndpointAccess(f"http://127.0.0.1:{listening.getsockname()[1]}", CREDENTIALS)
    try:
        with pytest.raises(MockUnreachableError, match=r"\(TimeoutError: timed out\)"):
            forwarding.forward(listener, 5, route("sagemaker", "ListExperiments"), None,
                           "us-east-1")
    finally:
        gone.cancel()
        listening.close()
        forwarding.close()


def test_a_forwarded_request_carries_the_mocks_session_token():
    # A mock's endpoint has a session token (mock._start_endpoint); the parent checks the one
    # a forwarded request carries.
    from endpoint_helpers import KEY, SECRET

    from pytest_sm_experiments.credentials import Credentials

    mocks = Credentials(KEY, SECRET, "the-mocks-token")
    endpoint = Endpoint(Service(make_options()), mocks).start()
    create = route("sagemaker", "CreateExperiment")
    try:
        status, _, _ = forwarding.forward(EndpointAccess(endpoint.url, mocks), 1, create,
                                      b'{"ExperimentName":"tokened"}', "us-east-1")
        assert status == 200
        stale = EndpointAccess(endpoint.url, mocks._replace(token="a-stale-token"))
        status, _, body = forwarding.forward(stale, 1, create, b'{"ExperimentName":"stale"}',
                                         "us-east-1")
        assert (status, json.loads(body)) == (403, {
            "__type": "UnrecognizedClientException",
            "Message": "The security token included in the request is invalid."})
    finally:
        forwarding.close()
        endpoint.stop()
    assert [call.params for call in endpoint.service.journal] == [
        {"ExperimentName": "tokened"}]


# -- http_wire --------------------------------------------------------------------------------

@pytest.mark.parametrize(("service", "operation", "expected"), [
    ("sagemaker", "CreateExperiment", ("POST", "/", {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "SageMaker.CreateExperiment"})),
    ("sagemaker", "Search", ("POST", "/", {
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "SageMaker.Search"})),
    ("sagemaker-metrics", "BatchPutMetrics", ("PUT", "/BatchPutMetrics", {
        "Content-Type": "application/json"})),
    ("sts", "GetCallerIdentity", ("POST", "/", {
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}))])
def test_outgoing_and_target_of_agree(service, operation, expected):
    request = routing.outgoing(service, operation)
    # As the SDKs send them (botocore's serializers, the services' API references).
    assert tuple(request) == expected
    body = b"Action=GetCallerIdentity" if service == "sts" else b"{}"

    class Headers(dict):  # case-sensitive is enough: outgoing spells them as target_of reads
        pass

    headers = Headers(request.headers)
    protocol = routing.protocol_of(headers)
    target = routing.target_of(protocol, request.method, request.path, headers, body)
    assert (target.service_name, target.operation) == (service, operation)
    routing.check(target, request.method, headers, body)


def test_signing_names_come_from_the_models():
    assert routing.signing_name("sagemaker") == "sagemaker"
    assert routing.signing_name("sagemaker-metrics") == "sagemaker"
    assert routing.signing_name("sts") == "sts"


def test_media_type_ignores_parameters_and_case():
    assert routing.media_type("Application/JSON; charset=utf-8") == "application/json"
    assert routing.media_type(None) == ""


def test_header_map_looks_names_up_in_any_case_and_keeps_the_first_value():
    headers = routing.HeaderMap([("Content-Type", "a"), ("content-type", "b"), ("X-One", "1")])
    assert headers.get("CONTENT-TYPE") == "a"
    assert headers.get("x-one") == "1"
    assert headers.get("missing") is None
    assert "x-ONE" in headers
    assert "missing" not in headers
    assert 1 not in headers


def test_a_recorded_call_names_a_process_other_than_this_one():
    from pytest_sm_experiments import RecordedCall

    own = RecordedCall("CreateExperiment", {}, {}, None, None, "us-east-1", "123456789012",
                       pid=os.getpid())
    child = RecordedCall("CreateExperiment", {}, {}, None, None, "us-east-1", "123456789012",
                         pid=424242)
    unknown = RecordedCall("CreateExperiment", {}, {}, None, None, "us-east-1", "123456789012")
    assert own.describe() == "CreateExperiment() -> ok [us-east-1/123456789012]"
    assert child.describe() == "CreateExperiment() -> ok [us-east-1/123456789012, pid 424242]"
    assert unknown.describe().endswith("[us-east-1/123456789012, pid unknown]")
    assert child.to_dict() == {
        "operation": "CreateExperiment", "service": "sagemaker", "params": {}, "response": {},
        "error_code": None, "error_message": None, "region": "us-east-1",
        "account_id": "123456789012", "request_id": "", "pid": 424242, "succeeded": True}


# -- headers a reply never sends; a closing connection beside a forked child -----------------

def test_a_reply_s_own_length_and_connection_headers_never_reach_the_wire():
    # A reply forwarded from another endpoint (forwarding.forward) carries that endpoint's
    # Content-Length and Connection: the response written here states its own, once.
    from pytest_sm_experiments.server.endpoint import render

    headers = {"x-amzn-RequestId": "r", "Content-Length": "999", "Connection": "keep-alive"}
    assert render(200, headers, b"ok", False) == (
        b"HTTP/1.1 200 OK\r\nx-amzn-RequestId: r\r\nContent-Length: 2\r\n\r\nok")
    assert render(404, {"content-length": "1", "CONNECTION": "x"}, b"", True) == (
        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.mark.filterwarnings("ignore:This process .* is multi-threaded:DeprecationWarning")
def test_a_closing_connection_ends_for_its_client_while_a_forked_child_lives():
    # A forked child closes its copies of the endpoint's sockets: otherwise the parent's
    # close() would not end the connection (a copy still holds it open).
    import multiprocessing

    from endpoint_helpers import Response, signed_request
    from process_workers import wait_ready

    context = multiprocessing.get_context("fork")
    with serving() as endpoint, socket.create_connection(
            ("127.0.0.1", endpoint.port), timeout=10) as kept:
        kept.sendall(signed_request(endpoint, b'{"ExperimentName":"a"}', close=False))
        assert Response(kept.recv(65536)).status == 200
        receive, send = context.Pipe(duplex=False)
        ready, child_ready = context.Pipe(duplex=False)
        child = context.Process(target=wait_ready, args=(child_ready, receive))
        child.start()
        try:
            assert ready.recv() == "ready"  # the child's after-fork hooks have run
            kept.sendall(signed_request(endpoint, b'{"ExperimentName":"b"}', close=True))
            chunks = []
            while chunk := kept.recv(65536):
                chunks.append(chunk)
            answer = Response(b"".join(chunks))
            assert (answer.status, answer.headers["connection"], answer.rest) == (
                200, "close", b"")
        finally:
            send.send("done")
            child.join(timeout=60)
