"""The network wall around query processes: they may not open any socket but a local one.

pyoxigraph evaluates ``SERVICE <http://...>`` by sending an HTTP request itself, and no
option of its Python API turns that off. The query policy (guard.py) refuses SERVICE
before evaluation, but a policy check is only as good as its agreement with the engine's
parser; this wall makes the engine unable to reach the network whatever the check
decides. A query process calls :func:`deny_network` once at start, before it reads any
query: a seccomp filter (Linux) then makes ``socket()`` fail with EACCES for every
address family but ``AF_UNIX``. It applies to the calling process and everything it
starts, and cannot be lifted again (``PR_SET_NO_NEW_PRIVS``). The process already holds
the pipe to its parent, so nothing it needs is lost.

Where the filter cannot be installed (another OS, an architecture whose system call
numbers are not listed here, a kernel without seccomp filters) the wall is missing and
this is logged as a warning; the query policy still applies.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import platform
import socket
import struct
import sys

log = logging.getLogger(__name__)

# prctl(2) and seccomp(2) constants (linux/prctl.h, linux/seccomp.h, linux/filter.h, linux/audit.h)
PR_SET_NO_NEW_PRIVS = 38
PR_SET_SECCOMP = 22
SECCOMP_MODE_FILTER = 2
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
BPF_LD_W_ABS = 0x20
BPF_JEQ_K = 0x15
BPF_RET_K = 0x06
# struct seccomp_data: int nr; u32 arch; u64 instruction_pointer; u64 args[6] (little-endian)
OFFSET_NR, OFFSET_ARCH, OFFSET_ARG0 = 0, 4, 16

# machine -> (AUDIT_ARCH_* value, number of the socket system call)
ARCHITECTURES = {
    "x86_64": (0xC000003E, 41),
    "amd64": (0xC000003E, 41),
    "aarch64": (0xC00000B7, 198),
    "arm64": (0xC00000B7, 198),
}


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint32)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def filter_program(arch: int, socket_nr: int) -> list[tuple[int, int, int, int]]:
    """The BPF program: ``socket(domain, ...)`` with any domain but AF_UNIX fails with EACCES.

    Instructions are (code, jump-if-true, jump-if-false, constant); jumps count from the
    next instruction.
    """
    deny, allow = SECCOMP_RET_ERRNO | errno.EACCES, SECCOMP_RET_ALLOW
    return [
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARCH),  # 0: A = arch
        (BPF_JEQ_K, 0, 5, arch),  # 1: another ABI -> 7 (allow)
        (BPF_LD_W_ABS, 0, 0, OFFSET_NR),  # 2: A = system call number
        (BPF_JEQ_K, 0, 3, socket_nr),  # 3: not socket() -> 7 (allow)
        (BPF_LD_W_ABS, 0, 0, OFFSET_ARG0),  # 4: A = domain (low 32 bits of the first argument)
        (BPF_JEQ_K, 1, 0, socket.AF_UNIX),  # 5: AF_UNIX -> 7 (allow)
        (BPF_RET_K, 0, 0, deny),  # 6
        (BPF_RET_K, 0, 0, allow),  # 7
    ]


def deny_network() -> bool:
    """Install the wall in this process; True when it is in place, False (logged) when it cannot be."""
    if not sys.platform.startswith("linux") or struct.calcsize("P") != 8:
        log.warning("no network wall for query processes on %s: only the query policy applies", sys.platform)
        return False
    machine = platform.machine().lower()
    if machine not in ARCHITECTURES:
        log.warning("no network wall for query processes on %s: only the query policy applies", machine)
        return False
    arch, socket_nr = ARCHITECTURES[machine]
    program = filter_program(arch, socket_nr)
    instructions = (_SockFilter * len(program))(*(_SockFilter(*instruction) for instruction in program))
    fprog = _SockFprog(len(program), instructions)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_void_p, ctypes.c_ulong, ctypes.c_ulong]
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, None, 0, 0) != 0 or libc.prctl(
        PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.cast(ctypes.byref(fprog), ctypes.c_void_p), 0, 0
    ) != 0:
        log.warning("no network wall for query processes: prctl failed (%s)", errno.errorcode.get(ctypes.get_errno(), "?"))
        return False
    return True


def network_denied() -> bool:
    """Whether this process can open an Internet socket (tests and the start-up log use it)."""
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    except PermissionError:
        return True
    return False
