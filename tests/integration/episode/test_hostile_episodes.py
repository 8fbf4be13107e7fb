"""Hostile episodes through the real CLI: each is refused with one line, in bounded memory, writing nothing.

Every file here is hand-crafted with the container helpers: damaged ones (truncated, flipped bits),
and valid containers with hostile content (bombs, amplification, paths that escape). Each command runs
in its own process; its peak RSS comes from wait4 and must stay under CAP_MB. The exhaustive sweeps
(every truncation offset, every bit) run in-process on the same reader the CLI uses.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgpack
import pytest

from collector.episode import open_episode, write_episode_file
from collector.episode.container import (
    CONSENT,
    HEADER,
    MAGIC,
    OPTIONAL,
    STEPS,
    TRAILER,
    TRAILER_PAYLOAD,
    compress,
    encode_frame,
)
from collector.errors import CheckoutRefused, CodetapeError
from collector.reconstruct.checkout import plan_checkout, safe_parts
from collector.reconstruct.workspace import workspace_at
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict
from schemas.common import plain
from tests.cli import Limited, codetape_limited

CAP_MB = 300
ADDRESS_SPACE_LIMIT = 3 << 30  # a runaway child fails fast instead of exhausting the machine
GOLDEN = Path(__file__).resolve().parents[2] / "fixtures" / "episodes"
HEAD = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID("5e1f0c2a-7b3d-4e8f-9a6b-1c2d3e4f5a6b"),
                     started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
                     workspace=WorkspaceIdentity(root_name="hostile"))


@dataclass
class Area:
    """A directory tree the test watches: nothing may appear in it except under `out`."""

    root: Path
    io: Path

    @property
    def out(self) -> Path:
        return self.root / "work" / "out"

    def snapshot(self) -> set[str]:
        return {str(p.relative_to(self.root)) for p in self.root.rglob("*")
                if not p.is_relative_to(self.out)}


@pytest.fixture
def area(tmp_path: Path) -> Area:
    root = tmp_path / "area"
    for sub in ("work", "home", "cwd", "files"):
        (root / sub).mkdir(parents=True)
    (tmp_path / "io").mkdir()
    return Area(root, tmp_path / "io")


def run_in(area: Area, *args: str, timeout: float = 60) -> Limited:
    """`codetape ARGS` with the area's home and working directory, in a process of its own limited to
    ADDRESS_SPACE_LIMIT (tests.cli.codetape_limited: its own peak RSS comes from wait4)."""
    return codetape_limited(area.root / "home", *args, cwd=area.root / "cwd",
                            address_space=ADDRESS_SPACE_LIMIT, timeout=timeout)


def assert_refused(run: Limited, code: int = 1, *, says: str = "") -> None:
    lines = run.stderr.splitlines()
    assert run.returncode == code, run
    assert len(lines) == 1 and lines[0].startswith("codetape: "), run.stderr
    assert "Traceback" not in run.stderr
    assert says in lines[0], lines[0]
    assert run.peak_mb < CAP_MB, f"peak RSS {run.peak_mb:.0f} MB"


# -- building files -----------------------------------------------------------------------------


def container(*frames: bytes, versions: tuple[int, int] = (1, 1), step_count: int = 0,
              digest: bytes | None = None) -> bytes:
    """A container around `frames` with a correct trailer (unless `digest` says otherwise)."""
    body = MAGIC + struct.pack(">HH", *versions) + b"".join(frames)
    digest = hashlib.sha256(body).digest() if digest is None else digest
    return body + encode_frame(TRAILER, TRAILER_PAYLOAD.pack(step_count, digest))


def header_frame(data: Any = None) -> bytes:
    payload = plain(HEAD) if data is None else data
    return encode_frame(HEADER, compress(msgpack.packb(payload), 3))


def steps_frame(payload: bytes) -> bytes:
    return encode_frame(STEPS, compress(payload, 1))


def chunk(steps: list[dict[str, Any]]) -> bytes:
    """A steps frame holding plain step dicts, encoded by the real codec."""
    from collector.episode.chunk import encode_chunk

    return steps_frame(msgpack.packb(encode_chunk(steps, "utf-16"), use_bin_type=True))


def zstd_frame(content_size: int | None, *, window_log: int = 10, checksum: bool = True,
               body: bytes = b"") -> bytes:
    """A zstd frame of one raw block holding `body`, declaring whatever `content_size` says."""
    descriptor = (0xC0 if content_size is not None else 0) | (0x04 if checksum else 0)
    head = b"\x28\xb5\x2f\xfd" + bytes([descriptor, (window_log - 10) << 3])
    if content_size is not None:
        head += content_size.to_bytes(8, "little")
    block = (1 | len(body) << 3).to_bytes(3, "little") + body
    return head + block + (b"\0\0\0\0" if checksum else b"")


def relabel_size(frame: bytes, size: int) -> bytes:
    """A real zstd frame whose 4-byte content-size field now says `size`."""
    descriptor = frame[4]
    assert descriptor >> 6 == 2 and descriptor & 0x03 == 0, "expected a 4-byte size field, no dict id"
    at = 5 if descriptor & 0x20 else 6
    return frame[:at] + size.to_bytes(4, "little") + frame[at + 4 :]


def note(t_ms: int = 0, text: str = "fine") -> dict[str, Any]:
    return {"kind": "note", "t_ms": t_ms, "source": "cli", "text": text}


def write(area: Area, name: str, data: bytes) -> str:
    path = area.root / "files" / name
    path.write_bytes(data)
    return str(path)


def write_steps(area: Area, name: str, steps: list[dict[str, Any]]) -> str:
    path = area.root / "files" / name
    write_episode_file(path, HEAD, [step_from_dict(step) for step in steps], level=1)
    return str(path)


# -- paths that escape DIR ----------------------------------------------------------------------

ESCAPES = ["../x", "a/../../x", "/etc/x", "a\x00b", "C:\\x", "C:x", "c:/x", "..\\x", "a\\..\\..\\x",
           ".git/hooks/post-checkout", "a/.GIT/config", "a//b", "./a", "a/.", "a/", "x" * 256]


@pytest.mark.parametrize("hostile", ESCAPES)
def test_paths_that_could_escape_are_refused_in_process(hostile: str) -> None:
    with pytest.raises(CheckoutRefused, match="refusing to check out"):
        safe_parts(hostile)


@pytest.mark.parametrize("hostile", ["../x", "a/../../x", "ABSOLUTE", "a\x00b", "C:\\x"])
def test_checkout_refuses_a_path_that_could_escape(area: Area, hostile: str) -> None:
    if hostile == "ABSOLUTE":
        hostile = str(area.root / "cwd" / "absolute-target")
    episode = write_steps(area, "escape.ctape", [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "ok.py", "text": "fine\n"},
        {"kind": "file_change", "t_ms": 1, "source": "watcher", "path": hostile, "change": "created",
         "text": "pwned\n"},
    ])
    before = area.snapshot()
    run = run_in(area, "checkout", episode, str(area.out))
    assert_refused(run, says="refusing to check out")
    assert area.snapshot() == before
    assert not area.out.exists()


@pytest.mark.parametrize("step", [
    {"kind": "open", "t_ms": 1, "source": "bridge", "path": "../opened", "text": "x"},
    {"kind": "file_change", "t_ms": 1, "source": "watcher", "path": "ok.py", "change": "renamed",
     "new_path": "../../renamed"},
    {"kind": "gap", "t_ms": 1, "source": "review", "reason": "dropped_by_review",
     "state": [{"path": "/tmp/../gap", "text": "x"}]},
    {"kind": "save", "t_ms": 1, "source": "bridge", "path": "sub/../../saved", "text": "x"},
], ids=["open", "rename", "gap-state", "save-text"])
def test_every_step_that_names_a_file_is_checked_in_process(tmp_path: Path, step: dict[str, Any]) -> None:
    opened = {"kind": "open", "t_ms": 0, "source": "bridge", "path": "ok.py", "text": "fine\n"}
    steps = [step_from_dict(opened), step_from_dict(step)]
    with pytest.raises(CheckoutRefused, match="refusing to check out"):
        plan_checkout(workspace_at("utf-16", steps), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_checkout_refuses_symlinks_inside_dir_and_writes_nothing(area: Area) -> None:
    outside = area.root / "cwd" / "outside"
    outside.mkdir()
    victim = area.root / "cwd" / "victim.txt"
    victim.write_text("keep me\n")
    area.out.mkdir()
    (area.out / "link").symlink_to(outside, target_is_directory=True)
    (area.out / "f.py").symlink_to(victim)
    for target in ("link/x.py", "f.py"):
        episode = write_steps(area, "symlink.ctape", [
            {"kind": "open", "t_ms": 0, "source": "bridge", "path": "a-first.py", "text": "fine\n"},
            {"kind": "open", "t_ms": 1, "source": "bridge", "path": target, "text": "pwned\n"}])
        before = area.snapshot()
        assert_refused(run_in(area, "checkout", episode, str(area.out)), says="is a symlink")
        assert_refused(run_in(area, "checkout", episode, str(area.out), "--force"), says="is a symlink")
        assert area.snapshot() == before
        assert sorted(p.name for p in area.out.iterdir()) == ["f.py", "link"]
    assert victim.read_text() == "keep me\n" and not list(outside.iterdir())


def link(path: str, target: str, t_ms: int = 1) -> dict[str, Any]:
    return {"kind": "file_change", "t_ms": t_ms, "source": "files", "path": path, "change": "created",
            "link": target}


def test_checkout_makes_links_that_stay_inside_and_no_other(area: Area) -> None:
    """Recorded links come back as links when they cannot lead out of DIR, whatever other links they
    meet; a link out (absolute, climbing too high, climbing again after a folder that may be a link) is
    not made, and stderr says which."""
    outside = [("cfg", "../../.docker"), ("abs", "/etc/passwd"), ("a/up", "../../x"), ("a/s", "."),
               ("through", "a/s/../../x"), ("sneaky", "a/../../x")]
    inside = [("a/readme", "../README.md"), ("a/b/c", "../../a/readme"), ("dir", "a"), ("a/self", "./b/")]
    episode = write_steps(area, "links.ctape", [
        {"kind": "file_change", "t_ms": 0, "source": "files", "path": "README.md", "change": "created",
         "text": "hello\n"},
        *(link(path, target) for path, target in outside + inside)])
    before = area.snapshot()
    run = run_in(area, "checkout", episode, str(area.out))
    assert run.returncode == 0, run
    assert area.snapshot() == before
    made = {str(p.relative_to(area.out)): os.readlink(p) for p in area.out.rglob("*") if p.is_symlink()}
    assert made == {**dict(inside), "a/s": "."}  # `.` alone stays where it is
    refused = [line for line in run.stderr.splitlines() if line.startswith("not made")]
    assert sorted(refused) == sorted(f"not made (a link to {target}, which could lead out of DIR): {path}"
                                     for path, target in outside if path != "a/s")
    assert (area.out / "a" / "readme").read_text() == "hello\n"
    assert run.stderr.splitlines()[-1] == f"wrote 1 file and {len(inside) + 1} links to {area.out}"


@pytest.mark.parametrize("target", ["../outside", "sub"])
def test_a_file_behind_a_recorded_link_is_refused_not_written_through_it(area: Area, target: str) -> None:
    episode = write_steps(area, "through.ctape", [link("cfg", target, 0), {
        "kind": "file_change", "t_ms": 1, "source": "files", "path": "cfg/config.json", "change": "created",
        "text": "pwned\n"}])
    run = run_in(area, "checkout", episode, str(area.out))
    assert_refused(run, says="both as a link and as a directory")
    assert not area.out.exists()


def test_checkout_refuses_a_path_that_is_both_file_and_directory(area: Area) -> None:
    episode = write_steps(area, "both.ctape", [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "a", "text": "file\n"},
        {"kind": "open", "t_ms": 1, "source": "bridge", "path": "a/b", "text": "inside\n"}])
    run = run_in(area, "checkout", episode, str(area.out))
    assert_refused(run, says="both as a file and as a directory")
    assert not area.out.exists()


# -- zstd bombs ---------------------------------------------------------------------------------


def test_frames_declaring_huge_sizes_are_refused_before_decoding(area: Area) -> None:
    huge = zstd_frame(1 << 40)
    for name, data in [
        ("header", container(encode_frame(HEADER, huge))),
        ("steps", container(header_frame(), encode_frame(STEPS, huge), step_count=1)),
    ]:
        assert_refused(run_in(area, "verify", write(area, f"{name}.ctape", data)), says="above the")


def test_an_honest_bomb_up_to_the_cap_stays_bounded(area: Area) -> None:
    bomb = compress(b"\0" * (120 << 20), 1)
    assert len(bomb) < 64 << 10
    data = container(header_frame(), encode_frame(STEPS, bomb), step_count=1)
    run = run_in(area, "cat", write(area, "bomb.ctape", data))
    assert_refused(run, says="bytes after its msgpack value")


@pytest.mark.parametrize("case", ["smaller", "larger", "window", "no-size", "no-checksum", "not-zstd"])
def test_zstd_frames_that_lie_or_break_the_rules(area: Area, case: str) -> None:
    payload = {
        "smaller": relabel_size(compress(b"\x90" * (4 << 20), 1), 1000),
        "larger": relabel_size(compress(bytes(range(256)) * 300, 1), 30_000_000),
        "window": zstd_frame(16, window_log=26, body=b"\x90" * 16),
        "no-size": zstd_frame(None, body=b"\x90"),
        "no-checksum": zstd_frame(1, checksum=False, body=b"\x90"),
        "not-zstd": b"this is not zstd at all",
    }[case]
    data = container(header_frame(), encode_frame(STEPS, payload), step_count=1)
    assert_refused(run_in(area, "verify", write(area, f"{case}.ctape", data)), says="steps frame")


# -- msgpack and chunk amplification ------------------------------------------------------------


def test_msgpack_declaring_huge_counts_is_refused(area: Area) -> None:
    nested = (b"\xdd" + (4_000_000).to_bytes(4, "big")) * 1000
    for name, payload in [
        ("array", b"\xdd\xff\xff\xff\xff"),
        ("map", b"\xdf\xff\xff\xff\xff"),
        ("string", b"\xdb\xff\xff\xff\xff"),
        ("nested", nested),
        ("deep", b"\x91" * (1 << 20) + b"\xc0"),
    ]:
        data = container(header_frame(), steps_frame(payload), step_count=1)
        assert_refused(run_in(area, "verify", write(area, f"{name}.ctape", data)), says="steps frame")


def test_msgpack_amplification_by_empty_containers_is_refused(area: Area) -> None:
    count = 4_000_000  # 64 MB that would unpack into 64 million lists (several GB)
    payload = b"\xdd" + count.to_bytes(4, "big") + (b"\x9f" + b"\x90" * 15) * count
    data = container(header_frame(), steps_frame(payload), step_count=1)
    assert_refused(run_in(area, "inspect", write(area, "lists.ctape", data)), says="amplification")
    header_bomb = b"\x81\xa1h\xdd" + (1 << 20).to_bytes(4, "big") + (b"\x9f" + b"\x80" * 15) * (1 << 20)
    data = container(encode_frame(HEADER, compress(header_bomb, 1)))
    assert_refused(run_in(area, "inspect", write(area, "header.ctape", data)), says="amplification")


def test_an_edit_declaring_millions_of_changes_is_refused(area: Area) -> None:
    changes = 1_000_000
    columns = {"n": 1, "t0": 0, "k": b"\x01", "dt": [0], "S": ["bridge"], "s": b"\x00", "P": ["a.py"],
               "g": [], "ep": [0], "ev": [None], "en": [changes], "cf": list(range(changes)), "c": [],
               "cl": [0] * changes, "ct": ""}
    data = container(header_frame(), steps_frame(msgpack.packb(columns, use_bin_type=True)), step_count=1)
    assert_refused(run_in(area, "cat", write(area, "changes.ctape", data)), says="1000000 changes")


@pytest.mark.parametrize("command", ["verify", "checkout"])
def test_reconstruction_amplification_is_refused(area: Area, command: str) -> None:
    lines = "\r\n" * (30 << 20)  # 60 MB of text, tens of millions of line objects
    steps = [{"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.txt", "text": lines}]
    data = container(header_frame(), chunk(steps), step_count=1)
    args = [str(area.out)] if command == "checkout" else []
    run = run_in(area, command, write(area, "lines.ctape", data), *args)
    assert_refused(run, says="MiB in memory")
    assert not area.out.exists()


# -- structure: valid frames in a hostile arrangement ---------------------------------------------


def _structures() -> dict[str, tuple[bytes, str]]:
    good = chunk([note()])
    return {
        "needs-newer-reader": (container(header_frame(), versions=(2, 2)), "needs format 2"),
        "no-header": (container(good, step_count=1), "not the header"),
        "two-headers": (container(header_frame(), header_frame()), "second header"),
        "steps-after-consent": (container(header_frame(), encode_frame(CONSENT, b"sig", OPTIONAL), good,
                                          step_count=1), "follows the consent"),
        "unknown-required-frame": (container(header_frame(), encode_frame(0x5A, b"?")), "does not know"),
        "reserved-flag": (container(header_frame(), encode_frame(0x5A, b"?", 0x02)), "reserved flag"),
        "frame-after-trailer": (container(header_frame()) + header_frame(), "follows the trailer"),
        "garbage-after-trailer": (container(header_frame()) + b"\0", "truncated"),
        "oversized-frame": (container(header_frame()) [:12] + struct.pack(">BBI", STEPS, 0, 0xFFFFFFFF),
                            "above the"),
        "wrong-trailer-hash": (container(header_frame(), digest=b"\0" * 32), "does not match the hash"),
        "wrong-step-count": (container(header_frame(), good, step_count=7), "trailer says 7"),
        "header-invalid": (container(header_frame({"codetape_version": "0.1.0"})), "header is invalid"),
        "header-not-a-map": (container(header_frame([1, 2, 3])), "header is invalid"),
        "chunk-not-a-map": (container(header_frame(), steps_frame(msgpack.packb([1])), step_count=1),
                            "not a map"),
        "step-invalid": (container(header_frame(), chunk([note(text="x" * 70_000)]), step_count=1),
                         "is invalid"),
        "time-beyond-clock": (container(header_frame(), chunk([note(t_ms=2**60)]), step_count=1),
                              "is invalid"),
        "time-backwards": (container(header_frame(), chunk([note(t_ms=50)]), chunk([note(t_ms=10)]),
                                     step_count=2), "backwards"),
        "edit-unopened": (container(header_frame(), chunk([{
            "kind": "edit", "t_ms": 0, "source": "bridge", "path": "a.py", "changes": [{"text": "x"}]}]),
            step_count=1), "not open"),
        "save-hash-wrong": (container(header_frame(), chunk([
            {"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py", "text": "x"},
            {"kind": "save", "t_ms": 1, "source": "bridge", "path": "a.py", "sha256": "0" * 64}]),
            step_count=2), "does not match the saved hash"),
    }


@pytest.mark.parametrize("case", sorted(_structures()))
def test_hostile_structure_is_refused_in_process(tmp_path: Path, case: str) -> None:
    data, says = _structures()[case]
    path = tmp_path / "e.ctape"
    path.write_bytes(data)
    with pytest.raises(CodetapeError, match=re.escape(says)):
        read_everything(path)


THROUGH_THE_CLI = ["needs-newer-reader", "steps-after-consent", "oversized-frame", "wrong-trailer-hash",
                   "step-invalid", "time-backwards", "edit-unopened", "save-hash-wrong"]


def test_hostile_structures_through_the_cli(area: Area) -> None:
    structures = _structures()
    for case in THROUGH_THE_CLI:
        data, says = structures[case]
        assert_refused(run_in(area, "verify", write(area, f"{case}.ctape", data)), says=says)


# -- damage: truncation and flipped bits ------------------------------------------------------------


def _frame_bounds(data: bytes) -> list[int]:
    """Offsets where each frame starts, and the end of the file."""
    bounds, offset = [], 12
    while offset < len(data):
        bounds.append(offset)
        offset += 6 + struct.unpack(">I", data[offset + 2 : offset + 6])[0] + 4
    return [*bounds, len(data)]


def read_everything(path: Path) -> None:
    """What `codetape verify` does, in-process: container, every step, the full replay."""
    verify_replay(open_episode(path))


def test_truncation_at_any_offset_is_refused_in_process(tmp_path: Path) -> None:
    data = (GOLDEN / "full.ctape").read_bytes()
    path = tmp_path / "cut.ctape"
    for end in range(len(data)):
        path.write_bytes(data[:end])
        with pytest.raises(CodetapeError):
            read_everything(path)


def test_truncation_through_the_cli(area: Area) -> None:
    data = (GOLDEN / "full.ctape").read_bytes()
    bounds = _frame_bounds(data)
    inside_frames = {(start + end) // 2 for start, end in itertools.pairwise(bounds)}
    cuts = sorted({5, bounds[1] + 3, len(data) - 1} | inside_frames)
    for end in cuts:
        assert_refused(run_in(area, "verify", write(area, "cut.ctape", data[:end])))


def test_a_flipped_bit_in_any_byte_is_refused_in_process(tmp_path: Path) -> None:
    data = (GOLDEN / "minimal.ctape").read_bytes()
    path = tmp_path / "flipped.ctape"
    for index in range(len(data)):
        damaged = bytearray(data)
        damaged[index] ^= 1 << (index % 8)
        path.write_bytes(damaged)
        with pytest.raises(CodetapeError):
            read_everything(path)


def test_flipped_bits_in_each_part_through_the_cli(area: Area) -> None:
    data = (GOLDEN / "minimal.ctape").read_bytes()
    header_at, steps_at, trailer_at, end = _frame_bounds(data)
    places = {
        "magic": (0, "not an episode"), "magic-crlf": (5, "signature is damaged"),
        "read-version": (8, "needs format"), "write-version": (11, "does not match the hash"),
        "header-type": (header_at, "checksum"), "header-length": (header_at + 5, "checksum"),
        "header-payload": (header_at + 20, "checksum"),
        "steps-payload": ((steps_at + trailer_at) // 2, "checksum"),
        "steps-crc": (trailer_at - 1, "checksum"), "trailer-count": (trailer_at + 10, "checksum"),
        "trailer-hash": (end - 10, "checksum"),
    }
    for name, (index, says) in places.items():
        damaged = bytearray(data)
        damaged[index] ^= 0x80
        run = run_in(area, "verify", write(area, f"{name}.ctape", bytes(damaged)))
        assert_refused(run, says=says)


# -- usage ----------------------------------------------------------------------------------------


def test_usage_errors_exit_2_with_one_line(area: Area) -> None:
    golden = str(GOLDEN / "minimal.ctape")
    assert_refused(run_in(area, "verify", str(area.root / "nope.ctape")), 2, says="no episode file")
    assert_refused(run_in(area, "verify", str(area.root)), 2, says="not an episode file")
    assert_refused(run_in(area, "checkout", golden, str(area.out), "--step", "3"), 2, says="out of range")
    assert not area.out.exists()
