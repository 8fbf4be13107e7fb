"""Issue 67, item 5: the review and `sign` say when an episode's files hold unpushed text that an episode
this home signed unlinkably before also held (collector/review/continued.py), in a real repository with a
remote-tracking branch: pushed lines and short ones do not count."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

from collector.episode import open_episode, write_episode_file
from collector.home import Home
from collector.reconstruct.keyframes import keyframe_states
from collector.review.continued import continued_note, remember
from tests.fixtures.make_golden import header, steps

PUSHED = "def parse(text: str) -> list[str]:  # the company's own line\n"
WIP = "    return [part.strip() for part in text.split(';') if part]  # her unpushed work\n"


def git(root: Path, *args: str) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "D",
           "GIT_AUTHOR_EMAIL": "d@example.org", "GIT_COMMITTER_NAME": "D",
           "GIT_COMMITTER_EMAIL": "d@example.org"}
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def repository(tmp_path: Path) -> Path:
    """A clone whose remote-tracking branch holds `parse.py` with PUSHED only."""
    root, company = tmp_path / "pager", tmp_path / "company.git"
    root.mkdir()
    git(tmp_path, "init", "-q", "--bare", str(company))
    git(root, "init", "-q")
    (root / "parse.py").write_text(PUSHED, encoding="utf-8")
    git(root, "add", "parse.py")
    git(root, "commit", "-q", "-m", "start")
    git(root, "push", "-q", str(company), "HEAD:refs/heads/main")
    git(root, "fetch", "-q", str(company), "+refs/heads/main:refs/remotes/origin/main")
    return root


def episode(tmp_path: Path, text: str) -> Path:
    path = tmp_path / f"{uuid.uuid4()}.ctape"
    head = header(str(uuid.uuid4()))
    write_episode_file(path, head, steps({"kind": "open", "t_ms": 0, "source": "bridge", "path": "parse.py",
                                          "version": 1, "text": text}),
                       states=keyframe_states(head.position_encoding))
    return path


def test_an_episode_going_on_with_unpushed_work_is_told_and_pushed_text_is_not(tmp_path: Path) -> None:
    root, home = repository(tmp_path), Home(tmp_path / "home")
    first = open_episode(episode(tmp_path, PUSHED + WIP))
    assert continued_note(first, root, home) is None  # nothing signed before
    remember(first, root, home)
    again = open_episode(episode(tmp_path, PUSHED + WIP + "    # and more\n"))
    note = continued_note(again, root, home)
    assert note is not None and note.startswith("1 unpushed line(s) of this episode's files were in an "
                                                "episode you signed unlinkably before")
    only_pushed = open_episode(episode(tmp_path, PUSHED + "x = 1\n"))  # the company's line, and a short one
    assert continued_note(only_pushed, root, home) is None
    assert continued_note(again, None, home) is None  # no repository to tell what is pushed
