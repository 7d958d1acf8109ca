"""Mutation testing of the package with mutmut 3, each module against the tests that cover it.

    python tools/mutation.py                      # every module in MODULE_TESTS
    python tools/mutation.py router.py wire.py    # some modules (paths under the package)
    python tools/mutation.py --named              # the hand-written mutants (NAMED_MUTANTS)
    python tools/mutation.py --list               # the module -> test files map

One mutmut run (in a scratch copy of the repository, so the working tree is never touched)
mutates the modules asked for. mutmut first runs the test files mapped to them, recording
which tests run which function; each mutant then runs against the tests that ran any code of
its module (among that module's mapped files), the quickest first (tools/mutation_order.py),
stopping at the first failure. Results are merged into MUTATION.md: counts per module, the
survivors this file lists as equivalent (with the reason), and every other survivor's diff.

A module missing from MODULE_TESTS is an error (tests/test_mutation_map.py checks it too), so a
new module is never left out silently: add it with the test files that exercise it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

TOOLS = Path(__file__).resolve().parent
ROOT = TOOLS.parent
PACKAGE = "pytest_sm_experiments"
RESULTS = ROOT / "MUTATION.md"

#: What the scratch copy needs: the package, everything the tests read, and this directory.
COPIED = ("pytest_sm_experiments", "tests", "examples", "docs", "tools", ".ci", "README.md",
          "CHANGELOG.md", "BENCHMARKS.md", "LICENSE", "pyproject.toml", "tox.ini")

_RESOURCES = ["tests/test_experiments.py", "tests/test_create_experiment.py",
              "tests/test_trials.py", "tests/test_trial_components.py",
              "tests/test_associations.py", "tests/test_tags.py", "tests/test_listing.py"]

#: Module (path under the package) -> the test files whose tests may kill its mutants.
#: Each mutant runs the tests of these files that ran any code of its module, so a surviving
#: mutant costs the time of all of them: a module maps the files that exercise it directly, and
#: the slow, broad ones (generated input, pytester sessions, the SDKs) only where they are the
#: best test of it.
MODULE_TESTS: dict[str, list[str]] = {
    # The request path.
    "router.py": ["tests/test_region.py", "tests/test_network.py", "tests/test_boundary.py",
                  "tests/test_hermetic.py", "tests/test_mock_api.py", "tests/test_async.py",
                  "tests/test_sts.py"],
    "service.py": ["tests/test_journal.py", "tests/test_faults.py", "tests/test_misuse.py",
                   "tests/test_mock_api.py", "tests/test_isolation.py", "tests/test_validation.py",
                   "tests/test_raw_requests.py", "tests/test_region.py",
                   "tests/test_subprocesses.py", "tests/test_listing.py"],
    "boundary.py": ["tests/test_boundary.py", "tests/test_hermetic.py", "tests/test_network.py",
                    "tests/sdk/test_sdk_boundary.py"],
    "http_guard.py": ["tests/test_boundary.py", "tests/test_hermetic.py",
                      "tests/sdk/test_sdk_boundary.py"],
    "_moto.py": ["tests/test_boundary.py", "tests/test_mock_api.py"],
    "backend.py": [*_RESOURCES, "tests/test_search.py", "tests/test_lineage.py",
                   "tests/test_metrics.py"],
    "validation.py": ["tests/test_validation.py", "tests/test_raw_requests.py",
                      "tests/test_create_experiment.py", "tests/test_metrics.py",
                      "tests/test_tags.py", "tests/test_search.py", "tests/test_listing.py"],
    "wire.py": ["tests/test_raw_requests.py", "tests/test_sts.py", "tests/test_validation.py",
                "tests/test_metrics.py", "tests/test_region.py", "tests/test_async.py",
                "tests/test_journal.py"],
    "recorder.py": ["tests/test_journal.py", "tests/test_mock_api.py", "tests/test_faults.py"],
    "environment.py": ["tests/test_network.py", "tests/test_isolation.py",
                       "tests/test_hermetic.py", "tests/test_boundary.py",
                       "tests/sdk/test_sdk_boundary.py"],
    "options.py": ["tests/test_misuse.py", "tests/test_plugin.py", "tests/test_mock_api.py"],
    "plugin.py": ["tests/test_plugin.py", "tests/test_misuse.py", "tests/test_readme.py",
                  "examples/test_tracking.py"],
    # Its tests put moto in or out of sys.modules themselves: a run of several modules forks
    # every mutant from a server that collected all their test files, and collecting
    # tests/test_readme.py imports moto.
    "sdk_session.py": ["tests/test_sdk_session.py", "tests/sdk/test_sdk_session_fixture.py"],
    "_botocore.py": ["tests/test_mock_api.py", "tests/test_async.py", "tests/test_isolation.py",
                     "tests/test_network.py", "tests/test_sts.py", "tests/test_boundary.py",
                     "tests/test_region.py", "tests/test_hermetic.py"],
    "operations/__init__.py": ["tests/test_docs_sync.py", "tests/test_misuse.py",
                               "tests/test_mock_api.py"],
    "operations/_common.py": [*_RESOURCES, "tests/test_validation.py", "tests/test_metrics.py"],
    "operations/experiments.py": ["tests/test_experiments.py", "tests/test_create_experiment.py",
                                  "tests/test_listing.py", "tests/test_search.py",
                                  "tests/test_evidence.py"],
    "operations/trials.py": ["tests/test_trials.py", "tests/test_listing.py",
                             "tests/test_associations.py", "tests/test_search.py",
                             "tests/test_evidence.py"],
    "operations/components.py": ["tests/test_trial_components.py", "tests/test_listing.py",
                                 "tests/test_associations.py", "tests/test_search.py",
                                 "tests/test_metrics.py", "tests/test_evidence.py"],
    "operations/associations.py": ["tests/test_associations.py", "tests/test_search.py"],
    "operations/tags.py": ["tests/test_tags.py", "tests/test_search.py"],
    "operations/metrics.py": ["tests/test_metrics.py", "tests/test_search.py",
                              "tests/test_raw_requests.py"],
    "operations/metric_queries.py": ["tests/test_metric_queries.py", "tests/test_evidence.py"],
    "operations/paging.py": ["tests/test_listing.py", "tests/test_tags.py",
                             "tests/test_search.py", "tests/test_lineage.py"],
    "operations/search.py": ["tests/test_search.py", "tests/test_evidence.py"],
    "operations/search_filters.py": ["tests/test_search.py"],
    "operations/lineage.py": ["tests/test_lineage.py", "tests/test_evidence.py"],
    "operations/sts.py": ["tests/test_sts.py", "tests/test_network.py"],
    # The HTTP front door and what other processes need to reach it. A mutant is active only
    # in the test's process (and its forks): tests/test_server.py runs the server in a child,
    # so it kills nothing here, and tests/test_subprocesses.py's children only send requests
    # to an endpoint whose every path tests/test_endpoint.py drives in-process, faster.
    "endpoint.py": ["tests/test_endpoint.py", "tests/test_endpoint_parts.py"],
    "http_wire.py": ["tests/test_endpoint.py", "tests/test_endpoint_parts.py"],
    "sigv4.py": ["tests/test_endpoint.py", "tests/test_endpoint_parts.py"],
    "remote.py": ["tests/test_endpoint_parts.py", "tests/test_subprocesses.py"],
    "peers.py": ["tests/test_endpoint_parts.py", "tests/test_endpoint.py",
                 "tests/test_subprocesses.py"],
    "children.py": ["tests/test_endpoint_parts.py", "tests/test_subprocesses.py"],
    "cli.py": ["tests/test_server.py"],
    # Off the request path.
    "mock.py": ["tests/test_mock_api.py", "tests/test_misuse.py", "tests/test_isolation.py",
                "tests/test_journal.py", "tests/test_faults.py", "tests/test_async.py",
                "tests/test_plugin.py"],
    "models.py": ["tests/test_metrics.py", "tests/test_experiments.py", "tests/test_trials.py",
                  "tests/test_trial_components.py", "tests/test_search.py", "tests/test_sts.py",
                  "tests/test_lineage.py", "tests/test_raw_requests.py"],
    "errors.py": ["tests/test_validation.py", "tests/test_misuse.py", "tests/test_experiments.py",
                  "tests/test_trials.py", "tests/test_trial_components.py",
                  "tests/test_boundary.py", "tests/test_faults.py", "tests/test_search.py"],
}

#: Modules with nothing to mutate (re-exports, the version string, `python -m`'s two lines).
NOT_MUTATED = ("__init__.py", "_version.py", "__main__.py")

#: The modules off the request path; the issue's target (90% killed) applies to all others.
OFF_THE_REQUEST_PATH = ("mock.py", "models.py", "errors.py", "sdk_session.py")
TARGET = 90.0


@dataclass(frozen=True)
class Equivalent:
    """Surviving mutants that no test can kill: the code behaves the same with the change.

    Matched on the module, the function and the changed line as the code has it (not on
    mutmut's numbering, which moves whenever the function is edited): every surviving mutation
    of that line is equivalent, for the reason given. ``line=None`` covers every line of the
    function (for a function that only makes an answer faster).
    """

    module: str
    function: str
    line: str | None
    reason: str


_ARN_SPLIT = ("an ARN of the pattern has exactly five colons before its resource, and a name "
              "no '/' (the model's name pattern): every split finds the same parts")
_RANGE = ("list_page applies CreatedAfter/CreatedBefore to every record again: this only moves "
          "where the walk over the sorted index starts or stops")
_ANY_CASE = ("both callers pass headers that look names up in any letter case "
             "(http_wire.HeaderMap; on admin routes http.server's email.message.Message)")
_DEFAULT_STATUS = "AWSError's status is 400 unless given: status=None or none at all keeps it"
_PROC_TEXT = ("the kernel writes these files in ASCII, which every locale's codec reads alike "
              "(codec names are case-insensitive)")
_AIO_BY_FRAME = ("without the request context the emitter's frame gives the same answer "
                 "(the way older botocore, with no context, is told apart)")
_FAST_PATH = ("an optimization: the general path (every record's document through the "
              "predicate) gives the same answer, only slower")

#: Survivors that behave exactly as the original, each with why.
EQUIVALENTS: tuple[Equivalent, ...] = (
    Equivalent("_moto.py", "stubber", 'found = getattr(module, "botocore_stubber", None)',
               "moto.core.models always defines botocore_stubber (the default is for a moto "
               "without it)"),
    Equivalent("_moto.py", "stubber",
               'return found if getattr(found, "enabled", False) else None',
               "moto's stubber always has `enabled` (the default is for a moto without it)"),
    Equivalent("_moto.py", "answer", 'body = body.encode("utf-8")',
               "codec names are case-insensitive"),
    Equivalent("validation.py", "_structure_checker", "found = members.get(name)",
               "a memo over the compiler's cache: the member looked up again is the same (path, "
               "checker)"),
    *(Equivalent("validation.py", "_Compiler.checker_for", line,
                 "a cache: a shape compiled again checks alike (members compile lazily, so "
                 "recursive shapes still terminate)")
      for line in ("found = self._cache.get(key)", "self._cache[key] = found")),
    Equivalent("validation.py", "_translate_class",
               "alternative = _CATEGORY_ALTERNATIVES.get(frozenset(categories))",
               "a fast path: _category_ranges builds the class from unicodedata, and the table's "
               "classes match the same code points (the suite checks every one)"),
    Equivalent("operations/_common.py", "strip_arn",
               'return name_or_arn.rpartition("/")[2]', _ARN_SPLIT),
    Equivalent("operations/tags.py", "resolve", 'parts = arn.split(":", 5)', _ARN_SPLIT),
    Equivalent("operations/tags.py", "resolve",
               'resource_type, _, name = parts[5].partition("/")', _ARN_SPLIT),
    Equivalent("operations/lineage.py", "_split", 'parts = arn.split(":", 5)', _ARN_SPLIT),
    Equivalent("operations/lineage.py", "_split",
               'resource_type, _, name = parts[5].partition("/")', _ARN_SPLIT),
    Equivalent("operations/metric_queries.py", "_component", 'parts = arn.split(":", 5)',
               _ARN_SPLIT),
    Equivalent("operations/metric_queries.py", "_component",
               'resource_type, _, name = parts[5].partition("/")', _ARN_SPLIT),
    Equivalent("operations/metric_queries.py", "_answer",
               'groups[x] = MetricSummary.first(query["MetricName"], value, when) if found is '
               'None \\', "a group's summary is read for its statistic only, never its name"),
    *(Equivalent("operations/paging.py", "_time_keys", line, _RANGE) for line in (
        "if before is not None and (position is None or (before,) < position):",
        "position = (before,)",
        "if after is not None and entry[0] <= after:",
        "if after is not None and (position is None or (after, math.inf) > position):",
        "position = (after, math.inf)",
        "if before is not None and entry[0] >= before:",
    )),
    Equivalent("backend.py", "Backend.__init__", "self._counter = itertools.count(1)",
               "creation sequence numbers are only compared and hashed, never shown: any start "
               "keeps their order and uniqueness (artifact ids stay unique and repeatable)"),
    Equivalent("backend.py", "Collection.add",
               'raise KeyError(f"{record.name!r} is already stored")',
               "the message of a guard no request reaches: every create answers a taken name "
               "with AWS's error before adding"),
    Equivalent("backend.py", "SortedIndex.add", "if len(block) > 2 * self.LOAD:",
               "the block size only tunes speed: any split point keeps every item in order"),
    Equivalent("backend.py", "_link", "relation.setdefault(key, {})[member] = None",
               "dicts used as ordered sets: their values are never read"),
    Equivalent("backend.py", "SortedIndex.ascending", "start = 0",
               "block[None:] and block[0:] are the same slice"),
    Equivalent("backend.py", "Collection._index_tags", "if new.get(pair[0]) != pair[1]:",
               "unlinking a tag that stays and linking it again only moves the record within "
               "that tag's holders, and every Search sorts its matches (then by creation order); "
               "a stale tag is caught by test_search.py's deleted-tag tests"),
    Equivalent("operations/lineage.py", "_split",
               'if len(parts) != 6 or parts[2] != "sagemaker" or (parts[3], parts[4]) != (',
               "every ARN that reaches it passed the model's pattern (six parts, sagemaker): "
               "only the account and region can differ"),
    Equivalent("operations/lineage.py", "create_artifact", "artifact_id = _new_id(ctx, uri)",
               "the id stays unique and repeatable without the SourceUri in its seed (the "
               "creation sequence is unique)"),
    Equivalent("operations/lineage.py", "list_associations",
               'key_of = _SORT_KEYS.get(params.get("SortBy", ""))  '
               "# CreationTime: no key of its own",
               "the default only stands for a SortBy not sent, and no default names a sort key "
               "(the keys are the model's SortBy values)"),
    Equivalent("operations/lineage.py", "list_associations", 'source_arn = filters["SourceArn"]',
               "only narrows which associations are looked at: _matches checks SourceArn on "
               "each again"),
    Equivalent("operations/lineage.py", "list_associations",
               'destination_arn = filters["DestinationArn"]',
               "only narrows which associations are looked at: _matches checks DestinationArn "
               "on each again"),
    Equivalent("operations/search_filters.py", "_test", 'if property_type == "text":',
               "the parameter path that follows tests text values the same way (a number "
               "target never matches a text value)"),
    Equivalent("models.py", "MetricSummary.add",
               "if scale != self.scale and self.scale > 0.0:",
               "rescaling by an unchanged scale multiplies by exactly 1.0, and while the scale "
               "is 0 (every value so far 0) mean and M2 are exactly 0: only a new, larger "
               "scale after a non-zero one changes them"),
    Equivalent("errors.py", "AWSError.__init__", "super().__init__(message)",
               "an AWSError never reaches a user as a Python exception: its message attribute "
               "is what the wire carries"),
    Equivalent("operations/search.py", "_matches",
               "if _index_answers(expression) and sort_by in _RECORD_TIMES:", _FAST_PATH),
    Equivalent("operations/search.py", "_matches",
               "for record in _candidates(resource, state, expression):",
               "without the expression every record is a candidate; the predicate still "
               "decides"),
    Equivalent("operations/search.py", "search",
               "else _matches(resource, state, expression, predicate, sort_by, sort_key,",
               "expression and sort_by only choose the fast path or narrow the candidates "
               "there; the predicate and sort key decide the answer"),
    Equivalent("operations/search.py", "_index_answers", None, _FAST_PATH),
    Equivalent("operations/search.py", "_candidates", None,
               "it only narrows the records the predicate sees: a mutant that narrows less "
               "gives the same answer (one that narrows wrongly is killed)"),
    *(Equivalent("operations/search_filters.py", "parse_time", line,
                 "on Python 3.11+ datetime.fromisoformat reads a trailing Z itself (the "
                 "replacement is for 3.10; the mutation runs use 3.11)")
      for line in ('if text.endswith(("Z", "z")):', 'text = text[:-1] + "+00:00"')),
    *(Equivalent("sigv4.py", "verify", line, _ANY_CASE) for line in (
        'authorization = headers.get("Authorization")',
        'token = headers.get("X-Amz-Security-Token")',
        'timestamp = headers.get("X-Amz-Date")',
        'sent = headers.get("X-Amz-Content-SHA256")',
    )),
    Equivalent("remote.py", "forward", 'url = listener.url.rstrip("/")',
               "a '/' left at the end of the URL only doubles the '/' starting the signed path, "
               "which botocore's signer collapses (remove_dot_segments); the connection takes "
               "only the URL's host and port"),
    Equivalent("remote.py", "forward", '{**request.headers, "Host": netloc}, data, region,',
               "a forked child forwards to its mock's endpoint, http://127.0.0.1:<port> "
               "(mock._start_endpoint): without it http.client sends, and botocore signs, that "
               "same Host (they differ only for a host name in mixed case); header names are "
               "case-insensitive"),
    Equivalent("cli.py", "_parser",
               "serve.add_argument(flag, dest=name, default=None, help=help_text)",
               "argparse's own dest for each flag is its option's name (--account-id -> "
               "account_id), and its own default is None"),
    Equivalent("http_wire.py", "HeaderMap.get", "return super().get(name.lower(), failobj)",
               "failobj is typed None, as in email.message.Message's signature: passing it on, "
               "None or nothing is the same lookup"),
    Equivalent("http_wire.py", "target_of", 'prefix, _, operation = amz_target.partition(".")',
               "sagemaker, the one JSON 1.1 service, has a prefix without a dot and operations "
               "without one: a target with two dots names nothing served either way, for the "
               "same service"),
    Equivalent("http_wire.py", "target_of",
               'return Target("json", tables.by_protocol["json"], None, amz_target)',
               "for a prefix no service has, only unknown_operation reads the protocol, and it "
               "answers alike for any but query and rest-json: no prefix to strip matches"),
    *(Equivalent("http_wire.py", "unknown_operation", line, _DEFAULT_STATUS) for line in (
        'return AWSError("The request has no Action.", code="MissingAction", status=400)',
        'return AWSError(message, code="InvalidAction", status=400)',
    )),
    *(Equivalent("peers.py", function, line, _PROC_TEXT) for function, line in (
        ("socket_inode", 'with open(f"{proc}/net/{table}", encoding="ascii") as lines:'),
        ("_children",
         'with open(f"{proc}/{pid}/task/{task}/children", encoding="ascii") as file:'),
    )),
    Equivalent("peers.py", "peer_pid",
               "return owner_of(inode, proc) if inode is not None else None",
               "an optimization: without an inode owner_of looks for a descriptor linked to "
               "'socket:[None]', which the kernel never makes: None either way, only slower"),
    Equivalent("endpoint.py", "render", 'return head.encode("latin-1", "replace") + body',
               "codec names are case-insensitive"),
    Equivalent("endpoint.py", "_Connection._serve",
               'self._send(*self._admin(path[len(ADMIN_PREFIX):].split("?", 1)[0], body))',
               "the route is the part before the first '?' however many splits follow it"),
    Equivalent("endpoint.py", "Endpoint.stop", 'self._wake[1].send(b"x")',
               "any bytes make the wake-up socket readable, which is all the acceptor waits "
               "for"),
    Equivalent("endpoint.py", "_Connection.handle_one_request",
               'code="InternalFailure", status=500), request_id()), close=True)',
               "AWSError's code is InternalFailure unless given: code=None or none at all "
               "keeps it"),
    *(Equivalent("endpoint.py", "_Connection._read_body", line,
                 "self.headers is http.server's email.message.Message, whose 'in' and "
                 "get_all() match header names in any letter case") for line in (
        'if "Transfer-Encoding" in headers:',
        'lengths = headers.get_all("Content-Length") or []',
    )),
    *(Equivalent("endpoint.py", "_Connection._read_body", line, _DEFAULT_STATUS) for line in (
        'code="BadRequest", status=400)',
        'code="IncompleteBody", status=400)',
    )),
    Equivalent("endpoint.py", "_Connection._read_body",
               'body = self.rfile.read(length) if length else b""',
               "rfile is a BufferedReader (StreamRequestHandler.rbufsize -1), whose read(0) "
               "returns b'' without reading the socket"),
    Equivalent("endpoint.py", "Endpoint.__init__",
               "self._wake: tuple[socket.socket, socket.socket] | None = None",
               "before start() assigns it, it is read only as 'self._wake or ()' (abandon): "
               "'' is as falsy as None; stop() and _accept() read it only after start()"),
    *(Equivalent("endpoint.py", "Endpoint.start", line,
                 "the listen backlog only bounds connections not yet accepted, which the "
                 "acceptor takes at once (and None or no backlog is Python's default, "
                 "min(SOMAXCONN, 128))") for line in (
        "listener = socket.create_server((self.host, self.port), backlog=128,",
        "listener = socket.create_server((self.host, self.port), backlog=128, / "
        'family=socket.AF_INET6 if ":" in self.host',
    )),
    Equivalent("endpoint.py", "Endpoint.stop", "thread.join(timeout=5)",
               "the timeout only bounds the wait for a connection thread, which ends as soon "
               "as stop() shuts its socket down; only one held in the service for over 5 s "
               "(a wait no test makes) would tell 5, 6 and None apart"),
    Equivalent("sdk_session.py", "shared_session", "session._default_bucket = None",
               "the SDK's Session reads _default_bucket only for its truth (default_bucket(), "
               "_get_account_id_if_default_bucket): '' is as unresolved as None"),
    Equivalent("sdk_session.py", "shared_session", "session._default_bucket_set_by_sdk = False",
               "the SDK reads it for its truth only, and only once _default_bucket is set "
               "(reset on the line before): default_bucket() sets both, the flag to True, "
               "whenever the Session has no default-bucket override, and the fixture's never "
               "has one (built without default_bucket, SDK_CONFIG names none)"),
    Equivalent("wire.py", "_default", 'raise TypeError(f"cannot encode {type(value).__name__}")',
               "responses hold JSON values and datetimes only: no request reaches the guard"),
    Equivalent("wire.py", "_escape", "return html.escape(text, quote=False)",
               "quote=None is falsy like False; with quotes escaped too (&quot;, &#x27;) every "
               "XML parser reads the same text back"),
    Equivalent("wire.py", "decode",
               'text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body',
               "codec names are case-insensitive: \"UTF-8\" is \"utf-8\""),
    Equivalent("wire.py", "decode",
               "params = _decode_json(body.decode()) if isinstance(body, bytes) else "
               "json.loads(body)",
               "an optimization: json.loads reads bytes that are UTF-8 alike (its own encoding "
               "detection), and is the fallback for any other bytes anyway"),
    Equivalent("plugin.py", "_InstallAfterImport.find_spec",
               "if spec is not None and spec.loader is not None:",
               "botocore.session always has a spec and a loader (botocore is a dependency): "
               "`or` decides alike (the other mutations of the line are CHECKED_KILLS)"),
    Equivalent("plugin.py", "_InstallingLoader.create_module",
               "return self._loader.create_module(spec)  # type: ignore[no-any-return]",
               "botocore's modules load from source, whose loader creates no module of its own "
               "(None, the default) whatever the spec"),
    Equivalent("plugin.py", "pytest_addoption",
               'parser.addini(f"sm_experiments_{name}", help_text, default=None)',
               "without a default pytest gives '' for an unset string option, which the plugin "
               "skips as it skips None (the help text is checked by test_plugin.py)"),
    Equivalent("_botocore.py", "install_builtin_handlers",
               "if _installed and all(index < len(handlers) and handlers[index] is spec",
               "a quick check that the router's specs are where they were found: when it fails, "
               "the search below finds or puts them again (its `or` mutation is killed in a "
               "fresh process)"),
    Equivalent("_botocore.py", "attach",
               'events.register_first(event, handler, unique_id=f"{_UNIQUE_ID}-{event}")',
               "a client attached twice then carries the router twice: the first before-send "
               "answer ends botocore's emit, and the signing hooks decide alike twice"),
    Equivalent("_botocore.py", "install_transport_guard",
               "_wrap_send(botocore.endpoint.Endpoint, guard, aio=False)",
               "aio=None is falsy like False (the other mutations are killed in a fresh "
               "process)"),
    Equivalent("_botocore.py", "_wrap_send",
               "if original is None or getattr(original, _GUARD_MARK, False):",
               "a missing mark read as None is falsy like False (the other mutations are "
               "killed in a fresh process)"),
    Equivalent("_botocore.py", "aws_url",
               'domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"',
               "host names are case-insensitive: urllib3 lowercases them before it connects "
               "(the line's other mutations are killed)"),
    Equivalent("_botocore.py", "_wrap_send", "response = guard(self, request, False)",
               "the sync wrapper's aio=None is falsy like False (the line's other mutations "
               "are killed in a fresh process)"),
    Equivalent("_botocore.py", "_wrap_send", "send.__wrapped__ = original",
               "read by no code here, in botocore or aiobotocore: it is for a reader's "
               "inspect.unwrap"),
    Equivalent("_botocore.py", "make_response",
               "response = AioAWSResponse(url, status, headers, _RawHeaders(headers, body, url))",
               "aiobotocore reads neither the response's url nor the raw one's on the way to "
               "the parsed answer (it logs the url of a retried response: none is retried)"),
    Equivalent("_botocore.py", "make_response", "return cast(AWSResponse, response)",
               "typing.cast returns its value unchanged whatever the type"),
    *(Equivalent("_botocore.py", "_RawHeaders.__init__", line,
                 "raw_headers and url are read by older aiobotocore only: the installed one "
                 "takes the headers from the response object")
      for line in ("self.raw_headers = tuple((str(key).encode(), str(value).encode())",
                   "self.raw_headers = tuple((str(key).encode(), str(value).encode()) / "
                   "for key, value in headers.items())",
                   "self.url = url")),
    Equivalent("_botocore.py", "static_access_key",
               'credentials = getattr(request_signer, "_credentials", None)',
               "every botocore (and aiobotocore) RequestSigner has _credentials: the default is "
               "never read"),
    Equivalent("_botocore.py", "is_aio_request", 'context = getattr(request, "context", None)',
               _AIO_BY_FRAME),
    Equivalent("_botocore.py", "is_aio_request", 'if context and "client_config" in context:',
               _AIO_BY_FRAME),
    Equivalent("_botocore.py", "_called_from_coroutine",
               "frame: FrameType | None = sys._getframe(1)",
               "the walk up the stack skips every frame that is not botocore's or "
               "aiobotocore's: starting one frame higher finds the same emitter"),
    Equivalent("_botocore.py", "_called_from_coroutine",
               'while frame is not None and not frame.f_globals.get("__name__", "").startswith('
               "_EMITTERS):",
               "every frame's module globals hold __name__: the default is never read"),
    Equivalent("service.py", "route", "found = _routes.get(key)",
               "a cache: a route built again is an equal Route"),
    Equivalent("service.py", "route",
               "raise UnsupportedOperationError(service, operation, supported())",
               "both callers ask first whether the operation is served (router._event, "
               "http_wire.check before the endpoint's lookup): no request reaches it"),
    Equivalent("service.py", "route", 'shape = (None if protocol == "query"',
               "GetCallerIdentity, the one query operation served, has an input without "
               "members, and members a shape does not have are ignored"),
    Equivalent("service.py", "route", "Validator(service, shape))",
               "the service name only picks a compiler cache; a shape compiles the same in any"),
    Equivalent("service.py", "remove", "for index in range(len(RUNNING) - 1, -1, -1):",
               "index -1 is the last entry again, the first one the loop looked at"),
    Equivalent("service.py", "Service._take_fault", "fault.used += 1",
               "only used == 0 is ever read (unused_injected_errors)"),
    Equivalent("router.py", "_event", "found = _events.get(event_name)",
               "a memo: an event name looked up again is split and routed to the same tuple"),
    Equivalent("router.py", "_event", 'service, _, operation = rest.partition(".")',
               "botocore's hook events are <event>.<service id>.<Operation>, and neither a "
               "hyphenized service id nor an operation name has a dot: rest has exactly one"),
    Equivalent("router.py", "before_send", "_botocore.is_aio_request(request))",
               "without the request is_aio_request falls back to who emitted before-send "
               "(aiobotocore's emitter is a coroutine, botocore's is not): the same answer for "
               "every client"),
    Equivalent("router.py", "before_sign",
               "if not RUNNING or signature_version is _botocore.UNSIGNED or request_signer is "
               "None:",
               "botocore emits before-sign only from RequestSigner.sign with "
               "request_signer=self (never None), and it adds no auth to an UNSIGNED request "
               "whatever credentials boundary.sign puts in its context"),
    Equivalent("router.py", "ensure_guards", "_modules_seen = len(sys.modules)",
               "with it unset every request runs ensure_guards, which is idempotent (each "
               "class and function wrapped once): only slower"),
    Equivalent("router.py", "region_from_url",
               'host = url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]',
               "[0] of a split is the text before the first separator whatever the maxsplit "
               "(1, 2 or none); the other mutations of the line are killed"),
    Equivalent("router.py", "region_from_url", "region = None",
               "its only caller (before_send) falls back to the mock's region on '' as on None "
               "(both falsy), and a cached '' is read back the same way"),
    Equivalent("router.py", "region_from_url", "if len(_url_regions) < 1024:",
               "a cache bound: one entry more or less changes only how many URLs are "
               "remembered, never a region"),
)

@dataclass(frozen=True)
class NamedMutant:
    """A bug written by hand (issue 12 lists these): ``edits`` are (module, old, new) text
    replacements; the suite must fail on it. mutmut cannot generate some of them (module-level
    tables, decorated functions, changes over several lines or modules)."""

    description: str
    edits: tuple[tuple[str, str, str], ...]
    #: Apply each edit from the definition of this function on (a line can repeat in a module).
    within: str | None = None
    #: The tests to run; by default the first edited module's test files.
    tests: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckedKill:
    """A survivor of mutmut's run that ``test`` kills where the run cannot see it: in a Python
    process of its own (``python -c`` imports the package as installed, not the mutant), or in
    a test file not mapped to the module (one too slow to run for each of its mutants). It
    counts as killed; ``--named`` applies the change by hand and checks that ``test`` fails."""

    module: str
    function: str
    removed: str
    added: str
    test: str
    where: str = "in a fresh process"

    def named(self) -> NamedMutant:
        return NamedMutant(
            f"`{self.module}` `{self.function}`: `{self.removed}` -> `{self.added}`",
            ((self.module, self.removed, self.added),),
            within=self.function.rpartition(".")[2], tests=(self.test,))


NAMED_MUTANTS: tuple[NamedMutant, ...] = (
    NamedMutant("choose-signer answers UNSIGNED with no mock running", (
        ("router.py", '    """``choose-signer``: requests the mock answers are never signed."""\n'
         "    if not RUNNING:\n        return None\n",
         '    """``choose-signer``: requests the mock answers are never signed."""\n'),)),
    # The shell's AWS_* variables are all set aside while a mock runs, so the token stays only
    # when it is both kept from that and not replaced by the fake one.
    NamedMutant("a real AWS_SESSION_TOKEN stays in the environment while a mock runs", (
        ("environment.py", '_KEEP = frozenset({"AWS_CA_BUNDLE"})',
         '_KEEP = frozenset({"AWS_CA_BUNDLE", "AWS_SESSION_TOKEN"})'),
        ("environment.py", '    "AWS_SESSION_TOKEN": FAKE_SESSION_TOKEN,\n', ""))),
    NamedMutant("assert_called_once passes when the operation was never called", (
        ("recorder.py", "        return self.one(operation, **params)\n",
         "        return self.one(operation, **params) if self.filter(operation, **params) "
         "else None  # type: ignore[return-value]\n"),)),
    NamedMutant("calls.one() returns the first of several matches", (
        ("recorder.py", "        if len(found) != 1:\n            raise AssertionError(\n"
         "                f\"expected exactly one",
         "        if not found:\n            raise AssertionError(\n"
         "                f\"expected exactly one"),)),
    NamedMutant("filter(X=None) matches calls that never sent X", (
        ("recorder.py", "return all(key in own and own[key] == value",
         "return all(own.get(key) == value"),)),
    NamedMutant("CreateTrial stores the trial before its tag quota check fails", (
        ("operations/trials.py", "    state.add_trial(record)\n",
         "    state.add_trial(record)\n"
         '    ctx.check_quota("tags_per_resource", len(record.tags))\n'),
        ("operations/_common.py", '    ctx.check_quota("tags_per_resource", len(tags))\n',
         '    if resource_type != "experiment-trial":\n'
         '        ctx.check_quota("tags_per_resource", len(tags))\n'))),
    NamedMutant("a metric whose first value is 0 gets a wrong running mean", (
        ("models.py", "(-1.0 if value < 0 else 0.0)", "(-1.0 if value < 0 else 1.0)"),)),
    NamedMutant("Search on Metrics.<name>.StdDev reads the average", (
        ("operations/search.py", "for stat, value in summary.statistics().items():",
         'for stat, value in {**summary.statistics(), "StdDev": summary.avg}.items():'),)),
    NamedMutant("a NextToken is accepted with another CreatedBefore", (
        ("operations/paging.py", "shape = [by_name, descending, after, before, [",
         "shape = [by_name, descending, after, None, ["),)),
    NamedMutant("MaxResults=100 (the documented maximum) is refused", (
        ("validation.py", "elif high is not None and value > high:",
         "elif high is not None and value >= high:"),)),
    NamedMutant("a required member sent as JSON null passes validation", (
        ("validation.py", "if value.get(name) is None:", "if name not in value:"),)),
    NamedMutant("a quota of 0 is refused", (
        ("options.py", "or not isinstance(value, int) or value < 0:",
         "or not isinstance(value, int) or value < 1:"),)),
    NamedMutant("a 13-digit account id is accepted", (
        ("options.py", "_ACCOUNT.fullmatch(account_id)", "_ACCOUNT.match(account_id)"),)),
    NamedMutant("a partly used injected error is reported as unused at teardown", (
        ("mock.py", "if injected.used == 0]", "if injected.remaining > 0]"),)),
    NamedMutant("the marker starts the mock after the test's other fixtures", (
        ("plugin.py", "@pytest.fixture(autouse=True)\ndef _sm_experiments_marker",
         "def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:\n"
         "    for item in items:\n"
         "        if item.get_closest_marker(MARKER) is not None:\n"
         "            item.fixturenames.append(\"_sm_experiments_marker\")  # type: ignore\n\n\n"
         "@pytest.fixture\ndef _sm_experiments_marker"),)),
)


_BYTE_FOR_BYTE = "tests/test_endpoint.py::test_answers_are_written_as_aws_writes_them_byte_for_byte"
_OVER_HTTP = "over HTTP, in tests/test_endpoint.py"
_REQUEST_ID_HEADER = (
    'headers = {"x-amzn-RequestId": request_id, "Content-Type": _CONTENT_TYPES[protocol]}')
_NO_BOTOCORE_AT_START = (
    "tests/test_packaging.py::test_importing_the_package_or_loading_the_plugin_imports_no_botocore")
_CLIENT_BEFORE_ANY_MOCK = (
    "tests/test_plugin.py::test_a_client_made_before_any_mock_is_served_unsigned")
_SPEC_CHECK = "if spec is not None and spec.loader is not None:"
_GUARDED_MID_MOCK = "tests/test_boundary.py::test_modules_imported_while_a_mock_runs_are_guarded"

#: The tests a fresh process runs them with: each starts Python (or pytest) anew.
_FRESH_PROCESS_TESTS = (
    "tests/test_boundary.py::"
    "test_sessions_made_before_the_plugin_loaded_are_refused_or_answered_by_moto",
    "tests/test_boundary.py::test_the_transport_guard_is_put_in_once_however_many_mocks_start",
    "tests/test_boundary.py::test_what_the_mock_leaves_goes_out_to_the_aws_host_not_to_the_endpoint",
    "tests/test_isolation.py::test_stopped_mock_leaves_a_fresh_process_as_it_found_it",
    "tests/test_isolation.py::test_a_mock_start_puts_back_router_hooks_taken_out_of_botocore",
    "tests/test_boundary.py::test_modules_imported_while_a_mock_runs_are_guarded",
    "tests/test_plugin.py::test_a_client_made_before_any_mock_is_served_unsigned",
    "tests/test_hermetic.py::"
    "test_no_request_carries_a_real_key_even_from_clients_made_before_the_mock",
    "tests/test_async.py::test_an_aio_request_allowed_out_reaches_the_transport",
)

#: Functions whose work is done once per process, at import or at the first install: in
#: mutmut's workers that happened before any mutant was chosen. Their survivors are run again,
#: each in a pytest process of its own that imports the mutated package (as ``--named`` runs a
#: hand-written mutant), against these tests.
ONCE_PER_PROCESS: dict[tuple[str, str], tuple[str, ...]] = {
    ("_botocore.py", function): _FRESH_PROCESS_TESTS for function in (
        "install_builtin_handlers", "install_transport_guard", "_wrap_send",
        "_supports_request_credentials")}

#: Survivors of mutmut's run that a named test kills (checked by ``--named``).
CHECKED_KILLS: tuple[CheckedKill, ...] = (
    # Installed once per process: in mutmut's workers the plugin did it before any mutant ran.
    CheckedKill("router.py", "install", "_botocore.install_builtin_handlers(HANDLERS)",
                "_botocore.install_builtin_handlers(None)", _GUARDED_MID_MOCK),
    CheckedKill("router.py", "ensure_guards",
                "_botocore.install_transport_guard(boundary.at_transport)",
                "_botocore.install_transport_guard(None)", _GUARDED_MID_MOCK),
    # The test's process imported every guarded module long before; a fresh one has not.
    CheckedKill("router.py", "before_send", "if len(sys.modules) != _modules_seen:",
                "if len(sys.modules) == _modules_seen:", _GUARDED_MID_MOCK),
    # Header names as they travel: botocore lowercases them; only the bytes on the wire show it.
    *(CheckedKill("wire.py", function, removed, added, _BYTE_FOR_BYTE, _OVER_HTTP)
      for function, removed, added in (
          ("encode_success", _REQUEST_ID_HEADER, _REQUEST_ID_HEADER.replace(
              "x-amzn-RequestId", "x-amzn-requestid")),
          ("encode_success", _REQUEST_ID_HEADER, _REQUEST_ID_HEADER.replace(
              "x-amzn-RequestId", "X-AMZN-REQUESTID")),
          ("encode_error", '"x-amzn-RequestId": request_id,', '"x-amzn-requestid": request_id,'),
          ("encode_error", '"x-amzn-RequestId": request_id,', '"X-AMZN-REQUESTID": request_id,'),
          ("encode_error", '"x-amzn-ErrorType": error.code,',
           '"XXx-amzn-ErrorTypeXX": error.code,'),
          ("encode_error", '"x-amzn-ErrorType": error.code,', '"x-amzn-errortype": error.code,'),
          ("encode_error", '"x-amzn-ErrorType": error.code,', '"X-AMZN-ERRORTYPE": error.code,'),
      )),
    # The plugin's import hook runs once, when botocore is first imported: in a fresh process.
    CheckedKill("plugin.py", "_InstallAfterImport.find_spec", "if fullname != _HOOKED:",
                "if fullname == _HOOKED:", _NO_BOTOCORE_AT_START),
    *(CheckedKill("plugin.py", function, removed, added, _CLIENT_BEFORE_ANY_MOCK)
      for function, removed, added in (
          ("_InstallAfterImport.find_spec", "if self in sys.meta_path:",
           "if self not in sys.meta_path:"),
          ("_InstallAfterImport.find_spec", "sys.meta_path.remove(self)",
           "sys.meta_path.remove(None)"),
          ("_InstallAfterImport.find_spec", "spec = importlib.util.find_spec(fullname)",
           "spec = None"),
          ("_InstallAfterImport.find_spec", "spec = importlib.util.find_spec(fullname)",
           "spec = importlib.util.find_spec(None)"),
          ("_InstallAfterImport.find_spec", _SPEC_CHECK,
           "if spec is None and spec.loader is not None:"),
          ("_InstallAfterImport.find_spec", _SPEC_CHECK,
           "if spec is not None and spec.loader is None:"),
          ("_InstallAfterImport.find_spec", "spec.loader = _InstallingLoader(spec.loader)",
           "spec.loader = None"),
          ("_InstallAfterImport.find_spec", "spec.loader = _InstallingLoader(spec.loader)",
           "spec.loader = _InstallingLoader(None)"),
          ("_InstallingLoader.exec_module", "self._loader.exec_module(module)",
           "self._loader.exec_module(None)"),
      )),
    # The test's process has imported aiobotocore; a fresh one has not.
    CheckedKill("_botocore.py", "is_aio_request", "return False", "return True",
                _FRESH_PROCESS_TESTS[3]),
    CheckedKill("_botocore.py", "_aio_config_type",
                'return getattr(sys.modules.get("aiobotocore.config"), "AioConfig", None)',
                'return getattr(sys.modules.get("aiobotocore.config"), "AioConfig", )',
                _FRESH_PROCESS_TESTS[3]),
    CheckedKill("wire.py", "to_json", "return _encode_json(value).encode()",
                "return _encode_json(None).encode()",
                "tests/test_endpoint.py::"
                "test_admin_health_is_written_byte_for_byte_and_reports_the_service", _OVER_HTTP),
)


def run_named(mutant: NamedMutant) -> tuple[bool, str]:
    """(killed, how): apply the edits to a scratch copy, run the first module's test files."""
    scratch = Path(tempfile.mkdtemp(prefix="sm-named-mutant-"))
    try:
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns(
                    "__pycache__", ".hypothesis", ".pytest_cache"))
            elif source.exists():
                shutil.copy2(source, scratch / name)
        for module, old, new in mutant.edits:
            path = scratch / PACKAGE / module
            text = path.read_text(encoding="utf-8")
            anchor = 0 if mutant.within is None else text.find(f"def {mutant.within}(")
            at = text.find(old, anchor) if anchor >= 0 else -1
            if at < 0 or (mutant.within is None and text.count(old) != 1):
                return False, f"the code changed: {old!r} is not in {module} as it was"
            path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
        tests = list(mutant.tests) or MODULE_TESTS[mutant.edits[0][0]]
        env = {**os.environ, "PYTHONPATH": str(scratch), "SM_HYPOTHESIS_PROFILE":
               HYPOTHESIS_PROFILE, "PYTHONDONTWRITEBYTECODE": "1"}
        ran = subprocess.run(
            [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:randomly", "-p",
             "no:cacheprovider", *tests], cwd=scratch, env=env, capture_output=True, text=True,
            check=False)
        # The tests pass on the code as it is: any failure is the mutant's, including one that
        # breaks the plugin so that pytest itself stops (exit 2 to 4).
        if ran.returncode in (0, 5):
            return False, f"pytest exit {ran.returncode}: {ran.stdout.splitlines()[-1:]}"
        lines = ran.stdout.splitlines()
        failed = ([line for line in lines if line.startswith("FAILED ")]
                  or [line for line in lines if line.startswith("ERROR ")])
        if failed:
            return True, failed[0].removeprefix("FAILED ").split(" - ")[0]
        return True, f"pytest exit {ran.returncode}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


#: Added to every pytest run: no cache writes, the quickest tests first (mutation_order.py).
PYTEST_ARGS = ["-p", "no:cacheprovider", "-p", "mutation_order"]

#: Hypothesis examples per unit in mutation runs (the ``mutation`` profile in tests/conftest.py).
HYPOTHESIS_PROFILE = "mutation"


class MutationRunFailed(Exception):
    """mutmut could not test a module (its tests fail without mutants, or it stopped early)."""


@dataclass
class Survivor:
    key: str
    function: str
    status: str
    removed: str
    added: str
    diff: str
    reason: str | None = None


@dataclass
class ModuleResult:
    module: str
    counts: dict[str, int] = field(default_factory=dict)
    survivors: list[Survivor] = field(default_factory=list)
    #: Killed where mutmut cannot see it (CHECKED_KILLS): with the test, and where it runs.
    checked: list[tuple[Survivor, str, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def killed(self) -> int:
        return self.counts.get("killed", 0) + self.counts.get("timeout", 0)

    @property
    def equivalent(self) -> int:
        return sum(1 for survivor in self.survivors if survivor.reason is not None)

    @property
    def unexplained(self) -> int:
        return sum(1 for survivor in self.survivors if survivor.reason is None)


def package_modules() -> list[str]:
    """Every module of the package, as a path under it (``operations/search.py``)."""
    base = ROOT / PACKAGE
    return sorted(path.relative_to(base).as_posix() for path in base.rglob("*.py"))


def unmapped_modules() -> list[str]:
    return [module for module in package_modules()
            if module not in MODULE_TESTS and module not in NOT_MUTATED]


def _scratch_copy(modules: list[str], tests: list[str], pytest_args: list[str]) -> Path:
    scratch = Path(tempfile.mkdtemp(prefix="sm-mutation-"))
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, scratch / name, ignore=shutil.ignore_patterns(
                "__pycache__", "*.pyc", ".hypothesis", ".pytest_cache"))
        elif source.exists():
            shutil.copy2(source, scratch / name)
    also_copy = [name for name in COPIED if name not in (PACKAGE, "tests", "pyproject.toml")]
    section = "\n".join([
        "", "[tool.mutmut]",
        f"source_paths = {json.dumps([PACKAGE])}",
        f"only_mutate = {json.dumps([f'{PACKAGE}/{module}' for module in modules])}",
        f"also_copy = {json.dumps(also_copy)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        f"pytest_add_cli_args = {json.dumps(pytest_args)}",
        "use_git_change_detection = false",
        # Each mutant runs in a process forked from a server that has only collected the tests:
        # forked from mutmut's own process (the default), it would inherit the caches the
        # stats run warmed (routes, validators, compiled patterns), and mutants in the code
        # that fills them would never run.
        'process_isolation = "forkserver"',
        'forkserver_warmup = "collect"',
        # A mutant's tests normally take the time of its module's tests; one that loops is
        # stopped at 5 times that (mutmut's default, 15, makes every such mutant cost minutes).
        "timeout_multiplier = 5.0",
        "timeout_constant = 5.0",
        "",
    ])
    with (scratch / "pyproject.toml").open("a", encoding="utf-8") as file:
        file.write(section)
    return scratch


def _dotted(module: str) -> str:
    """``operations/search.py`` -> ``pytest_sm_experiments.operations.search``."""
    return ".".join([PACKAGE, *module.removesuffix(".py").split("/")]).removesuffix(".__init__")


def _module_of_key(key: str) -> str:
    """The dotted module of a mutmut function key (``pkg.mod.x_func``, ``pkg.mod.xǁCǁm``)."""
    parts = key.split(".")
    while parts and not parts[-1].startswith(("x_", "x\u01c1")):
        parts.pop()
    return ".".join(parts[:-1])


def _tests_per_module(stats_path: Path, modules: list[str]) -> None:
    """Give every function of a module the tests that cover the module.

    mutmut runs each mutant against the tests that executed the mutated function while it
    collected its stats. Behind a process-wide cache (routes, validators compiled per shape,
    region lookups) a function runs for the first test that needs it only, so per function that
    set is an accident of test order; per module it is what the module is exercised by. Only
    tests from the module's own test files are kept. A function that runs only in a process
    forked from a test's (whose records the stats never see) gets the same set: the fork runs
    the mutant too.
    """
    stats = json.loads(stats_path.read_text())
    by_function: dict[str, list[str]] = stats["tests_by_mangled_function_name"]
    for module in modules:
        dotted = _dotted(module)
        files = set(MODULE_TESTS[module])
        keys = [key for key in by_function if _module_of_key(key) == dotted]
        covering = sorted({test for key in keys for test in by_function[key]
                           if test.split("::", 1)[0] in files})
        meta = stats_path.parent / PACKAGE / f"{module}.meta"
        mutated = {name.partition("__mutmut_")[0]
                   for name in json.loads(meta.read_text())["exit_code_by_key"]}
        for key in {*keys, *mutated}:
            by_function[key] = covering
    stats_path.write_text(json.dumps(stats, indent=1))


_FIRST_MUTANT = """
import sys
from mutmut.mutation.file_mutation import mutate_file_contents
for path in sys.argv[1:]:
    names = mutate_file_contents(path, open(path).read()).mutant_names
    if names:
        module = path.removesuffix(".py").removesuffix("/__init__").replace("/", ".")
        print(f"{module}.{names[0]}")
        break
"""


def _function_of(key: str) -> str:
    """``pytest_sm_experiments.recorder.xǁCallJournalǁone__mutmut_3`` -> ``CallJournal.one``."""
    name = key.rpartition(".")[2].rpartition("__mutmut_")[0]
    if name.startswith("x\u01c1"):
        _, cls, method = name.split("\u01c1")
        return f"{cls}.{method}"
    return name.removeprefix("x_")


def _changed_lines(diff: str) -> tuple[str, str]:
    removed = [line[1:].strip() for line in diff.splitlines()
               if line.startswith("-") and not line.startswith("---")]
    added = [line[1:].strip() for line in diff.splitlines()
             if line.startswith("+") and not line.startswith("+++")]
    return " / ".join(removed), " / ".join(added)


_DIFFS = """
import json, sys
from mutmut.mutation.diff_apply import get_diff_for_mutant
path, names = sys.argv[1], json.load(sys.stdin)
json.dump({name: get_diff_for_mutant(name, path=path) for name in names}, sys.stdout)
"""


def run_modules(modules: list[str], max_children: int, keep: bool) -> list[ModuleResult]:
    """One mutmut run over ``modules``: each mutant against the tests that cover its module."""
    tests = sorted({test for module in modules for test in MODULE_TESTS[module]
                    if (ROOT / test).is_file()})
    missing = sorted({test for module in modules for test in MODULE_TESTS[module]} - set(tests))
    if missing:
        print(f"no such test files: {missing}", file=sys.stderr)
    pytest_args = list(PYTEST_ARGS)
    if not any("async def test" in (ROOT / test).read_text(encoding="utf-8") for test in tests):
        # pytest-asyncio's set-up is most of the start-up time of a mutant's pytest run.
        # Without it, pyproject's asyncio_* options are unknown: a warning, which the suite's
        # filterwarnings makes an error.
        pytest_args += ["-p", "no:asyncio", "-o", "addopts=-ra --strict-markers",
                        "-W", "ignore::pytest.PytestConfigWarning"]
    scratch = _scratch_copy(modules, tests, pytest_args)
    # Not the mutants: a test's own subprocess (pytester's runpytest_subprocess) runs the code
    # as it is; in mutmut's stats run, mutated code there would look for mutmut's config.
    env = {**os.environ, "PYTHONPATH": str(TOOLS), "SM_HYPOTHESIS_PROFILE": HYPOTHESIS_PROFILE,
           "PYTHONDONTWRITEBYTECODE": "1"}
    try:
        # 1. Mutants, stats and a clean run, testing one mutant only.
        first = subprocess.run(
            [sys.executable, "-c", _FIRST_MUTANT, *[f"{PACKAGE}/{module}" for module in modules]],
            cwd=scratch, env=env, capture_output=True, text=True, check=True).stdout.strip()
        if not first:
            raise MutationRunFailed(f"nothing to mutate in {modules}")
        _log(f"mutating {len(modules)} modules; stats over {len(tests)} test files")
        _mutmut(["run", "--max-children", str(max_children), first], scratch, env)
        # 2. Every function of a module gets the module's tests; the first mutant is run again.
        _tests_per_module(scratch / "mutants" / "mutmut-stats.json", modules)
        meta_of_first = scratch / "mutants" / PACKAGE / f"{_module_path(first)}.meta"
        meta = json.loads(meta_of_first.read_text())
        meta["exit_code_by_key"][first] = None
        meta_of_first.write_text(json.dumps(meta))
        # 3. Every mutant.
        _log("stats done; running every mutant")
        _mutmut(["run", "--max-children", str(max_children)], scratch, env)
        _log("done")
        return [_result(module, scratch, env) for module in modules]
    finally:
        if keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


_STARTED = time.monotonic()


def _log(message: str) -> None:
    print(f"[{(time.monotonic() - _STARTED) / 60:5.1f} min] {message}", file=sys.stderr,
          flush=True)


def _module_path(key: str) -> str:
    """The path under the package of the module a mutant key belongs to."""
    dotted = _module_of_key(key).split(".")[1:]
    path = "/".join(dotted)
    return f"{path}.py" if (ROOT / PACKAGE / f"{path}.py").is_file() else f"{path}/__init__.py"


def _mutmut(args: list[str], scratch: Path, env: dict[str, str]) -> None:
    run = _run_mutmut(args, scratch, env)
    if run.returncode != 0:
        # The clean run or the stats run failed: the output says which test, and why.
        sys.stderr.write(run.stdout[-6000:].replace("\r", "\n") + run.stderr[-4000:])
        raise MutationRunFailed(f"mutmut {' '.join(args)} failed (exit {run.returncode})")


def _result(module: str, scratch: Path, env: dict[str, str]) -> ModuleResult:
    from mutmut.stats import status_by_exit_code

    meta = scratch / "mutants" / PACKAGE / f"{module}.meta"
    if not meta.exists():
        return ModuleResult(module)  # nothing to mutate
    data = json.loads(meta.read_text())
    exit_codes = data["exit_code_by_key"]
    unchecked = [key for key, code in exit_codes.items() if code is None]
    if unchecked:
        raise MutationRunFailed(f"mutmut left {len(unchecked)} mutants of {module} unchecked")
    result = ModuleResult(module)
    for code in exit_codes.values():
        status = status_by_exit_code[code]
        result.counts[status] = result.counts.get(status, 0) + 1
    survivors = sorted((key for key, code in exit_codes.items()
                        if status_by_exit_code[code] not in ("killed", "timeout")),
                       key=_mutant_order)
    diffs = json.loads(subprocess.run(
        [sys.executable, "-c", _DIFFS, f"{PACKAGE}/{module}"], input=json.dumps(survivors),
        cwd=scratch, env=env, capture_output=True, text=True, check=True).stdout)
    for key in survivors:
        removed, added = _changed_lines(diffs[key])
        survivor = Survivor(key, _function_of(key), status_by_exit_code[exit_codes[key]],
                            removed, added, diffs[key])
        checked = _checked_kill(module, survivor)
        killed_by = (checked.test if checked is not None
                     else _killed_in_a_fresh_process(module, survivor))
        if killed_by is not None:
            result.counts[survivor.status] -= 1
            result.counts["killed"] = result.counts.get("killed", 0) + 1
            where = checked.where if checked is not None else "in a fresh process"
            result.checked.append((survivor, killed_by, where))
            continue
        survivor.reason = _equivalence(module, survivor)
        result.survivors.append(survivor)
    return result


def _killed_in_a_fresh_process(module: str, survivor: Survivor) -> str | None:
    """The failing test, if a survivor of a function in ONCE_PER_PROCESS fails its tests when
    the package is imported fresh with the mutant in it."""
    tests = ONCE_PER_PROCESS.get((module, survivor.function))
    if tests is None or survivor.status not in ("survived", "no tests"):
        return None
    kill = CheckedKill(module, survivor.function, survivor.removed, survivor.added, "")
    named = kill.named()
    killed, how = run_named(NamedMutant(named.description, named.edits, named.within, tests))
    return how if killed else None


def _checked_kill(module: str, survivor: Survivor) -> CheckedKill | None:
    if survivor.status != "survived":
        return None
    for entry in CHECKED_KILLS:
        if (entry.module, entry.function, entry.removed, entry.added) == (
                module, survivor.function, survivor.removed, survivor.added):
            return entry
    return None


def _run_mutmut(args: list[str], cwd: Path,
                env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """mutmut in a session of its own, so that an interrupted run leaves no worker behind."""
    process = subprocess.Popen([sys.executable, "-m", "mutmut", *args], cwd=cwd, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        stdout, stderr = process.communicate()
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def _mutant_order(key: str) -> tuple[str, int]:
    stem, _, number = key.rpartition("__mutmut_")
    return stem, int(number)


def _equivalence(module: str, survivor: Survivor) -> str | None:
    if survivor.status != "survived":
        return None  # "no tests" and the like are never equivalent: map a test file
    for entry in EQUIVALENTS:
        if (entry.module, entry.function) == (module, survivor.function) and (
                entry.line is None or entry.line == survivor.removed):
            return entry.reason
    return None


# -- MUTATION.md --------------------------------------------------------------------------------

_TABLE_HEAD = ("| module | mutants | killed | equivalent | survived | not covered | killed % "
               f"| killed % of the non-equivalent | ≥ {TARGET:.0f}% killed | run on |")
_ROW_PREFIX = "| `"


def _row(result: ModuleResult) -> str:
    effective = result.total - result.equivalent
    not_covered = sum(1 for survivor in result.survivors
                      if survivor.status == "no tests" and survivor.reason is None)
    survived = result.unexplained - not_covered
    percent = 100.0 * result.killed / result.total if result.total else 100.0
    effective_percent = 100.0 * result.killed / effective if effective else 100.0
    met = ("n/a (off the request path)" if result.module in OFF_THE_REQUEST_PATH
           else "yes" if percent >= TARGET else "**no**")
    return (f"| `{result.module}` | {result.total} | {result.killed} | {result.equivalent} "
            f"| {survived} | {not_covered} | {percent:.1f} | {effective_percent:.1f} | {met} "
            f"| {date.today().isoformat()} |")


def _details(result: ModuleResult) -> list[str]:
    lines = [f"### `{result.module}`", ""]
    equivalent = [s for s in result.survivors if s.reason is not None]
    other = [s for s in result.survivors if s.reason is None]
    for survivor, test, where in result.checked:
        lines.append(f"- killed {where}, `{survivor.function}`: `{survivor.removed}`"
                     f" -> `{survivor.added}` by `{test}` (checked by `--named`)")
    if not equivalent and not other:
        return [*lines, *([""] if result.checked else ["Every mutant killed.", ""])]
    for survivor in equivalent:
        lines.append(f"- equivalent, `{survivor.function}`: `{survivor.removed}` -> "
                     f"`{survivor.added}` ({survivor.reason})")
    for survivor in other:
        lines += [f"- **{survivor.status}** `{survivor.key.rpartition('.')[2]}`", "",
                  "  ```diff", *[f"  {line}" for line in survivor.diff.splitlines()[2:]],
                  "  ```"]
    return [*lines, ""]


def _read_sections() -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """Rows and detail sections of the modules already in MUTATION.md, and the sections written
    by hand between the survivors and the hand-written mutants (kept as they are)."""
    rows: dict[str, str] = {}
    details: dict[str, list[str]] = {}
    notes: list[str] = []
    if not RESULTS.exists():
        return rows, details, notes
    current: list[str] | None = None
    for line in RESULTS.read_text(encoding="utf-8").splitlines():
        if line == _NAMED_HEAD:
            break
        if line.startswith("## "):
            current = None if line == _SURVIVORS_HEAD else notes
        if current is notes:
            notes.append(line)
        elif line.startswith(_ROW_PREFIX):
            rows[line.split("`")[1]] = line
        elif line.startswith("### `"):
            current = details[line.split("`")[1]] = [line]
        elif current is not None:
            current.append(line)
    return rows, details, notes


def write_results(results: list[ModuleResult], command: str, elapsed: float,
                  workers: int) -> None:
    rows, details, notes = _read_sections()
    for result in results:
        rows[result.module] = _row(result)
        details[result.module] = _details(result)
    order = [module for module in MODULE_TESTS if module in rows]
    import mutmut

    text = [
        "# Mutation testing",
        "",
        f"Tool: mutmut {mutmut.__version__}. Each mutant runs against the tests that cover its "
        "module: the tests, among the module's test files in `tools/mutation.py` "
        "(`MODULE_TESTS`), that ran any of the module's code; the quickest first, stopping at "
        f"the first failure. Hypothesis profile `{HYPOTHESIS_PROFILE}`.",
        "",
        "Reproduce: `tox -e mutation` (every module: over two hours on 2 cores), or "
        "`.venv/bin/python tools/mutation.py "
        "[module ...]` after `pip install -e \".[test,async,sdk,mutation]\"`; "
        "`python tools/mutation.py --named` checks the hand-written mutants at the end. "
        f"This file was last written by `{command}` on {date.today().isoformat()}, in "
        f"{elapsed / 60:.0f} minutes with {workers} worker(s) on 2 shared cores; the rows of "
        "modules it did not name are kept from earlier runs (the last column says when each "
        "module was run).",
        "",
        "Killed includes timeouts (a mutant that loops forever is caught), and survivors that "
        "a named test kills where mutmut's run cannot see it (`CHECKED_KILLS`: in a fresh "
        "Python process, or over HTTP in a test file too slow to map; `--named` checks each). "
        "Not covered: no test "
        "among the module's test files runs the function. The target (at least "
        f"{TARGET:.0f}% of the generated mutants killed) applies to the request path: every "
        f"module but {', '.join(f'`{module}`' for module in OFF_THE_REQUEST_PATH)}.",
        "mutmut mutates function bodies only: module-level tables and decorated functions "
        "(fixtures, properties, `@cache`) are not mutated, so the tests for those are written "
        "against the behaviour directly.",
        "",
        _TABLE_HEAD,
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---|",
        *[rows[module] for module in order],
        "",
        _SURVIVORS_HEAD,
        "",
        "Equivalent survivors are listed with why no test can tell them apart; any other "
        "survivor is a gap to close with a test.",
        "",
    ]
    for module in order:
        text += details.get(module, [])
    text += notes
    named = ""
    if RESULTS.exists():
        previous = RESULTS.read_text(encoding="utf-8")
        if _NAMED_HEAD in previous:
            named = "\n" + _NAMED_HEAD + previous.partition(_NAMED_HEAD)[2]
    RESULTS.write_text("\n".join(text).rstrip() + "\n" + named, encoding="utf-8")


def check_named() -> int:
    rows = ["| mutant | killed | by |", "|---|---|---|"]
    survivors = 0
    for mutant in (*NAMED_MUTANTS, *(kill.named() for kill in CHECKED_KILLS)):
        killed, how = run_named(mutant)
        survivors += not killed
        rows.append(f"| {mutant.description} | {'yes' if killed else '**no**'} | `{how}` |")
        print(rows[-1], flush=True)
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Mutation testing\n"
    head = text.partition(_NAMED_HEAD)[0]
    RESULTS.write_text(head.rstrip("\n") + "\n\n" + "\n".join([
        _NAMED_HEAD, "",
        "Bugs written by hand (the issue's list), each run against its module's test files by "
        "`python tools/mutation.py --named` (first failing test shown); then the mutmut "
        "survivors that a named test kills where the run cannot see it (`CHECKED_KILLS`), "
        "each against that test.", "", *rows]) + "\n",
        encoding="utf-8")
    return 1 if survivors else 0


_NAMED_HEAD = "## Hand-written mutants"
_SURVIVORS_HEAD = "## Survivors"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths under the package (default: all)")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutants (2)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies")
    parser.add_argument("--list", action="store_true", help="print the module -> tests map")
    parser.add_argument("--named", action="store_true",
                        help="check that the suite kills NAMED_MUTANTS instead")
    args = parser.parse_args(argv)
    # kill <pid> stops mutmut's workers too (they run in a session of their own).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    missing = unmapped_modules()
    if missing:
        raise SystemExit(f"modules missing from MODULE_TESTS in {__file__}: {missing}")
    if args.list:
        for module, tests in MODULE_TESTS.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    if args.named:
        return check_named()
    modules = args.modules or list(MODULE_TESTS)
    unknown = [module for module in modules if module not in MODULE_TESTS]
    if unknown:
        raise SystemExit(f"not in MODULE_TESTS: {unknown}")
    started = time.monotonic()
    try:
        results = run_modules(modules, args.max_children, args.keep)
    except MutationRunFailed as failure:
        print(failure, file=sys.stderr, flush=True)
        return 1
    for result in results:
        print(_row(result), flush=True)
    options = "" if args.max_children == 2 else f" --max-children {args.max_children}"
    write_results(results, "python tools/mutation.py" + options + (
        " " + " ".join(args.modules) if args.modules else ""), time.monotonic() - started,
        args.max_children)
    return 0


if __name__ == "__main__":
    sys.exit(main())
