"""Nothing an unprivileged user sets lifts the organisation's managed policy (issue 53, item 1).

Tried as `nobody`, with /etc/codetape/policy.toml installed as an administrator installs it (root's, 0644)
in a mount namespace of its own: an overlay on /etc, so the machine's own /etc is untouched. Before, as
`nobody`, `CODETAPE_POLICY=/nonexistent codetape sign EP --yes` signed attributed, with no purpose,
against a policy requiring unlinkable consent and a purpose, and an empty file named there gave a policy
"in force" that required nothing. Now the variable can only add a policy: a named file that is missing or
empty is refused, one that holds a policy binds beside the system's, and `status` flags it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.make_golden import DIRECTORY

NOBODY = 65534
SYSTEM_POLICY = 'allowed_purposes = ["model-training"]\nmandatory_exclude = ["docs/private/"]\n' \
    '[consent]\nmode = "unlinkable"\n'

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("setpriv"),
    reason="needs root (as CI runs) for a mount namespace and to act as nobody")


@pytest.fixture
def place() -> Iterator[Path]:
    """A folder `nobody` can reach (pytest's own are root's alone), removed at the end."""
    folder = Path(tempfile.mkdtemp(prefix="codetape-override-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def as_nobody(place: Path, *args: str, added: str | None = None) -> subprocess.CompletedProcess[str]:
    """`codetape ARGS` as nobody, in a mount namespace whose /etc holds the organisation's policy; with
    `added`, CODETAPE_POLICY set to it."""
    layer = place / "layer"
    for name in ("upper", "work", "hold"):
        (layer / name).mkdir(parents=True, exist_ok=True)
    python = os.path.realpath(sys.executable)
    hidden = ""  # an interpreter under root's home (0700) is made reachable in the namespace only
    if python.startswith("/root/"):
        top = "/root/" + python.split("/")[2]
        hidden = (f"mount --bind {top} {layer}/hold; mount -t tmpfs -o mode=755 tmpfs /root; "
                  f"mkdir {top}; mount --bind {layer}/hold {top}; ")
    env = {"HOME": str(place / "user"), "CODETAPE_HOME": str(place / "user" / "codetape"),
           "PATH": "/usr/bin:/bin", "PYTHONPATH": str(Path(__file__).resolve().parents[3])}
    if added is not None:
        env["CODETAPE_POLICY"] = added
    setup = (f"mount -t overlay overlay -o lowerdir=/etc,upperdir={layer}/upper,workdir={layer}/work /etc; "
             "mkdir -p /etc/codetape; chmod 755 /etc/codetape; "
             f"cp {place / 'policy.toml'} /etc/codetape/policy.toml; chmod 644 /etc/codetape/policy.toml; "
             + hidden)
    command = [sys.executable, "-P", "-m", "collector", *args]
    script = setup + 'exec setpriv --reuid=65534 --regid=65534 --clear-groups "$@"'
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-ec", script, "sh",
                           "env", "-i", *(f"{key}={value}" for key, value in env.items()), *command],
                          capture_output=True, text=True, timeout=120, check=False)


def test_an_environment_variable_can_add_a_policy_but_never_lift_the_organisations(place: Path) -> None:
    (place / "policy.toml").write_text(SYSTEM_POLICY, encoding="utf-8")
    user = place / "user"
    (user / "codetape" / "episodes").mkdir(parents=True)
    episode = user / "codetape" / "episodes" / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", episode)
    empty = place / "py.typed"  # root's, nobody may write it: as a system package's empty marker file
    empty.write_text("", encoding="utf-8")
    nothing = place / "nothing.toml"
    nothing.write_text("# requires nothing\n", encoding="utf-8")
    for path in (place / "policy.toml", empty, nothing):
        path.chmod(0o644)
    for path in [user, *user.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
    keys = as_nobody(place, "keys", "init", "--no-passphrase")
    assert keys.returncode == 0, keys.stderr

    said = as_nobody(place, "sign", str(episode), "--yes")  # the system's policy binds
    assert said.returncode == 1 and "the managed policy (/etc/codetape/policy.toml) allows only the " \
        "purposes model-training" in said.stderr, said.stderr
    for named, why in (("/nonexistent", "CODETAPE_POLICY names /nonexistent, which does not exist"),
                       (str(empty), f"CODETAPE_POLICY names {empty}, which is empty")):
        said = as_nobody(place, "sign", str(episode), "--yes", added=named)
        assert said.returncode == 1 and why in said.stderr and said.stderr.count("\n") == 1, said.stderr
    said = as_nobody(place, "sign", str(episode), "--yes", added=str(nothing))  # both bind
    assert said.returncode == 1 and "allows only the purposes model-training" in said.stderr, said.stderr
    assert not list((user / "codetape").glob("outbox/*.ctape")), "nothing was signed"

    status = as_nobody(place, "status", added=str(nothing))
    assert status.returncode == 0, status.stderr
    both = f"managed policy: /etc/codetape/policy.toml and {nothing} (added by CODETAPE_POLICY)"
    assert both in status.stdout, status.stdout
    assert "excluded: docs/private/" in status.stdout  # the organisation's exclusions still bind
    assert "PROBLEM: CODETAPE_POLICY is set" in status.stdout
    doctor = as_nobody(place, "doctor", added="/nonexistent")
    refused = "PROBLEM managed policy: REFUSED: CODETAPE_POLICY names /nonexistent"
    assert refused in doctor.stdout, doctor.stdout
    assert "PROBLEM policy override: CODETAPE_POLICY is set (/nonexistent)" in doctor.stdout
