"""The LSP wire splitter: whatever it is fed comes out again byte for byte, and damage is named."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lsp_bridge.errors import MalformedMessage
from lsp_bridge.wire.framing import Framer, LspFrame, encode, parse


def message(n: int, text: str = "x") -> bytes:
    return encode({"jsonrpc": "2.0", "method": "m", "params": {"n": n, "text": text}})


def feed_in_pieces(framer: Framer, data: bytes, cuts: list[int]) -> list[LspFrame]:
    frames: list[LspFrame] = []
    start = 0
    for cut in sorted(set(cuts)):
        frames += framer.feed(data[start:cut])
        start = cut
    frames += framer.feed(data[start:])
    return frames


pieces = st.lists(st.one_of(
    st.builds(message, st.integers(0, 10**6), st.text(max_size=40)),
    st.sampled_from([b"Content-Length: abc\r\n\r\n{}", b"garbage", b"\r\n\r\n",
                     b"Content-Length: 2\r\n\r\n{]",
                     b"X-Other: 1\r\n\r\n", b"Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"]),
), max_size=12)


@given(pieces, st.lists(st.integers(0, 2000), max_size=20))
def test_frames_concatenate_to_exactly_the_input(parts: list[bytes], cuts: list[int]) -> None:
    data = b"".join(parts)
    framer = Framer(max_header=256)
    frames = feed_in_pieces(framer, data, [c for c in cuts if c <= len(data)])
    tail = framer.finish()
    out = b"".join(f.raw for f in frames) + (tail.raw if tail else b"")
    assert out == data


@given(st.lists(st.text(max_size=50), min_size=1, max_size=20), st.lists(st.integers(0, 3000), max_size=30))
def test_well_formed_messages_come_out_whole_however_cut(texts: list[str], cuts: list[int]) -> None:
    data = b"".join(message(i, text) for i, text in enumerate(texts))
    frames = feed_in_pieces(Framer(), data, [c for c in cuts if c <= len(data)])
    assert all(f.error is None and f.complete for f in frames)
    bodies = [json.loads(f.body) for f in frames if f.body is not None]
    assert [b["params"]["text"] for b in bodies] == texts


def test_a_bad_content_length_is_one_damaged_frame_and_the_next_message_survives() -> None:
    framer = Framer()
    frames = framer.feed(b"Content-Length: abc\r\n\r\n" + message(1))
    assert frames[0].error is not None and "Content-Length" in frames[0].error and frames[0].body is None
    assert frames[0].junk and not frames[1].junk
    assert frames[1].body is not None and json.loads(frames[1].body)["params"]["n"] == 1


def test_junk_glued_to_a_header_is_split_off_so_the_message_is_kept() -> None:
    frames = Framer().feed(b"{oops}" + message(7))
    assert frames[0].raw == b"{oops}" and frames[0].error is not None and frames[0].junk
    assert frames[1].body is not None and json.loads(frames[1].body)["params"]["n"] == 7


def test_a_short_content_length_cuts_the_body_and_resynchronises_on_the_next_header() -> None:
    good = message(2)
    frames = Framer().feed(b'Content-Length: 5\r\n\r\n{"jsonrpc": "2.0"}' + good)
    assert frames[0].body == b'{"jso'
    assert frames[-1].body is not None and json.loads(frames[-1].body)["params"]["n"] == 2
    assert any(f.error for f in frames[1:-1])


def test_a_message_above_the_cap_passes_through_in_pieces_then_framing_resumes() -> None:
    framer = Framer(max_body=100)
    big = b"Content-Length: 250\r\n\r\n" + b"a" * 250
    frames = framer.feed(big[:60]) + framer.feed(big[60:200]) + framer.feed(big[200:] + message(3))
    assert b"".join(f.raw for f in frames[:-1]) == big
    assert frames[0].error is not None and "cap" in frames[0].error
    assert not any(f.junk for f in frames)  # a well-delimited message is forwarded, however large
    assert [f.complete for f in frames[:-1]] == [False, False, True]
    assert framer.in_message is False
    assert frames[-1].body is not None and json.loads(frames[-1].body)["params"]["n"] == 3


def test_bytes_without_a_header_end_are_released_once_past_the_header_cap() -> None:
    framer = Framer(max_header=64)
    frames = framer.feed(b"z" * 100)
    assert len(frames) == 1 and frames[0].error is not None and framer.pending == 3
    tail = framer.finish()
    assert tail is not None and tail.raw == b"zzz" and tail.error is not None


def test_a_stream_that_ends_inside_a_message_reports_what_was_held_back() -> None:
    framer = Framer()
    assert framer.feed(message(1)[:-3]) == []
    tail = framer.finish()
    assert tail is not None and "ended inside a message" in (tail.error or "")
    assert framer.finish() is None


@given(st.sampled_from([b"Content-Length: %d", b"content-length: %d", b"Content-Length:%d",
                        b"Content-Length: 000%d", b"Content-Length: %d\r\nContent-Type: x",
                        b"Content-Type: x\r\nContent-Length: %d"]),
       st.binary(max_size=40), st.lists(st.integers(0, 120), max_size=6))
def test_the_usual_header_and_its_variants_frame_alike(header: bytes, body: bytes, cuts: list[int]) -> None:
    """`Content-Length: N` alone, read on its own fast path, gives what the other forms give."""
    data = header % len(body) + b"\r\n\r\n" + body
    assert feed_in_pieces(Framer(), data, cuts) == [LspFrame(data, body=body)]


def test_a_length_of_sixteen_digits_is_damage_on_either_path() -> None:
    for header in (b"Content-Length: 0000000000000002", b"content-length: 0000000000000002"):
        frames = Framer().feed(header + b"\r\n\r\n{}")
        assert frames[0].error is not None and frames[0].body is None


@pytest.mark.parametrize(("body", "reason"), [
    (b"[" * 1500 + b"]" * 1500, "JSON nested too deeply to read"),  # RecursionError in json.loads
    (b'{"a":[' * 1500 + b"]}" * 1500, "JSON nested too deeply to read"),
    (b"{not json", "invalid JSON (Expecting property name"),
    (b'"caf\xe9"', "invalid JSON ('utf-8' codec can't decode"),
])
def test_parse_refuses_what_json_cannot_read_with_one_error(body: bytes, reason: str) -> None:
    with pytest.raises(MalformedMessage) as refused:
        parse(body)
    assert str(refused.value).startswith(reason)


def test_parse_reads_nesting_well_below_the_limit() -> None:
    assert parse(b"[" * 200 + b"]" * 200) is not None
