"""Tampering with signed episodes: every change fails `codetape verify` with exit 1 and one clear line.

Damage (flipped bytes, truncation) is caught by the container or the signature. A capable attacker
also recomputes every CRC and the trailer hash ("resealing"), so the frame surgery below is always
resealed: only the signature stands between it and `ok`. The exhaustive sweeps run in-process on the
same entry point as the CLI; a representative set runs through the real command.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import random
import string
import struct
import sys
from dataclasses import dataclass
from pathlib import Path

import msgpack
import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from msgspec.structs import replace

from collector.cli.main import build_parser
from collector.consent import init_keys, sign_episode
from collector.consent.keys import key_id, load_private
from collector.consent.statement import encode_statement, pack_payload, parse_statement, signed_message
from collector.episode import EpisodeWriter
from collector.episode.container import CONSENT, OPTIONAL, STEPS, TRAILER, TRAILER_PAYLOAD, encode_frame
from collector.errors import CodetapeError
from collector.home import Home
from collector.text.oneline import one_line
from schemas import step_from_dict
from tests.cli import codetape_process
from tests.fixtures.make_golden import DIRECTORY, MINIMAL_HEADER

PREAMBLE = 12
UNKNOWN_OPTIONAL = 0x58
PARSERS: dict[str, argparse.ArgumentParser] = {}


@dataclass
class Frame:
    type: int
    flags: int
    payload: bytes


@dataclass
class Signed:
    """A signed episode, the home whose key signed it, and a second key that did not."""

    path: Path
    home: Home
    key_id: str
    public_file: Path


def frames_of(data: bytes) -> list[Frame]:
    frames, pos = [], PREAMBLE
    while pos < len(data):
        kind, flags, length = struct.unpack_from(">BBI", data, pos)
        frames.append(Frame(kind, flags, data[pos + 6 : pos + 6 + length]))
        pos += 6 + length + 4
    return frames


def reseal(data: bytes, frames: list[Frame], step_count: int | None = None) -> bytes:
    """The file with these frames, every CRC and the trailer recomputed, as an attacker would."""
    if step_count is None:
        step_count = TRAILER_PAYLOAD.unpack(frames_of(data)[-1].payload)[0]
    body = data[:PREAMBLE] + b"".join(encode_frame(f.type, f.payload, f.flags) for f in frames
                                      if f.type != TRAILER)
    return body + encode_frame(TRAILER, TRAILER_PAYLOAD.pack(step_count, hashlib.sha256(body).digest()))


def consent_of(frames: list[Frame]) -> Frame:
    return next(frame for frame in frames if frame.type == CONSENT)


def replace_statement(frames: list[Frame], payload: bytes) -> list[Frame]:
    return [Frame(f.type, f.flags, payload) if f.type == CONSENT else f for f in frames]


def cli(argv: list[str]) -> int:
    """`collector.cli.main.main` without building the parser again for every one of thousands of calls."""
    parser = PARSERS.get(argv[0]) or PARSERS.setdefault(argv[0], build_parser(argv[0]))
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except CodetapeError as exc:
        print(f"codetape: {one_line(str(exc))}", file=sys.stderr)
        return exc.exit_code


def verify(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str, str]:
    code = cli(["verify", *extra, str(path)])
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(path: Path, capsys: pytest.CaptureFixture[str], says: str = "", *extra: str) -> str:
    code, out, err = verify(path, capsys, *extra)
    lines = err.splitlines()
    assert code == 1 and out == "", (code, out, err)
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], err
    return lines[0]


def typing_episode(path: Path, chunks: int, edits_per_chunk: int) -> None:
    """Open a file and type into it, in `chunks` step chunks (an unknown optional frame between chunks
    forces the boundary; signing drops those frames and keeps the chunks)."""
    header = replace(MINIMAL_HEADER, capture=replace(MINIMAL_HEADER.capture, channels=["edits"]))
    text, t, version = "", 0, 1
    letters = random.Random(7)
    with open(path, "wb") as out:
        writer = EpisodeWriter(out, header, level=3)
        writer.add(step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "notes.txt",
                                   "version": 1, "text": ""}))
        for chunk in range(chunks):
            for n in range(edits_per_chunk):
                t, version = t + 7, version + 1
                char = "\n" if n % 50 == 49 else letters.choice(string.ascii_letters + " ")
                at = {"line": text.count("\n"), "character": len(text) - text.rfind("\n") - 1}
                change = {"range": {"start": at, "end": at}, "text": char}
                writer.add(step_from_dict({"kind": "edit", "t_ms": t, "source": "bridge", "path": "notes.txt",
                                           "version": version, "changes": [change]}))
                text += char
            if chunk < chunks - 1:
                writer.add_frame(UNKNOWN_OPTIONAL, b"boundary", OPTIONAL)
        writer.add(step_from_dict({"kind": "save", "t_ms": t + 1, "source": "bridge", "path": "notes.txt",
                                   "sha256": hashlib.sha256(text.encode()).hexdigest()}))
        writer.close()


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> tuple[Home, Home]:
    root = tmp_path_factory.mktemp("keys")
    mine, theirs = Home(root / "mine"), Home(root / "theirs")
    init_keys(mine)
    init_keys(theirs)
    return mine, theirs


def sign(source: Path, target: Path, home: Home) -> Signed:
    statement = sign_episode(source, target, home)
    return Signed(target, home, statement.reviewer.key_id, home.keys / "ed25519.pub")


@pytest.fixture(scope="module")
def small(keys: tuple[Home, Home], tmp_path_factory: pytest.TempPathFactory) -> Signed:
    return sign(DIRECTORY / "full.ctape", tmp_path_factory.mktemp("small") / "full.ctape", keys[0])


@pytest.fixture(scope="module")
def chunked(keys: tuple[Home, Home], tmp_path_factory: pytest.TempPathFactory) -> Signed:
    directory = tmp_path_factory.mktemp("chunked")
    typing_episode(directory / "source.ctape", chunks=3, edits_per_chunk=40)
    return sign(directory / "source.ctape", directory / "signed.ctape", keys[0])


@pytest.fixture(scope="module")
def large(keys: tuple[Home, Home], tmp_path_factory: pytest.TempPathFactory) -> Signed:
    directory = tmp_path_factory.mktemp("large")
    typing_episode(directory / "source.ctape", chunks=4, edits_per_chunk=10_000)
    return sign(directory / "source.ctape", directory / "signed.ctape", keys[0])


def test_the_untouched_episodes_verify(small: Signed, chunked: Signed, large: Signed,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    for signed in (small, chunked, large):
        assert verify(signed.path, capsys) == (0, f"ok (signed by {signed.key_id})\n", "")
    assert sum(frame.type == STEPS for frame in frames_of(large.path.read_bytes())) >= 4
    assert large.path.stat().st_size > 25_000


def test_flipping_any_byte_of_a_small_signed_episode_fails(small: Signed, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = small.path.read_bytes()
    target = tmp_path / "flipped.ctape"
    messages: set[str] = set()
    for offset in range(len(data)):
        for mask in (0xFF, 1 << (offset % 8)):  # every byte, whole and one bit (all bit positions)
            target.write_bytes(data[:offset] + bytes([data[offset] ^ mask]) + data[offset + 1 :])
            messages.add(assert_refused(target, capsys).split(" at byte ")[0])
    assert len(messages) >= 5, messages  # the failures name different problems, not one catch-all


def test_a_dense_sample_of_flips_in_a_larger_episode_fails(large: Signed, tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    data = large.path.read_bytes()
    consent_at = data.rindex(b"codetape/consent/v1") - 400
    offsets = set(range(0, len(data), 13)) | set(range(max(consent_at, 0), len(data)))
    target = tmp_path / "flipped.ctape"
    for offset in sorted(offsets):
        target.write_bytes(data[:offset] + bytes([data[offset] ^ (1 << (offset % 8))]) + data[offset + 1 :])
        assert_refused(target, capsys)


def test_every_truncation_fails(small: Signed, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = small.path.read_bytes()
    target = tmp_path / "short.ctape"
    for length in range(len(data)):
        target.write_bytes(data[:length])
        assert_refused(target, capsys)
    target.write_bytes(data + b"\0")
    assert_refused(target, capsys, "truncated")


def test_resealed_frame_surgery_fails(chunked: Signed, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    data = chunked.path.read_bytes()
    frames = frames_of(data)
    kinds = [frame.type for frame in frames]
    assert kinds == [0x48, STEPS, STEPS, STEPS, CONSENT, TRAILER]
    target = tmp_path / "surgery.ctape"
    content_changed = "signature does not match: the episode's content differs from what was signed"
    header, s1, s2, s3, consent, _trailer = frames
    cases: list[tuple[list[Frame], str, int | None]] = [
        ([header, s2, s1, s3, consent], content_changed, None),
        ([header, s1, s3, s2, consent], content_changed, None),
        ([header, s1, s2, consent, s3], "steps frame at byte", None),
        ([header, consent, s1, s2, s3], "steps frame at byte", None),
        ([header, s1, s3, consent], content_changed, 82),
        ([header, s1, s2, s2, s3, consent], content_changed, 162),
        ([header, s1, s2, s3, consent, consent], "second consent frame at byte", None),
        ([header, s1, s2, s3, Frame(UNKNOWN_OPTIONAL, OPTIONAL, b"x"), consent], content_changed, None),
        ([header, s1, s2, s3, consent, Frame(UNKNOWN_OPTIONAL, OPTIONAL, b"x")],
         "frame at byte", None),
        ([header, s1, s2, s3, Frame(CONSENT, 0, consent.payload)], "is not marked optional", None),
        ([header, s1, s2, s3, Frame(CONSENT, OPTIONAL, consent.payload + b" ")], "signature does not verify",
         None),
    ]
    for index, (surgery, says, count) in enumerate(cases):
        target.write_bytes(reseal(data, surgery, count))
        line = assert_refused(target, capsys)
        assert says in line, (index, line)
    target.write_bytes(reseal(data, [header, s1, s2, s3, consent, Frame(UNKNOWN_OPTIONAL, OPTIONAL, b"x")]))
    assert "follows the consent frame, outside what was signed" in assert_refused(target, capsys)


def test_resealed_changes_to_steps_or_header_fail(small: Signed, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    data = small.path.read_bytes()
    frames = frames_of(data)
    steps = next(frame for frame in frames if frame.type == STEPS)
    chunk = msgpack.unpackb(zstandard.ZstdDecompressor().decompress(steps.payload), raw=False)
    entry = next(entry for entry in chunk["g"] if "text" in entry)
    entry["text"] = entry["text"].replace("paginate", "paginat3")
    forged = Frame(STEPS, 0, zstandard.ZstdCompressor(write_checksum=True).compress(
        msgpack.packb(chunk, use_bin_type=True)))
    target = tmp_path / "forged.ctape"
    target.write_bytes(reseal(data, [forged if frame is steps else frame for frame in frames]))
    assert_refused(target, capsys, "signature does not match: the episode's content differs")
    header = frames[0]
    fields = msgpack.unpackb(zstandard.ZstdDecompressor().decompress(header.payload), raw=False)
    fields["workspace"]["root_name"] = "someone-else"
    forged_header = Frame(header.type, 0, zstandard.ZstdCompressor(write_checksum=True).compress(
        msgpack.packb(fields)))
    target.write_bytes(reseal(data, [forged_header, *frames[1:]]))
    assert_refused(target, capsys, "signature does not match: the episode's content differs")
    # the trailer's step count is outside the signed bytes, and still cannot change
    target.write_bytes(reseal(data, frames, step_count=TRAILER_PAYLOAD.unpack(frames[-1].payload)[0] - 1))
    assert_refused(target, capsys, "consent statement counts 21 steps, the episode holds 20")


def test_a_statement_swapped_in_from_another_episode_fails(small: Signed, keys: tuple[Home, Home],
                                                           tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    other = sign(DIRECTORY / "minimal.ctape", tmp_path / "minimal.ctape", keys[0])
    data = small.path.read_bytes()
    theirs = consent_of(frames_of(other.path.read_bytes())).payload
    target = tmp_path / "swapped.ctape"
    target.write_bytes(reseal(data, replace_statement(frames_of(data), theirs)))
    assert_refused(target, capsys, "the statement belongs to another episode")
    # the same content signed twice: either statement fits, which is no forgery (both are real consents)
    again = sign(DIRECTORY / "full.ctape", tmp_path / "again.ctape", keys[0])
    second = consent_of(frames_of(again.path.read_bytes())).payload
    target.write_bytes(reseal(data, replace_statement(frames_of(data), second)))
    assert verify(target, capsys) == (0, f"ok (signed by {small.key_id})\n", "")


def test_another_key_in_the_statement_fails_or_shows(small: Signed, keys: tuple[Home, Home], tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    data = small.path.read_bytes()
    frames = frames_of(data)
    payload = consent_of(frames).payload
    signature, statement_bytes = payload[:64], payload[64:]
    statement = parse_statement(statement_bytes)
    content = hashlib.sha256(data[: statement.content.bytes]).digest()
    assert content.hex() == statement.content.sha256
    theirs, their_info = load_private(keys[1], None)
    their_public = base64.b64encode(their_info.public_key).decode()
    target = tmp_path / "rekeyed.ctape"

    def write(statement_json: bytes, signer: Ed25519PrivateKey | None) -> None:
        sig = signature if signer is None else signer.sign(signed_message(content, statement_json))
        target.write_bytes(reseal(data, replace_statement(frames, pack_payload(sig, statement_json))))

    key_only = replace(statement, reviewer=replace(statement.reviewer, public_key=their_public))
    write(encode_statement(key_only), theirs)
    assert_refused(target, capsys, f"names key id {small.key_id} but carries the public key of "
                                   f"{their_info.key_id}")
    rekeyed = replace(key_only, reviewer=replace(key_only.reviewer, key_id=their_info.key_id))
    write(encode_statement(rekeyed), None)
    assert_refused(target, capsys, f"signature does not verify: the consent statement was altered after "
                                   f"signing, or was not signed by key {their_info.key_id}")
    write(encode_statement(rekeyed), theirs)
    # a complete re-signing by another key is a different signer, visible in the output...
    assert verify(target, capsys) == (0, f"ok (signed by {their_info.key_id})\n", "")
    # ...and refused by a receiver who expects the original reviewer
    assert_refused(target, capsys, f"episode is signed by key {their_info.key_id}, not by the expected key "
                                   f"{small.key_id}", "--key", str(small.public_file))
    purpose = json.loads(statement_bytes)
    purpose["terms"]["purpose"] = "anything at all"
    write(json.dumps(purpose, sort_keys=True, separators=(",", ":")).encode(), None)
    assert_refused(target, capsys, "signature does not verify: the consent statement was altered")
    assert key_id(their_info.public_key) == their_info.key_id != small.key_id


def test_removing_the_consent_frame_leaves_an_unsigned_episode_a_receiver_refuses(
        small: Signed, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = small.path.read_bytes()
    target = tmp_path / "stripped.ctape"
    target.write_bytes(reseal(data, [frame for frame in frames_of(data) if frame.type != CONSENT]))
    assert verify(target, capsys) == (0, "ok\n", "")
    assert_refused(target, capsys, "episode is not signed (no consent frame), and --key asks for a signature",
                   "--key", str(small.public_file))
    code = cli(["inspect", str(target)])
    assert code == 0 and "signed     no\n" in capsys.readouterr().out


def test_tampering_through_the_real_cli(small: Signed, keys: tuple[Home, Home], tmp_path: Path) -> None:
    data = small.path.read_bytes()
    frames = frames_of(data)
    other = sign(DIRECTORY / "minimal.ctape", tmp_path / "minimal.ctape", keys[0])
    step_at = PREAMBLE + 6 + len(frames[0].payload) + 4 + 30
    statement_at = data.rindex(b'"purpose"')
    cases = {
        "step-byte": (data[:step_at] + bytes([data[step_at] ^ 4]) + data[step_at + 1 :], "damaged"),
        "statement-byte": (data[:statement_at] + b"x" + data[statement_at + 1 :], "damaged"),
        "truncated": (data[: len(data) // 2], "truncated"),
        "swapped": (reseal(data, replace_statement(frames, consent_of(frames_of(
            other.path.read_bytes())).payload)), "the statement belongs to another episode"),
        "resealed-statement": (reseal(data, replace_statement(frames, consent_of(frames).payload.replace(
            b'"purpose":null', b'"purpose":"ads"'))), "signature does not verify"),
    }
    for name, (content, says) in cases.items():
        path = tmp_path / f"{name}.ctape"
        path.write_bytes(content)
        proc = codetape_process(tmp_path / "home", "verify", str(path))
        lines = proc.stderr.splitlines()
        assert proc.returncode == 1 and proc.stdout == "", (name, proc)
        assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], (name, proc.stderr)
        inspect = codetape_process(tmp_path / "home", "inspect", str(path))
        if inspect.returncode == 0:
            assert "signed     INVALID: " in inspect.stdout, (name, inspect.stdout)
