"""Suggestions offered through the bridge in proxy mode, for real: a real pylsp's completion lists (one item
accepted, one list written over) and a scripted AI assistant's inline completions (tests/support/
inline_server.py: one taken whole, one typed over, one taken a word at a time). Each is an `offer` step
just before the change that decided it; the episode, signed and uploaded, builds into `offers` rows with
their outcome and `preferences` pairs where the developer's own text replaced the AI's, read with DuckDB,
the same pairs in its `dpo` export as TRL's DPO preparation takes them, and its `zeta2` export gives
those two bursts a `rejected_patch`: the suggestion applied instead."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import datasets
import pytest
from lsprotocol import types as lsp

from tests.cli import codetape
from tests.support.bridge_harness import (
    PYLSP,
    at_least,
    change,
    daemon,
    init_params,
    seal,
    start_bridge,
    steps_of,
    uri,
)
from tests.support.collector_harness import Daemon, git, opt_in
from tests.support.dataset_helpers import contributor, duck, sign, upload
from tests.support.trl_dpo import byte_tokenizer, prepare

__all__ = ["daemon"]

INLINE_SERVER = Path(__file__).parents[2] / "support" / "inline_server.py"


@pytest.fixture
def ws(tmp_path: Path, daemon: Daemon) -> Path:
    """This test's workspace (as bridge_harness's `ws`), a git repository with a snapshot at each episode's
    start: the text at its HEAD that zeta2's examples start from (issue 55, item 1)."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "README.md").write_text("offers\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "start")
    root = opt_in(root, 'snapshot = "tracked"\n', home=daemon.home.root)
    with daemon.client() as client:
        client.request("watch", workspace=str(root))
    return root


def opened(client: Any, doc: str, text: str) -> None:
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(
        uri=doc, language_id="python", version=1, text=text)))


def saved(client: Any, doc: str) -> None:
    client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(
        uri=doc)))


async def completion_items(client: Any, doc: str, line: int, character: int) -> list[lsp.CompletionItem]:
    found = await client.text_document_completion_async(lsp.CompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc),
        position=lsp.Position(line=line, character=character)))
    return list(found.items if isinstance(found, lsp.CompletionList) else found or [])


def caret(client: Any, doc: str, line: int, character: int) -> None:
    """The editor's plugin reports the caret (`codetape/cursor`), as it does while the developer types."""
    at = {"line": line, "character": character}
    client.protocol.notify("codetape/cursor", {"uri": doc, "selections": [{"anchor": at, "active": at}]})


async def inline_items(client: Any, doc: str, line: int, character: int) -> list[lsp.InlineCompletionItem]:
    caret(client, doc, line, character)
    found = await client.text_document_inline_completion_async(lsp.InlineCompletionParams(
        text_document=lsp.TextDocumentIdentifier(uri=doc),
        position=lsp.Position(line=line, character=character),
        context=lsp.InlineCompletionContext(trigger_kind=lsp.InlineCompletionTriggerKind.Automatic)))
    return list(found.items if isinstance(found, lsp.InlineCompletionList) else found or [])


async def pylsp_session(daemon: Daemon, ws: Path) -> None:
    client = await start_bridge(daemon.home.root, "--", *PYLSP)
    await client.initialize_session(init_params(ws, None))
    taken = uri(ws, "taken.py")
    opened(client, taken, "import os\nos.pa")
    assert "path" in [item.label for item in await completion_items(client, taken, 1, 5)]
    client.text_document_did_change(change(taken, 2, ((1, 3, 1, 5), "path")))  # the item, as editors apply it
    saved(client, taken)
    over = uri(ws, "over.py")
    opened(client, over, "import os\nos.pa")
    assert "path" in [item.label for item in await completion_items(client, over, 1, 5)]
    client.text_document_did_change(change(over, 2, ((1, 3, 1, 5), "getcwd()")))  # written over instead
    saved(client, over)
    await client.shutdown_session()


async def inline_session(daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    script = tmp_path / "suggestions.json"
    script.write_text(json.dumps({
        "ai_take.py": {"text": "return a + b", "from_line_start": True},
        "ai_over.py": {"text": "return a + b"},
        "ai_part.py": {"text": "return a - b  # minus"},
    }), encoding="utf-8")
    client = await start_bridge(daemon.home.root, "--", sys.executable, str(INLINE_SERVER), str(script))
    await client.initialize_session(init_params(ws, None))
    take = uri(ws, "ai_take.py")
    opened(client, take, "def add(a, b):\n    ")
    [item] = await inline_items(client, take, 1, 4)
    assert item.insert_text == "    return a + b" and item.range is not None  # Copilot's form
    client.text_document_did_change(change(take, 2, ((1, 4, 1, 4), "return a + b")))  # the editor's diff
    saved(client, take)
    over = uri(ws, "ai_over.py")
    opened(client, over, "def mul(a, b):\n    ")
    assert [i.insert_text for i in await inline_items(client, over, 1, 4)] == ["return a + b"]
    client.text_document_did_change(change(over, 2, ((1, 4, 1, 4), "return a * b")))  # typed over it
    saved(client, over)
    part = uri(ws, "ai_part.py")
    opened(client, part, "def sub(a, b):\n    ")
    assert [i.insert_text for i in await inline_items(client, part, 1, 4)] == ["return a - b  # minus"]
    client.text_document_did_change(change(part, 2, ((1, 4, 1, 4), "return ")))  # accept word
    client.text_document_did_change(change(part, 3, ((1, 11, 1, 11), "b - a")))  # then their own
    saved(client, part)
    await client.shutdown_session()


async def test_offers_through_the_proxy_are_steps_rows_and_preferences(daemon: Daemon, ws: Path,
                                                                       tmp_path: Path) -> None:
    await pylsp_session(daemon, ws)
    await inline_session(daemon, ws, tmp_path)
    episode = seal(daemon, ws, until=lambda steps: at_least(5, "offer")(steps) and at_least(5, "save")(steps),
                   what="five offers and five saves")
    steps = steps_of(episode)
    offers = {s["path"]: s for s in steps if s["kind"] == "offer"}
    assert sorted(offers) == ["ai_over.py", "ai_part.py", "ai_take.py", "over.py", "taken.py"]
    for path, offer in offers.items():  # each just before the edit that decided it
        at = steps.index(offer)
        assert steps[at + 1]["kind"] == "edit" and steps[at + 1]["path"] == path
    taken = offers["taken.py"]
    assert (taken["via"], taken["evidence"], taken["provider"], taken.get("ai", False)) == \
        ("completion", "lsp:textDocument/completion", "pylsp", False)
    assert taken["decision"] == "accepted" and taken["items"][taken["taken"]]["text"] == "path"
    assert taken["range"]["start"] == {"line": 1, "character": 5}
    assert offers["over.py"]["decision"] == "not_taken" and "taken" not in offers["over.py"]
    assert {p: (o["via"], o["decision"], o.get("taken"), o.get("taken_chars"), o["provider"], o["ai"])
            for p, o in offers.items() if p.startswith("ai_")} == {
        "ai_take.py": ("inline", "accepted", 0, None, "copilot-scripted", True),
        "ai_over.py": ("inline", "not_taken", None, None, "copilot-scripted", True),
        "ai_part.py": ("inline", "partly_accepted", 0, 7, "copilot-scripted", True),
    }
    assert offers["ai_take.py"]["items"] == [{"text": "return a + b"}]  # what it inserts at the caret

    alice = contributor(tmp_path, "alice")
    sign(alice, episode.path)
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--trust", str(alice.trust_file(tmp_path)), "--exports", "zeta2,dpo")
    assert done.returncode == 0, done.stderr
    con = duck(out)
    rows = con.execute("SELECT path, via, ai, decision, taken_text, settled, outcome FROM offers "
                       "ORDER BY path").fetchall()
    assert rows == [
        ("ai_over.py", "inline", True, "not_taken", None, "return a * b", "overwritten"),
        ("ai_part.py", "inline", True, "partly_accepted", "return ", "return b - a", "partly_accepted"),
        ("ai_take.py", "inline", True, "accepted", "return a + b", "return a + b", "accepted"),
        ("over.py", "completion", False, "not_taken", None, "getcwd()", "overwritten"),
        ("taken.py", "completion", False, "accepted", "path", "path", "accepted"),
    ]
    pairs = con.execute("SELECT path, context_before, context_after, chosen, rejected, outcome "
                        "FROM preferences ORDER BY path").fetchall()
    assert pairs == [
        ("ai_over.py", "def mul(a, b):\n    ", "", "return a * b", "return a + b", "overwritten"),
        ("ai_part.py", "def sub(a, b):\n    ", "", "return b - a", "return a - b  # minus",
         "partly_accepted"),
    ]
    # the same pairs as TRL's preference rows (`dpo`), each prepared by TRL's own DPO preparation
    dpo = out / "exports" / "dpo" / alice.key.key_id / f"{episode.header.episode_id}.dpo.jsonl"
    rows = datasets.load_dataset("json", data_files=str(dpo), split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(zip(rows["path"], rows["prompt"], rows["suffix"], rows["chosen"], rows["rejected"],
                      rows["outcome"], strict=True)) == [  # the prompt up to the caret's line, as offered
        (path, before[:-4], after, before[-4:] + chosen, before[-4:] + rejected, outcome)
        for path, before, after, chosen, rejected, outcome in pairs]
    tokenizer = byte_tokenizer()
    for row, done in zip(rows, prepare(rows, tokenizer), strict=True):
        assert tokenizer.decode(done["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(done["chosen_ids"]) == row["chosen"] + tokenizer.eos_token

    # zeta2: the bursts that replaced an AI's suggestion carry it as Zed's rejected patch, which applies
    # to the text the burst began in and gives that text with the suggestion taken whole
    zeta2 = tmp_path / "zeta2"
    done = codetape(tmp_path / "team", "export", str(episode.path), "--format", "zeta2", "-o", str(zeta2))
    assert done.returncode == 0, done.stderr
    examples = {example["cursor_path"]: example for example in map(json.loads, (
        zeta2 / f"{episode.header.episode_id}.zeta2.jsonl").read_text(encoding="utf-8").splitlines())}
    # (the files whose bursts had no caret reported before them: their first edit's start, issue 89)
    assert {path: example["tags"][1] for path, example in examples.items()} == {
        "ai_over.py": "caret:cursor", "ai_part.py": "caret:cursor", "ai_take.py": "caret:cursor",
        "over.py": "caret:first_edit", "taken.py": "caret:first_edit"}, examples
    # the build exported it in the pass that built its rows: the same bytes, with the table's split
    (split,) = con.execute("SELECT split FROM episodes").fetchone() or ("",)
    alone = next(iter(examples.values()))["tags"][0]
    built = out / "exports" / "zeta2" / alice.key.key_id / f"{episode.header.episode_id}.zeta2.jsonl"
    assert built.read_bytes() == (zeta2 / built.name).read_bytes().replace(
        f'"{alone}"'.encode(), f'"split:{split}"'.encode())
    assert examples["ai_take.py"]["rejected_patch"] is None  # (null: every row has every field)
    for path, before, suggested, written in (
            ("ai_over.py", "def mul(a, b):\n    ", "return a + b", "return a * b"),
            ("ai_part.py", "def sub(a, b):\n    ", "return a - b  # minus", "return b - a")):
        example = examples[path]
        assert list(example)[-2:] == ["expected_patches", "rejected_patch"], example  # (the struct's order)
        for which, patch, after in (("rejected", example["rejected_patch"], before + suggested),
                                    ("expected", example["expected_patches"][0], before + written)):
            work = tmp_path / "apply" / path / which
            work.mkdir(parents=True)
            (work / path).write_text(before, encoding="utf-8")
            applied = subprocess.run(["git", "apply", "-"], input=patch.encode(), cwd=work,
                                     capture_output=True, check=False)
            assert applied.returncode == 0, (patch, applied.stderr)
            assert (work / path).read_text(encoding="utf-8") == after, patch
