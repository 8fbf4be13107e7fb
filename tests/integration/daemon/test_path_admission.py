"""Paths are stored workspace-relative and normalised (issue 9, item 8): an editor's absolute path inside
the workspace, `./x.py` or `sub/../x.py` is recorded as `x.py`; a path outside the workspace is not
recorded; one no episode may hold becomes a gap that does not repeat it. `verify` applies the path rule
`checkout` applies, so an episode written with such a path by anyone else fails with one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.episode import EpisodeWriter, open_episode
from collector.protocol.clock import now_ms
from schemas import step_from_dict
from tests.fixtures.make_golden import MINIMAL_HEADER
from tests.integration.episode.test_tampering import cli
from tests.support.collector_harness import opt_in, running, settle


def test_paths_are_normalised_at_admission(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", home=tmp_path / "home")
    outside = tmp_path / "elsewhere.py"
    sent = [str(ws / "abs.py"), "./dot.py", "sub/../up.py", str(outside), "../escape.py", "win\\dows.py"]
    with running(tmp_path / "home") as daemon, daemon.client() as client:
        client.hello(ws, "bridge")
        at = now_ms()
        for offset, path in enumerate(sent):
            client.send_step(at + offset, {"kind": "open", "source": "bridge", "path": path, "text": "x\n"})
        settle(client)
        sealed = client.request("seal", workspace=str(ws))
    steps = list(open_episode(Path(sealed["path"])).steps())
    assert [step.path for step in steps if step.kind == "open"] == ["abs.py", "dot.py", "up.py"]
    gaps = [step for step in steps if step.kind == "gap"]
    assert [gap.reason for gap in gaps] == ["malformed_input"]
    assert "backslash" in (gaps[0].detail or "") and "dows" not in (gaps[0].detail or "")
    assert str(tmp_path) not in repr(steps)


@pytest.mark.parametrize(("path", "says"), [
    ("/home/someone/x.py", "it is absolute"),
    ("./x.py", "not a normalised relative path"),
    ("sub/../x.py", "'..' segment"),
])
def test_verify_refuses_a_path_checkout_would_refuse(path: str, says: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "crafted.ctape"
    with open(target, "wb") as out:
        writer = EpisodeWriter(out, MINIMAL_HEADER, level=3)
        writer.add(step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": path, "text": ""}))
        writer.close()
    assert cli(["verify", str(target)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith("codetape: step 0: open of ") and says in err[0], err
