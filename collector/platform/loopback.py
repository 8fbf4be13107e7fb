"""The collector's address for every client, and its loopback TCP transport with a per-user secret.

Where Python has no Unix sockets (Windows), or where `CODETAPE_COLLECTOR_TRANSPORT=tcp` asks for it (so
the Linux tiers run it), the collector listens on 127.0.0.1 at a port the system picks and writes an
endpoint file, `run/collector.tcp` (0600 in the 0700 `run/`), as Jupyter writes a kernel's connection
file: a first line `tcp://127.0.0.1:PORT`, a second the secret (32 random bytes, hexadecimal), new at
each start. Any local user can connect to a loopback port, so a connection is admitted only once it
proves the secret, before the collector reads anything else: the client's first 48 bytes are a nonce
(16) and HMAC-SHA256(secret, CLIENT_CONTEXT + nonce); anything else, or nothing within the collector's
wait, and the connection is closed unread. The collector answers HMAC-SHA256(secret, COLLECTOR_CONTEXT +
nonce), which the client checks before it sends anything: a port left by a collector that died and taken
by another user's program gets no step. The secret itself never crosses the socket.

The address a client is given (`CODETAPE_COLLECTOR_SOCKET`, `Home.socket`) is a path: a Unix socket, or
the endpoint file, named `collector.tcp`; `connect` opens either. Three clients use this one helper:
collector/protocol/client.py imports it, and the pytest plugin and the agent hook, which cannot import
codetape's package, load this file by path (as collector/protocol/wire.py), so it imports only the
standard library, the C halves where the hook's start-up would pay (`_socket`, `_hashlib`), and runs on
Python 3.8 and later.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (its import costs the hook a few ms)
    import _socket
    from collections.abc import Callable, Mapping

TRANSPORT_ENV = "CODETAPE_COLLECTOR_TRANSPORT"  # `tcp`: loopback TCP on a system with Unix sockets too
ENDPOINT_NAME = "collector.tcp"  # in the home's run/, in place of collector.sock
HOST = "127.0.0.1"
SECRET_BYTES = 32
NONCE_BYTES = 16
PROOF_BYTES = 32  # SHA-256
CLIENT_HELLO_BYTES = NONCE_BYTES + PROOF_BYTES
CLIENT_CONTEXT = b"codetape/loopback/client/v1"
COLLECTOR_CONTEXT = b"codetape/loopback/collector/v1"
MAX_ENDPOINT_BYTES = 256


class NotProven(ConnectionError):
    """The listener at a loopback endpoint did not prove the secret (not this user's collector)."""


def uses_tcp(environ: Mapping[str, str], platform: str = sys.platform) -> bool:
    """Whether the collector listens on loopback TCP: always on Windows, elsewhere when asked."""
    return platform == "win32" or environ.get(TRANSPORT_ENV) == "tcp"


def is_endpoint(address: str | os.PathLike[str]) -> bool:
    """Whether a client's address names a loopback endpoint file rather than a Unix socket."""
    return os.path.basename(os.fspath(address)) == ENDPOINT_NAME


def new_secret() -> bytes:
    return os.urandom(SECRET_BYTES)


def write_endpoint(path: str, port: int, secret: bytes) -> None:
    """The endpoint file at `path`, 0600, whole or not there (written beside it, then renamed over)."""
    partial = f"{path}.{os.getpid()}.new"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, f"tcp://{HOST}:{port}\n{secret.hex()}\n".encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(partial, path)


def read_endpoint(path: str) -> tuple[str, int, bytes]:
    """(host, port, secret) of the endpoint file at `path`; OSError when it cannot be read (missing:
    FileNotFoundError, as a missing socket) or is not an endpoint file."""
    fd = os.open(path, os.O_RDONLY)
    try:
        data = os.read(fd, MAX_ENDPOINT_BYTES + 1)
    finally:
        os.close(fd)
    lines = data.decode("ascii", "replace").split("\n")
    address, _, port = lines[0].rpartition(":")
    try:
        secret = bytes.fromhex(lines[1]) if len(lines) > 2 else b""
        number = int(port)
    except ValueError:
        secret, number = b"", 0
    if (
        address != f"tcp://{HOST}"
        or not 0 < number < 65536
        or len(secret) != SECRET_BYTES
        or len(data) > MAX_ENDPOINT_BYTES
    ):
        raise OSError(f"{path} is not a collector endpoint file (tcp://{HOST}:PORT, then the secret)")
    return HOST, number, secret


def _mac(secret: bytes, context: bytes, nonce: bytes) -> bytes:
    try:
        # the hook's start-up: OpenSSL's HMAC directly, not the hmac package (which imports hashlib)
        import _hashlib

        return bytes(_hashlib.hmac_digest(secret, context + nonce, "sha256"))
    except (ImportError, AttributeError, ValueError):
        import hmac  # only where OpenSSL's HMAC is not there

        return hmac.digest(secret, context + nonce, "sha256")


def _same(a: bytes, b: bytes) -> bool:
    """a == b in constant time (hmac.compare_digest's C halves: the hmac package imports hashlib)."""
    try:
        import _hashlib  # the hook's start-up: the C half

        return bool(_hashlib.compare_digest(a, b))
    except (ImportError, AttributeError):
        import _operator  # where there is no _hashlib

        return bool(_operator._compare_digest(a, b))


def client_hello(secret: bytes, nonce: bytes | None = None) -> bytes:
    """What a client sends first: a fresh nonce and its proof of the secret (CLIENT_HELLO_BYTES)."""
    nonce = os.urandom(NONCE_BYTES) if nonce is None else nonce
    return nonce + _mac(secret, CLIENT_CONTEXT, nonce)


def admitted(secret: bytes, hello: bytes) -> bytes | None:
    """The collector's side: its answer to a client's first CLIENT_HELLO_BYTES when they prove `secret`,
    None when they do not."""
    nonce, proof = hello[:NONCE_BYTES], hello[NONCE_BYTES:]
    if len(hello) != CLIENT_HELLO_BYTES or not _same(proof, _mac(secret, CLIENT_CONTEXT, nonce)):
        return None
    return _mac(secret, COLLECTOR_CONTEXT, nonce)


def connect(
    address: str, timeout: float, factory: Callable[[int, int], _socket.socket] | None = None
) -> _socket.socket:
    """A connected stream to the collector at `address` (a Unix socket's path, or an endpoint file: its
    secret proved both ways), made by `factory` (socket.socket; the C half `_socket.socket` by default),
    with `timeout` for the connection and the proofs, left set. OSError when nobody listens there
    (FileNotFoundError, ConnectionRefusedError), NotProven when the listener is not this user's collector."""
    import _socket  # the hook's start-up: socket's C half, not the `socket` package (enum, selectors)

    make: Callable[[int, int], _socket.socket] = factory if factory is not None else _socket.socket
    if not is_endpoint(address):
        if sys.platform == "win32" or not hasattr(_socket, "AF_UNIX"):
            raise OSError(f"Unix sockets are not available in this Python ({address})")
        unix = make(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            unix.settimeout(timeout)
            unix.connect(address)
        except BaseException:
            unix.close()
            raise
        return unix
    host, port, secret = read_endpoint(address)
    sock = make(_socket.AF_INET, _socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((host, port))
        hello = client_hello(secret)
        sock.sendall(hello)
        answer = b""
        while len(answer) < PROOF_BYTES:
            chunk = sock.recv(PROOF_BYTES - len(answer))
            if not chunk:
                break
            answer += chunk
        if not _same(answer, _mac(secret, COLLECTOR_CONTEXT, hello[:NONCE_BYTES])):
            raise NotProven(f"the program listening at {host}:{port} ({address}) is not your collector")
    except BaseException:
        sock.close()
        raise
    return sock
