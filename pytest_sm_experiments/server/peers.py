"""Which local process is at the other end of a loopback TCP connection (Linux ``/proc``).

The endpoint records the pid of the process that made each call. Nothing in a request says it
(a child may be any program, not only Python), so the connection tells: the kernel lists the
client's socket (its inode) in ``/proc/net/tcp``, and ``/proc/<pid>/fd`` shows which process
holds that inode. Looked up once per connection (clients keep connections alive). Elsewhere
than Linux, or for a peer this user cannot see (another user, another container), the answer
is None.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import Iterator

Address = tuple[str, int]


def hex_address(host: str, port: int) -> str:
    """An address as ``/proc/net/tcp*`` writes it: the address's 32-bit words in host (little
    endian) order, in hex, then the port."""
    packed = ipaddress.ip_address(host).packed
    words = "".join(packed[index:index + 4][::-1].hex().upper()
                    for index in range(0, len(packed), 4))
    return f"{words}:{port:04X}"


def socket_inode(local: Address, remote: Address, proc: str = "/proc") -> int | None:
    """The inode of the TCP socket bound to ``local`` and connected to ``remote``."""
    table = "tcp6" if ":" in local[0] else "tcp"
    want_local, want_remote = hex_address(*local), hex_address(*remote)
    try:
        with open(f"{proc}/net/{table}", encoding="ascii") as lines:
            next(lines, None)  # the column titles
            for line in lines:
                fields = line.split()
                if len(fields) > 9 and fields[1] == want_local and fields[2] == want_remote:
                    return int(fields[9])
    except OSError:
        return None
    return None


def _children(pid: int, proc: str) -> list[int]:
    found: list[int] = []
    try:
        tasks = os.listdir(f"{proc}/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"{proc}/{pid}/task/{task}/children", encoding="ascii") as file:
                found.extend(int(child) for child in file.read().split())
        except OSError:
            continue
    return found


def _candidates(proc: str) -> Iterator[int]:
    """This process's descendants first (children are who calls a test's mock), then all."""
    seen = {os.getpid()}
    queue = [os.getpid()]
    while queue:
        for child in _children(queue.pop(0), proc):
            if child not in seen:
                seen.add(child)
                queue.append(child)
                yield child
    try:
        names = os.listdir(proc)
    except OSError:
        return
    for name in names:
        if name.isdigit() and int(name) not in seen:
            yield int(name)
    yield os.getpid()  # a client in the mock's own process (a test calling the endpoint)


def owner_of(inode: int, proc: str = "/proc") -> int | None:
    """The pid of a process that holds socket ``inode`` open."""
    target = f"socket:[{inode}]"
    for pid in _candidates(proc):
        directory = f"{proc}/{pid}/fd"
        try:
            descriptors = os.listdir(directory)
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                if os.readlink(f"{directory}/{descriptor}") == target:
                    return pid
            except OSError:
                continue
    return None


def peer_pid(connection: socket.socket, proc: str = "/proc") -> int | None:
    """The pid of the local process at the other end of ``connection`` (None if unknown)."""
    try:
        server: Address = connection.getsockname()[:2]
        client: Address = connection.getpeername()[:2]
    except OSError:
        return None
    inode = socket_inode(client, server, proc)
    return owner_of(inode, proc) if inode is not None else None
