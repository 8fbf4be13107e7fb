"""What an agent's file tools wrote, read from a transcript's tool results (collector/transcripts/writes.py):
Claude Code's edits made as the tool makes them, Codex's patches applied as Codex applies them."""

from __future__ import annotations

from collector.transcripts import writes
from collector.transcripts.writes import FileWrite, applied

APP = "def add(a, b):\n    return a - b\n\n\ndef sub(a, b):\n    return a - b\n"


def test_claude_code_s_edit_replaces_the_first_old_string_or_every_one() -> None:
    result = {"filePath": "/ws/app.py", "oldString": "a - b", "newString": "a + b", "originalFile": APP,
              "replaceAll": False, "structuredPatch": []}
    [once] = writes.claude_code("Edit", result)
    assert once == FileWrite("/ws/app.py", "modified", before=APP, after=APP.replace("a - b", "a + b", 1),
                             report=[])
    [every] = writes.claude_code("Edit", {**result, "replaceAll": True})
    assert every.after == APP.replace("a - b", "a + b")


def test_claude_code_s_multi_edit_write_and_what_is_not_a_write() -> None:
    edits = [{"old_string": "def add", "new_string": "def plus"},
             {"old_string": "def sub", "new_string": "def minus"}]
    [multi] = writes.claude_code("MultiEdit", {"filePath": "/ws/app.py", "originalFileContents": APP,
                                               "edits": edits})
    assert multi.after == APP.replace("def add", "def plus").replace("def sub", "def minus")
    [made] = writes.claude_code("Write", {"type": "create", "filePath": "/ws/new.py", "content": "x = 1\n"})
    assert made == FileWrite("/ws/new.py", "created", after="x = 1\n")
    [rewritten] = writes.claude_code("Write", {"type": "update", "filePath": "/ws/app.py", "content": "y\n",
                                               "originalFile": APP})
    assert (rewritten.change, rewritten.before, rewritten.after) == ("modified", APP, "y\n")
    # an old string the file does not hold (the tool would have refused), no original, a relative path,
    # a tool that writes nothing: no write
    assert writes.claude_code("Edit", {"filePath": "/ws/app.py", "oldString": "zzz", "newString": "y",
                                       "originalFile": APP}) == ()
    assert writes.claude_code("Edit", {"filePath": "/ws/app.py", "oldString": "a", "newString": "b"}) == ()
    assert writes.claude_code("Write", {"filePath": "app.py", "content": "x"}) == ()
    assert writes.claude_code("Read", {"filePath": "/ws/app.py", "content": APP}) == ()


def test_a_codex_patch_is_applied_as_codex_applies_it() -> None:
    section = "*** Update File: app.py\n@@ def sub(a, b):\n-    return a - b\n+    return a - b  # same\n"
    # the chunk's old line is the second `return a - b`: the one after the `@@` line it names
    assert applied(section, APP) == APP[:-1] + "  # same\n"
    # without the `@@` line, the first one from the start; compared without surrounding white space
    assert applied("*** Update File: app.py\n@@\n-  return a - b  \n+    return a + b\n", APP) == \
        APP.replace("a - b", "a + b", 1)
    # lines only added go to the end; a file left without a last line break gets one, as Codex leaves it
    assert applied("*** Update File: a\n@@\n+z\n", "x\ny") == "x\ny\nz\n"
    # a chunk pinned to the end takes the last place its old lines are
    assert applied("*** Update File: a\n@@\n-x\n+w\n*** End of File\n", "x\ny\nx\n") == "x\ny\nw\n"
    # old lines the text does not hold: the patch does not fit it
    assert applied("*** Update File: a\n@@\n-nowhere\n+w\n", APP) is None


def test_a_codex_patch_s_files_only_when_codex_applied_it() -> None:
    patch = ("*** Begin Patch\n*** Add File: new.py\n+x = 1\n*** Update File: app.py\n*** Move to: lib.py\n"
             "@@\n-    return a - b\n+    return a + b\n*** Delete File: old.py\n*** End Patch")
    done = "Exit code: 0\nOutput:\nSuccess. Updated the following files:\nA new.py\nM lib.py\nD old.py\n"
    added, moved, deleted = writes.codex(patch, done, "/ws", "c0ffee")
    assert added == FileWrite("/ws/new.py", "created", after="x = 1\n", report="*** Add File: new.py\n+x = 1")
    assert (moved.path, moved.change, moved.new_path, moved.commit) == ("/ws/app.py", "renamed", "/ws/lib.py",
                                                                        "c0ffee")
    assert moved.section is not None and applied(moved.section, APP) == APP.replace("a - b", "a + b", 1)
    assert deleted == FileWrite("/ws/old.py", "deleted")
    assert writes.codex(patch, "apply_patch verification failed: no such line", "/ws", "c0ffee") == ()
    assert writes.codex(patch, None, "/ws", "c0ffee") == ()
