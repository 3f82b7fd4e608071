"""The second wall: the threads that evaluate SPARQL cannot open a network connection at all.

`enter_network_sandbox()` moves the calling thread into a new, empty network namespace (`unshare(2)`
with CLONE_NEWNET: not even loopback is up), so a query that slipped past the safety check with a
SERVICE or a LOAD meets "Network is unreachable" instead of another host. Namespaces belong to a thread
on Linux, and threads inherit them from the thread that starts them, so a query worker calls this first
thing in its process and the update thread first thing in its life; the rest of the server keeps its
network.

It needs CAP_SYS_ADMIN (root, as in CI) or unprivileged user namespaces (CLONE_NEWUSER, allowed only in
a single-threaded process: query workers at start-up). KG_SANDBOX decides what happens when neither
works: `auto` (default) runs without the wall and says so in /health and the log, `require` refuses to
start, `off` does not try.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import socket
from typing import Literal

log = logging.getLogger("kg.sandbox")

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000

SandboxMode = Literal["auto", "require", "off"]


class SandboxError(RuntimeError):
    """The network sandbox was required but could not be entered."""


def _unshare(flags: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def network_reachable() -> bool:
    """True if this thread can still open a TCP connection to loopback (where SSRF would go first)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(1.0)
        try:
            s.connect(("127.0.0.1", 9))  # discard port: refused if reachable, unreachable if sandboxed
        except ConnectionRefusedError:
            return True
        except OSError as exc:
            return exc.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EADDRNOTAVAIL)
        return True


def enter_network_sandbox(mode: SandboxMode = "auto") -> str:
    """Cut the calling thread off the network. Returns "netns" when done, "off" otherwise."""
    if mode == "off":
        return "off"
    err = _unshare(CLONE_NEWNET)
    if err != 0:
        err = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    if err == 0 and not network_reachable():
        return "netns"
    reason = os.strerror(err) if err else "the network stayed reachable"
    if mode == "require":
        raise SandboxError(f"cannot cut query evaluation off the network ({reason}); "
                           "run as root or enable user namespaces, or set KG_SANDBOX=auto")
    log.warning("query evaluation runs WITHOUT the network sandbox (%s): only the safety check stands "
                "between a query and the network", reason)
    return "off"
