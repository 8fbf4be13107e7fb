"""The local Ray a build starts when no --ray-address is given: reachable from this machine only.

- Every Ray server listens on loopback alone. Ray binds its servers to the node's IP address, and takes
  the loopback address as the node's only when told the instance is for this machine alone
  (RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0, its switch for laptops; `ray.init(_node_ip_address=...)` by itself
  is replaced by the machine's network address). Started, the node's address is checked: anything but
  loopback stops the build.
- Token authentication (RAY_AUTH_MODE=token): a random token in a 0600 file of a 0700 directory made for
  this build (RAY_AUTH_TOKEN_PATH), never Ray's shared `~/.ray/auth_token`.
- No dashboard; Ray's session files (logs, sockets, objects spilled to disk: episode data) in that
  directory too, not in the world-readable /tmp/ray.
- Its processes allocate Arrow's memory as a build's do (allocator.py).
- `close` stops Ray, deletes the directory and gives this process its environment back.

Ray reads these variables when it is imported, when its configuration is loaded and when it first needs
the token; all three are done again here, on start and on close (`ray_constants.ENABLE_RAY_CLUSTER`,
`Config.initialize`, the token loader's cache, as `ray.init` itself does when it turns token
authentication on), so a process that imported Ray before gets the same instance, and a Ray it starts
after the build is as if this one had never been.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import secrets
import shutil
import tempfile
from pathlib import Path

import ray
from ray._private import ray_constants
from ray._raylet import AuthenticationTokenLoader, Config  # type: ignore[attr-defined]  # (not in its stubs)

from collector.dataset.engines.allocator import arrow_environment
from collector.dataset.errors import DatasetError

LOOPBACK = "127.0.0.1"


class LocalRay:
    """A Ray instance on this machine for one build (started by the constructor, stopped by `close`), with
    `num_cpus` CPUs (Ray's default: the machine's); the tests and the bench start theirs with it too."""

    def __init__(self, num_cpus: int | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="codetape-ray-"))  # 0700
        token = self.folder / "auth_token"
        handle = os.open(token, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(handle, "w", encoding="ascii") as file:
            file.write(secrets.token_hex(32))
        wanted = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_AUTH_MODE": "token",
                  "RAY_AUTH_TOKEN_PATH": str(token), **arrow_environment(os.environ)}
        self.saved = {name: os.environ.get(name) for name in wanted}
        self.cluster = ray_constants.ENABLE_RAY_CLUSTER
        os.environ.update(wanted)
        ray_constants.ENABLE_RAY_CLUSTER = False
        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()  # a token read before is not this one
        try:
            ray.init(address="local", _node_ip_address=LOOPBACK, num_cpus=num_cpus, include_dashboard=False,
                     _temp_dir=str(self.folder / "ray"), log_to_driver=False, logging_level=logging.ERROR)
            node = ray.util.get_node_ip_address()  # type: ignore[no-untyped-call]
            if not ipaddress.ip_address(node).is_loopback:
                raise DatasetError(f"the local Ray took {node} as its address, so it would listen on the "
                                   "network; run it yourself and give --ray-address")
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        ray.shutdown()  # (nothing to do when it did not start)
        for name, value in self.saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        ray_constants.ENABLE_RAY_CLUSTER = self.cluster
        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()  # the token it read is gone with the folder
        shutil.rmtree(self.folder, ignore_errors=True)
