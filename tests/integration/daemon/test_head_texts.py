"""The collector's comparison of a file's first text in an episode with the file at the episode's HEAD
(collector/daemon/head_texts.py, `head_text` on the step), in real git repositories: `same`, `other` and
`absent` by git's blob id; only the first text of a file; nothing said without a HEAD, for a commit git
cannot list, inside a submodule; computed before redaction, and a redacted text is never zeta2's base
(issue 55, item 1)."""

from __future__ import annotations

import json
from pathlib import Path

from collector.daemon.head_texts import FirstTexts, HeadTrees
from collector.protocol.clock import now_ms
from schemas import step_from_dict
from schemas.steps import OpenStep, Step
from tests.cli import codetape
from tests.integration.export.export_sessions import TOKEN
from tests.support.collector_harness import episode_steps, git, opt_in, running, settle

CLEAN = "def f():\n    return 1\n"


def repository(root: Path) -> str:
    (root / "src").mkdir(parents=True)
    (root / "src" / "a.py").write_text(CLEAN, encoding="utf-8")
    (root / "src" / "b.py").write_text("b = 1\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    return git(root, "rev-parse", "HEAD")


def opened(path: str, text: str) -> Step:
    return step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": path, "text": text})


def head_text(step: Step) -> str | None:
    assert isinstance(step, OpenStep)
    return step.head_text


def test_the_first_text_of_each_file_against_the_commits_blob(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    head = repository(root)
    trees = HeadTrees(root)
    first = FirstTexts(head, trees)
    assert [head_text(first.mark(opened(path, text))) for path, text in (
        ("src/a.py", CLEAN), ("src/b.py", "b = 2\n"), ("src/new.py", ""), ("src/a.py", "other\n"),
        ("src/b.py", "b = 1\n"))] == ["same", "other", "absent", None, None]  # the first text only
    assert head_text(FirstTexts(head, trees).mark(opened("src/b.py", "b = 1\n"))) == "same"  # a new episode
    (root / "src" / "a.py").write_text("changed\n", encoding="utf-8")
    git(root, "commit", "-q", "-am", "next")  # the episode's commit stays the one it started at
    assert head_text(FirstTexts(head, trees).mark(opened("src/a.py", CLEAN))) == "same"
    assert head_text(FirstTexts(None, trees).mark(opened("src/a.py", CLEAN))) is None  # no HEAD
    assert head_text(FirstTexts("f" * 40, trees).mark(opened("src/a.py", CLEAN))) is None  # not listed
    sub = tmp_path / "sub"
    repository(sub)
    git(root, "-c", "protocol.file.allow=always", "submodule", "add", "-q", str(sub), "vendor/sub")
    git(root, "commit", "-q", "-m", "a submodule")
    with_sub = git(root, "rev-parse", "HEAD")
    assert head_text(FirstTexts(with_sub, trees).mark(opened("vendor/sub/src/a.py", CLEAN))) is None
    assert head_text(FirstTexts(with_sub, trees).mark(opened("vendor/other.py", ""))) == "absent"


def test_compared_before_redaction_and_a_redacted_text_is_no_base(tmp_path: Path) -> None:
    """A file holding a token at HEAD, opened as HEAD holds it with the default settings (no snapshot):
    the journal says `same`, the sealed episode holds the placeholder, and zeta2 leaves the burst out as a
    file whose text at the revision was redacted, while the clean file's burst gives a row."""
    home, root = tmp_path / "home", tmp_path / "ws"
    repository(root)
    secret = f'TOKEN = "{TOKEN}"\n'
    (root / "src" / "keys.py").write_text(secret, encoding="utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "keys")
    root = opt_in(root, "", home=home)
    start = now_ms() - 60_000
    steps = [
        {"kind": "open", "source": "bridge", "path": "src/keys.py", "language_id": "python", "text": secret},
        {"kind": "open", "source": "bridge", "path": "src/a.py", "language_id": "python", "text": CLEAN},
    ]
    for path, line, column in (("src/a.py", 1, 12), ("src/keys.py", 0, len(secret) - 1)):
        at = {"line": line, "character": column}
        steps.append({"kind": "cursor", "source": "bridge", "path": path,
                      "selections": [{"anchor": at, "active": at}]})
        steps += [{"kind": "edit", "source": "bridge", "path": path,
                   "changes": [{"range": {"start": {"line": line, "character": column + n},
                                          "end": {"line": line, "character": column + n}}, "text": ch}]}
                  for n, ch in enumerate(" # x")]
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", client={"name": "Neovim", "version": "0.11.4"},
                            position_encoding="utf-16")["recording"]
        client.send_steps([(start + 100 * n, step) for n, step in enumerate(steps)])
        settle(client)
        sealed = client.request("seal", workspace=str(root))
    kept = {step["path"]: step for step in episode_steps(Path(sealed["path"])) if step["kind"] == "open"}
    assert kept["src/keys.py"]["head_text"] == "same" and TOKEN not in json.dumps(kept)
    assert kept["src/a.py"]["head_text"] == "same"
    done = codetape(home, "export", sealed["path"], "--format", "zeta2", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for path in (tmp_path / "out").iterdir()
            for line in path.read_text(encoding="utf-8").splitlines()]
    assert [row["cursor_path"] for row in rows] == ["src/a.py"], done.stderr
    assert rows[0]["uncommitted_diff"] == ""
    assert "a file's text at the revision not known (its text there redacted) 1" in done.stderr, done.stderr
