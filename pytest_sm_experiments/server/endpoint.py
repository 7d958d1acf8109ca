"""The HTTP front door: a small threaded HTTP/1.1 server onto one :class:`service.Service`.

Requests arrive as AWS SDKs send them (``routing`` finds the operation, ``sigv4`` checks the
signature) and are answered by ``Service.handle``, the same pipeline the botocore hook uses.

Threads: one acceptor waits on the listening socket and on a wake-up socket pair (so that
``stop()`` returns at once, not after a poll interval); each accepted connection gets a thread
that serves its requests in turn (HTTP/1.1 keep-alive: SDKs reuse connections). Each response
is written with one ``sendall`` (headers and body written separately stall on delayed ACKs).

Every failure is an AWS-shaped answer: malformed HTTP, an unknown operation, an oversized body,
a wrong content type or signature get a 4xx with AWS's headers and error body, and the server
goes on serving. Admin routes live under ``/_sm_experiments/``: ``health`` (unsigned),
``journal`` and ``reset`` (signed like any request).
"""

from __future__ import annotations

import contextlib
import http
import http.server
import logging
import math
import os
import selectors
import socket
import threading
import time
import weakref
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .. import _moto
from .._version import __version__
from ..core.codec import encode_error, to_json
from ..core.service import EndpointAccess, Reply, Service, request_id, route
from ..credentials import Credentials
from ..errors import AWSError, MockUsageError, UnsupportedOperationError
from . import others, peers, routing, sigv4

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/_sm_experiments/"
#: CHOICE: larger than any request the served operations' models admit (about 14 MB: 300
#: parameters of 2,500 characters, each escaped as a surrogate pair).
MAX_BODY = 16 * 1024 * 1024
#: CHOICE: connections served at once; one more is answered 503 and closed.
MAX_CONNECTIONS = 256
#: An idle kept-alive connection is closed after this long (SDKs reconnect transparently).
IDLE_TIMEOUT = 120.0
#: CHOICE: a request whose line, headers and body take longer than this to arrive may be cut
#: off when the endpoint is full (a one-byte drip must not hold a place for ever).
REQUEST_TIMEOUT = 10.0
_ADMIN_SIGNING_NAME = "sagemaker"
#: A connection's states (``Endpoint.mark``).
_IDLE, _READING, _SERVING = "idle", "reading", "serving"


def _phrase(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def _header_value(value: str) -> str:
    # A value can come from a test's inject_error(); never let it break the header block.
    return "".join(" " if char in "\r\n" else char for char in value)


def render(status: int, headers: Mapping[str, str], body: bytes, close: bool,
           head: bool = False) -> bytes:
    """One HTTP/1.1 response, head and body in one buffer (one send). ``head``: the answer to
    a HEAD request, whose Content-Length is the body's but which carries none (RFC 9110)."""
    lines = [f"HTTP/1.1 {status} {_phrase(status)}"]
    lines += [f"{name}: {_header_value(value)}" for name, value in headers.items()
              if name.lower() not in ("content-length", "connection")]
    lines.append(f"Content-Length: {len(body)}")
    if close:
        lines.append("Connection: close")
    text = "\r\n".join(lines) + "\r\n\r\n"
    return text.encode("latin-1", "replace") + (b"" if head else body)


def _json_reply(status: int, value: Any) -> Reply:
    """An admin answer as strict JSON (RFC 8259: no NaN or Infinity, which a journaled body
    may hold: Python's json reads them); too deep to write, a 500 that says so."""
    try:
        body = to_json(strict(value))
    except RecursionError:
        return encode_error("rest-json", AWSError(
            "The answer is nested too deeply to write as JSON.", code="InternalFailure",
            status=500), request_id())
    return status, {"Content-Type": "application/json", "x-amzn-RequestId": request_id()}, body


_NOT_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def strict(value: Any) -> Any:
    """``value`` with every float that is not finite as its JSON name in a string ("NaN",
    "Infinity", "-Infinity"). Iterative: journaled bodies nest as deep as the parser let them."""
    def convert(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return _NOT_FINITE[repr(item)]
        if isinstance(item, dict):
            return dict(item)
        if isinstance(item, (list, tuple)):
            return list(item)
        return item

    root = convert(value)
    pending = [root] if isinstance(root, (dict, list)) else []
    while pending:
        container = pending.pop()
        keys = container.keys() if isinstance(container, dict) else range(len(container))
        for key in keys:
            child = container[key] = convert(container[key])
            if isinstance(child, (dict, list)):
                pending.append(child)
    return root


class _Connection(http.server.BaseHTTPRequestHandler):
    """One client connection: its requests, answered in turn."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: Any  # the Endpoint (typed loosely: BaseRequestHandler wants a socketserver)
    _pid: int | None = None
    _pid_known = False

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)

    # -- the request loop (stdlib parses the request line and headers) ---------------------
    def handle_one_request(self) -> None:
        server = self.server
        try:
            server.mark(self.connection, _IDLE)
            # Idle until the first byte of a request arrives (a full endpoint may close an idle
            # connection to admit a new one), then reading it until its body is in.
            reader: Any = self.rfile  # a BufferedReader (StreamRequestHandler's default)
            reader.peek(1)
            server.mark(self.connection, _READING)
            self.raw_requestline = self.rfile.readline(65537)
            while self.raw_requestline in (b"\r\n", b"\n"):  # RFC 9112: ignore blank lines
                self.raw_requestline = self.rfile.readline(65537)
            if not self.raw_requestline:
                self.close_connection = True
                return
            if len(self.raw_requestline) > 65536:
                self.send_error(http.HTTPStatus.REQUEST_URI_TOO_LONG)
                return
            if not self.parse_request():
                return  # parse_request answered (send_error below)
            self._serve()
            self.server.trim()
        except (TimeoutError, ConnectionError):
            self.close_connection = True
        except Exception:  # a bug: answer 500, keep serving other connections
            log.exception("pytest-sm-experiments endpoint: unexpected error")
            self._send(*encode_error("rest-json", AWSError(
                "The mock failed to answer this request (a bug in pytest-sm-experiments).",
                code="InternalFailure", status=500), request_id()), close=True)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """The stdlib's error path (malformed HTTP), answered AWS's way."""
        text = message or _phrase(code)
        error = AWSError(text if explain is None else f"{text}: {explain}",
                         code="".join(filter(str.isalnum, _phrase(code).title())), status=code)
        self._send(*encode_error("rest-json", error, request_id()), close=True)

    def _send(self, status: int, headers: Mapping[str, str], body: bytes,
              close: bool = False) -> None:
        if close:
            self.close_connection = True
        try:
            self.wfile.write(render(status, headers, body, close or self.close_connection,
                                    head=getattr(self, "command", None) == "HEAD"))
        except OSError:
            self.close_connection = True

    # -- one request -------------------------------------------------------------------------
    def _serve(self) -> None:
        path = self.path
        host = self.headers.get("Host")
        if not self.server.answers_to(host):
            # A page whose name was rebound to 127.0.0.1 (DNS rebinding) sends its own name:
            # refused before anything is read or signed (a standalone server's keys are public).
            self._send(*encode_error("rest-json", AWSError(
                f"The Host header {host!r} does not name this endpoint (it answers to "
                f"{', '.join(self.server.names())}).", code="InvalidHostHeader", status=400),
                request_id()), close=True)
            return
        if path.startswith(ADMIN_PREFIX):
            body = self._read_body("rest-json")
            if body is not None:
                self._send(*self._admin(path[len(ADMIN_PREFIX):].split("?", 1)[0], body))
            return
        headers, method = routing.HeaderMap(self.headers.items()), self.command
        protocol = routing.protocol_of(headers)
        body = self._read_body(protocol)
        if body is None:
            return
        target = routing.target_of(protocol, method, path, headers, body)
        server = self.server
        scoped = sigv4.scope(headers)
        # A request signed for a service the mock does not serve (a child's S3 or CloudWatch
        # Logs call): checked against its own service, then answered as the test's process
        # would answer it (others.py).
        foreign = scoped is not None and scoped[1] not in routing.signing_names()
        signing = scoped[1] if foreign and scoped is not None else routing.signing_name(
            target.service_name)
        try:
            region = sigv4.verify(method, path, headers, body, self._credentials(headers),
                                  signing, query=protocol == "query")
            if not foreign and not (target.operation is None and _moto.active()):
                routing.check(target, method, headers, body)
        except AWSError as error:
            self._send(*encode_error(protocol, error, request_id()))
            return
        if foreign or target.operation is None:
            self._send(*others.answer(server.service, target, signing, method, path,
                                      self.headers.items(), body, region, self._peer_pid(),
                                      server.refusal))
            return
        found = route(target.service_name, target.operation)
        if _moto.active():
            reply = others.delegated_search(found, method, path, target, self.headers.items(),
                                            body, region)
            if reply is not None:
                self._send(*reply)
                return
        try:
            reply = server.service.handle(found, body, region, self._peer_pid())
        except MockUsageError as error:
            # What the test's process raises as a usage error (a Search of a resource only
            # moto holds, with no moto): a 400 the caller's SDK reads, never a 500.
            code = ("UnknownOperationException" if isinstance(error, UnsupportedOperationError)
                    else "RequestRefused")
            reply = encode_error(protocol, AWSError(str(error), code=code, status=400),
                                 request_id())
        self._send(*reply)

    def _credentials(self, headers: routing.Headers) -> Credentials:
        """The credentials a request must be signed with: the endpoint's, or, while moto's
        ``mock_aws`` runs in this process, the ones it put into the environment (``mock_aws``
        started inside the mock gives children its own fake keys in place of the mock's)."""
        own: Credentials = self.server.credentials
        key = sigv4.access_key(headers)
        if key is None or key == own.access_key or not _moto.active():
            return own
        environ = os.environ
        secret = environ.get("AWS_SECRET_ACCESS_KEY")
        if environ.get("AWS_ACCESS_KEY_ID") != key or not secret:
            return own
        return Credentials(key, secret, environ.get("AWS_SESSION_TOKEN"))

    def _read_body(self, protocol: str) -> bytes | None:
        """The request body, or None after answering a request whose body cannot be read."""
        headers = self.headers
        error: AWSError | None = None
        if "Transfer-Encoding" in headers:
            # CHOICE: AWS SDKs send a Content-Length with these operations' bodies.
            error = AWSError("A Content-Length header is required (chunked bodies are not "
                             "accepted).", code="MissingContentLength", status=411)
        lengths = headers.get_all("Content-Length") or []
        length = 0
        if error is None and lengths:
            text = lengths[0].strip()
            if len(set(lengths)) > 1 or not text.isdigit() or not text.isascii():
                error = AWSError(f"Invalid Content-Length: {', '.join(lengths)!r}.",
                                 code="BadRequest", status=400)
            else:
                length = int(text)
        if error is None and length > MAX_BODY:
            error = AWSError(f"The request body ({length} bytes) is larger than the mock "
                             f"accepts ({MAX_BODY} bytes).",
                             code="RequestEntityTooLargeException", status=413)
        if error is None:
            body = self.rfile.read(length) if length else b""
            if len(body) == length:
                self.server.mark(self.connection, _SERVING)
                return body
            error = AWSError(f"The request body ended after {len(body)} of {length} bytes.",
                             code="IncompleteBody", status=400)
        # The unread rest of the body would be taken for the next request: close after this.
        self._send(*encode_error(protocol, error, request_id()), close=True)
        return None

    def _peer_pid(self) -> int | None:
        """The calling process, looked up once per connection."""
        if not self._pid_known:
            self._pid = peers.peer_pid(self.connection)
            self._pid_known = True
        return self._pid

    # -- admin routes ------------------------------------------------------------------------
    def _admin(self, name: str, body: bytes) -> Reply:
        server = self.server
        service: Service = server.service
        if name == "health" and self.command == "GET":
            return _json_reply(200, {"status": "ok", "server": "pytest-sm-experiments",
                                     "version": __version__, "pid": os.getpid(),
                                     "account_id": service.account_id,
                                     "region": service.options.region,
                                     "calls": server.calls()})
        if (name, self.command) not in (("journal", "GET"), ("reset", "POST")):
            return encode_error("rest-json", AWSError(
                f"No admin route {self.command} {ADMIN_PREFIX}{name}; there are GET health, "
                f"GET journal and POST reset.", code="NotFound", status=404), request_id())
        try:
            sigv4.verify(self.command, self.path, self.headers, body, server.credentials,
                         _ADMIN_SIGNING_NAME)
        except AWSError as error:
            return encode_error("rest-json", error, request_id())
        if name == "reset":
            service.reset()
            server.dropped = 0
            return _json_reply(200, {"reset": True})
        with service.lock:
            kept = list(service.journal)
        return _json_reply(200, {"total": server.calls(), "dropped": server.calls() - len(kept),
                                 "calls": [call.to_dict() for call in kept]})


#: Endpoints whose sockets this process holds (a forked child closes its copies).
_live: weakref.WeakSet[Endpoint] = weakref.WeakSet()



def url_of(host: str, port: int) -> str:
    """The URL clients use for an endpoint listening on ``host``:``port`` (a wildcard address
    is reached through loopback)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

class Endpoint:
    """Serve ``service`` over HTTP on ``host:port`` (port 0: a free one) to requests signed
    with ``credentials``."""

    def __init__(self, service: Service, credentials: Credentials,
                 host: str = "127.0.0.1", port: int = 0,
                 idle_timeout: float = IDLE_TIMEOUT,
                 refusal: others.Refusal = others.standalone_refusal,
                 journal_limit: int | None = None,
                 request_timeout: float = REQUEST_TIMEOUT) -> None:
        self.service = service
        #: Keep only the newest this many calls in the journal (None: all); ``dropped`` counts
        #: the others (a long-running ``serve``).
        self.journal_limit = journal_limit
        self.dropped = 0
        #: The words of a refusal of a request nothing here answers (``others.answer``).
        self.refusal = refusal
        self.credentials = credentials
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout
        self._socket: socket.socket | None = None
        self._wake: tuple[socket.socket, socket.socket] | None = None
        self._acceptor: threading.Thread | None = None
        self._lock = threading.Lock()
        self._connections: dict[socket.socket, threading.Thread] = {}
        #: What each connection is doing, and since when (monotonic): see ``mark``.
        self._activity: dict[socket.socket, tuple[str, float]] = {}
        self.request_timeout = request_timeout

    @property
    def url(self) -> str:
        return url_of(self.host, self.port)

    def names(self) -> tuple[str, ...]:
        """The Host header values this endpoint answers to: its own address and loopback's
        names, with its port."""
        port = self.port
        own = urlsplit(self.url).netloc
        return tuple(dict.fromkeys((own, f"127.0.0.1:{port}", f"localhost:{port}",
                                    f"[::1]:{port}")))

    def answers_to(self, host: str | None) -> bool:
        """True for a Host header that names this endpoint. CHOICE: listening on every address
        (``0.0.0.0``, ``::``), whatever name other machines reach it by is accepted; a request
        without a Host header (HTTP/1.0) is answered: a browser, the one client DNS rebinding
        drives, always sends one."""
        if host is None or self.host in ("", "0.0.0.0", "::"):
            return True
        return host.strip().lower() in self.names()

    def calls(self) -> int:
        """Every call answered since the start (or the last reset), dropped ones included."""
        return self.dropped + len(self.service.journal)

    def trim(self) -> None:
        """Drop the oldest calls beyond ``journal_limit`` (counted in ``dropped``)."""
        limit = self.journal_limit
        if limit is None:
            return
        service = self.service
        with service.lock:
            extra = len(service.journal) - limit
            if extra > 0:
                del service.journal[:extra]
                self.dropped += extra

    @property
    def access(self) -> EndpointAccess:
        return EndpointAccess(self.url, self.credentials)

    @property
    def running(self) -> bool:
        return self._acceptor is not None

    def start(self) -> Endpoint:
        listening = socket.create_server((self.host, self.port), backlog=128,
                                        family=socket.AF_INET6 if ":" in self.host
                                        else socket.AF_INET)
        self.port = listening.getsockname()[1]
        self._socket = listening
        self._wake = socket.socketpair()
        self._acceptor = threading.Thread(target=self._accept, name=f"sm-experiments-endpoint-"
                                          f"{self.port}", daemon=True)
        _live.add(self)
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop accepting, close every connection, free the port; returns when done."""
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is None:
            return
        assert self._wake is not None
        assert self._socket is not None
        self._wake[1].send(b"x")
        acceptor.join()
        self._socket.close()
        for end in self._wake:
            end.close()
        with self._lock:
            connections = list(self._connections.items())
        for connection, _ in connections:
            with contextlib.suppress(OSError):  # wakes a thread blocked on a read
                connection.shutdown(socket.SHUT_RDWR)
        for _, thread in connections:
            thread.join(timeout=5)
        _live.discard(self)

    def abandon(self) -> None:
        """In a forked child: close this process's copies of the parent's sockets (without
        shutting the connections down: they are the parent's). The child never serves with
        this endpoint again (``stop()`` returns at once: no acceptor)."""
        self._acceptor = None
        for sock in (self._socket, *(self._wake or ()), *self._connections):
            if sock is not None:
                # Not close(): a connection's socket is still referenced by its handler's
                # reader and writer, and close() would leave the descriptor open until they go.
                # (A socket stop() already closed has none: -1, EBADF.)
                with contextlib.suppress(OSError):
                    os.close(sock.detach())

    def _accept(self) -> None:
        assert self._socket is not None
        assert self._wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._socket, selectors.EVENT_READ)
            selector.register(self._wake[0], selectors.EVENT_READ)
            while True:
                ready = {key.fileobj for key, _ in selector.select()}
                if self._wake[0] in ready:  # stop(): the wake-up byte stays readable
                    return
                try:
                    connection, address = self._socket.accept()
                except OSError:
                    continue
                self._admit(connection, address)

    def mark(self, connection: socket.socket, state: str) -> None:
        """``connection`` is now idle, reading a request, or serving one."""
        with self._lock:
            if connection in self._connections:
                self._activity[connection] = (state, time.monotonic())

    def _evict(self) -> bool:
        """With the lock held, at capacity: close the connection idle the longest, else one
        whose request has been arriving for longer than ``request_timeout``. True if one was
        closed (its place is free at once)."""
        now = time.monotonic()
        idle = [(since, sock) for sock, (state, since) in self._activity.items()
                if state == _IDLE]
        slow = [(since, sock) for sock, (state, since) in self._activity.items()
                if state == _READING and now - since > self.request_timeout]
        candidates = idle or slow
        if not candidates:
            return False
        _, victim = min(candidates, key=lambda item: item[0])
        self._connections.pop(victim, None)
        self._activity.pop(victim, None)
        with contextlib.suppress(OSError):  # its thread's read ends; the thread cleans up
            victim.shutdown(socket.SHUT_RDWR)
        return True

    def _admit(self, connection: socket.socket, address: Any) -> None:
        with self._lock:
            if len(self._connections) >= MAX_CONNECTIONS and not self._evict():
                full = True
            else:
                full = False
                thread = threading.Thread(target=self._serve, args=(connection, address),
                                          name=f"sm-experiments-connection-{address}",
                                          daemon=True)
                self._connections[connection] = thread
        if full:
            error = AWSError("Too many connections to the mock at once; retry.",
                             code="ServiceUnavailable", status=503)
            with contextlib.suppress(OSError):
                connection.sendall(render(*encode_error("rest-json", error, request_id()),
                                          close=True))
            connection.close()
            return
        thread.start()

    def _serve(self, connection: socket.socket, address: Any) -> None:
        try:
            _Connection(connection, address, self)  # type: ignore[arg-type]
        except Exception:  # the client went away mid-request: nothing to answer
            log.debug("connection from %s ended", address, exc_info=True)
        finally:
            with self._lock:
                self._connections.pop(connection, None)
                self._activity.pop(connection, None)
            with contextlib.suppress(OSError):
                connection.close()


def _after_fork_in_child() -> None:
    for endpoint in list(_live):
        endpoint.abandon()
    _live.clear()


os.register_at_fork(after_in_child=_after_fork_in_child)
