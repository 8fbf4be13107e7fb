"""Every editor an episode names, for a person: names and versions, or (unlinkable) names and major versions;
the header writes `editors` only when there are two or more, so a one-editor episode keeps its bytes."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import msgspec
import pytest

from collector.episode.summary import editors_text
from schemas import ClientInfo, EpisodeHeader, WorkspaceIdentity
from schemas.common import checked

NEOVIM = ClientInfo(name="Neovim", version="0.11.4")
CODE = ClientInfo(name="Code - OSS", version="1.96.2")


def test_each_editor_with_its_version() -> None:
    assert editors_text([NEOVIM, CODE]) == "Neovim 0.11.4, Code - OSS 1.96.2"
    assert editors_text([ClientInfo(name="Helix")]) == "Helix" and editors_text([]) == ""
    assert editors_text([ClientInfo(name="vim\x1b[31m", version="9.1")]) == "vim\\x1b[31m 9.1"


def test_unlinkable_names_and_major_versions_only() -> None:
    assert editors_text([NEOVIM, CODE], unlinkable=True) == "Neovim 0, Code - OSS 1"
    assert editors_text([ClientInfo(name="Zed", version="insiders-2026")], unlinkable=True) == "Zed"
    assert editors_text([ClientInfo(name="Helix", version="25.01")], unlinkable=True) == "Helix 25"


def header(**fields: object) -> EpisodeHeader:
    started = datetime(2026, 1, 1, tzinfo=UTC)
    return EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.UUID(int=1), started_at=started,
                         workspace=WorkspaceIdentity(root_name="w"), **fields)  # type: ignore[arg-type]


def test_editors_are_written_only_when_two_or_more_contributed() -> None:
    assert "editors" not in checked(header(client=NEOVIM))
    assert checked(header(client=NEOVIM, editors=[NEOVIM, CODE]))["editors"] == [
        {"name": "Neovim", "version": "0.11.4"}, {"name": "Code - OSS", "version": "1.96.2"}]
    with pytest.raises(msgspec.ValidationError, match="editors"):
        checked(header(client=NEOVIM, editors=[NEOVIM]))


class Masking:
    """A redactor that finds one local name (the review's masks go through `redact` alone)."""

    def redact(self, text: str) -> str:
        return text.replace("ada", "«name»")


def test_the_review_masks_every_editor_as_it_masks_the_first() -> None:
    from collections import Counter

    from collector.review.names import mask_header

    mine = ClientInfo(name="ada's nvim", version="0.11.4-ada")
    masked = mask_header(header(client=mine, editors=[mine, CODE]), Masking(), Counter())  # type: ignore[arg-type]
    assert masked.client == ClientInfo(name="«name»'s nvim", version="0.11.4-«name»")
    assert masked.editors == [masked.client, CODE]
