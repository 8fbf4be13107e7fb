"""What a session's clients said in their hellos: the first editor's name, and the position encoding the
editors are told (the first one offered; once told, it never changes).

An episode may open before any editor said hello (a watcher's, the shell hook's or the pytest plugin's
step opens it): the journal's header then names no editor and utf-16, and the first editor's hello gives
the header its name and, while no step with positions was written, its encoding (a header rewrite,
open_episode.py). Not thread-safe: the session's lock guards it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import msgspec

from collector.daemon.open_episode import OpenEpisode
from schemas import ClientInfo
from schemas.common import PositionEncoding

log = logging.getLogger("codetape.collector")
_ENCODINGS: tuple[PositionEncoding, ...] = ("utf-8", "utf-16", "utf-32")


class Hellos:
    """The editor and the position encoding a session's hellos named."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client: ClientInfo | None = None
        self.encoding: PositionEncoding | None = None
        self._told_encoding = False  # once a client was told the encoding, it never changes

    def hello(self, client: dict[str, Any] | None, position_encoding: str | None,
              episode: OpenEpisode | None) -> PositionEncoding:
        """(lock held) Remember the first client info and position encoding offered, and give the open
        `episode` them if it has none yet; returns the session's encoding."""
        if self.client is None:
            self.client = client_info(client, self.root)
        offered = position_encoding in _ENCODINGS
        if offered and not self._told_encoding:
            self.encoding = _ENCODINGS[_ENCODINGS.index(position_encoding)]
        if episode is not None:
            self._adopt(episode, encoding_offered=offered)
        self._told_encoding = self._told_encoding or offered
        return self.encoding or "utf-16"

    def _adopt(self, episode: OpenEpisode, *, encoding_offered: bool) -> None:
        """Give an episode a capture source opened before any editor the editor's name and encoding."""
        header = episode.header
        changes: dict[str, Any] = {}
        if header.client is None and self.client is not None:
            changes["client"] = self.client
        wanted = self.encoding or "utf-16"
        if encoding_offered and header.position_encoding != wanted:
            if episode.positional or self._told_encoding:
                self.encoding = header.position_encoding  # positions already written: keep theirs
            else:
                changes["position_encoding"] = wanted
        if changes:
            episode.rewrite_header(changes)


def client_info(client: object, root: Path) -> ClientInfo | None:
    """The editor a hello's `client` names (its name and version), or None when it names none or an invalid
    one (logged)."""
    if not isinstance(client, dict) or not isinstance(client.get("name"), str):
        return None
    try:
        return msgspec.convert({"name": client["name"], "version": client.get("version")}, ClientInfo)
    except msgspec.ValidationError:
        log.warning("%s: ignoring an invalid client info", root)
        return None
