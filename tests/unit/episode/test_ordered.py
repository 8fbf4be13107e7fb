"""Frames compressed in the background are emitted in the order they were given, a bounded few ahead."""

from __future__ import annotations

import functools
import threading

import pytest

from collector.episode.ordered import OrderedFrames


def test_pieces_come_out_in_the_order_they_went_in() -> None:
    out: list[bytes] = []
    frames = OrderedFrames(out.append, ahead=2)
    release = threading.Event()

    def slow() -> bytes:
        release.wait()
        return b"slow"

    frames.put(b"head")
    frames.compress(slow)
    frames.put(b"after slow")
    frames.compress(lambda: b"fast")
    assert out == [b"head"]  # nothing after the slow frame leaves before it
    release.set()
    frames.close()
    assert out == [b"head", b"slow", b"after slow", b"fast"]


def test_at_most_ahead_frames_wait() -> None:
    out: list[bytes] = []
    frames = OrderedFrames(out.append, ahead=1)
    for n in range(3):
        frames.compress(functools.partial(bytes, [n]))
        assert len(out) >= n  # the writer waited for all but the last one
    frames.close()
    assert out == [b"\x00", b"\x01", b"\x02"]


def test_a_failed_compression_is_raised_where_the_frame_is_emitted() -> None:
    frames = OrderedFrames(lambda data: None)

    def broken() -> bytes:
        raise ValueError("no room")

    try:
        with pytest.raises(ValueError, match="no room"):
            frames.compress(broken)  # raised here when already done, else by close
            frames.close()
    finally:
        frames.abandon()


def test_abandon_ends_the_thread_without_emitting() -> None:
    out: list[bytes] = []
    before = set(threading.enumerate())
    frames = OrderedFrames(out.append)
    release = threading.Event()
    frames.compress(lambda: b"late" if release.wait() else b"")
    started = set(threading.enumerate()) - before
    assert started
    release.set()
    frames.abandon()
    assert out == []
    assert not [t for t in started if t.is_alive()]
