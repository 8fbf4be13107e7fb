"""Scrubbing an unlinkable episode's free text with what its repository knows (collector/consent/scrub.py,
issues 67 and 85): unpushed ids wherever they stand, every identity, the remotes' owners where a remote
is written, local branches and tags, times of day; the names matched as a trie."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime

from collector.consent.pseudonyms import Pseudonyms
from collector.consent.repository import Remote, RepositoryKnowledge
from collector.consent.scrub import USER, Scrub, file_text_names
from collector.consent.wallclock import wall_clock_period
from collector.text.literals import literal_pattern

WIP = "93b3a6a1f2e3d4c5b6a79881726354aabbccddee"  # reset away: only the reflog holds it
PUSHED = "50579ee0123456789abcdef0123456789abcdef0"
KNOWN = RepositoryKnowledge(unpushed=(WIP,),
                            identities=("Alice Liddell", "a.liddell@acme.example", "Bob Tanaka"),
                            branches=("fix/negative-add", "wip"))
PERIOD = wall_clock_period(datetime(2026, 11, 27, 4, 0, tzinfo=UTC), 3_600_000)


def scrub() -> Scrub:
    return Scrub(Pseudonyms([], key=b"k" * 32, unpushed=KNOWN.unpushed), KNOWN, PERIOD)


def test_an_unpushed_id_is_found_at_any_position_and_a_pushed_one_stays() -> None:
    s = scrub()
    for printed in (f"v1.0-1-g{WIP[:7]}", f"0.1.dev3+g{WIP[:9]}", f"deadbeef{WIP[:12]}cafe", f"({WIP})",
                    f"commit {WIP}"):
        out = s.text(printed)
        assert not any(WIP[:n] in out for n in range(7, 41)), out
    assert s.text(f"v1.0-1-g{WIP[:7]}") == s.text(f"v1.0-1-g{WIP[:7]}")  # one pseudonym in the episode
    assert s.text(f"HEAD is now at {PUSHED[:7]}") == f"HEAD is now at {PUSHED[:7]}"
    assert s.text(WIP[:6]) == WIP[:6]  # shorter than git ever abbreviates: too common to be an id


def test_every_identity_the_repository_records_is_masked() -> None:
    out = scrub().text("Author: Alice Liddell <A.Liddell@acme.example>\n  3  Bob Tanaka\n")
    assert out == f"Author: {USER} <{USER}>\n  3  {USER}\n"


def test_a_local_branch_is_a_pseudonym_where_git_prints_it_and_a_one_word_one_only_there() -> None:
    s = scrub()
    out = s.text("On branch wip\n[wip 1234567] fix\ncommit 1234567 (HEAD -> wip, upstream/main)\n"
                 "git switch -c fix/negative-add\nthe wip of fix/negative-add\n")
    assert "fix/negative-add" not in out and "negative" not in out
    assert "On branch branch-" in out and "(HEAD -> branch-" in out and "\n[branch-" in out
    assert "the wip of branch-" in out  # a one-word name stays in other text
    assert s.ref("refs/heads/wip").startswith("refs/heads/branch-")
    assert s.ref("refs/heads/main") == "refs/heads/main"


def test_times_of_the_period_keep_their_day_only() -> None:
    s = scrub()
    raw = s.text("author Alice <a@x> 1795752876 +0900")
    assert "1795752876" not in raw and "+0900" not in raw and raw.endswith(" +0000")
    assert s.text("Date:   Fri Nov 27 13:14:49 2026") == "Date:   Fri Nov 27 2026"  # --date=local
    assert s.text("-rw-r--r-- 1 a a 12 Nov 27 13:14 notes.txt") == "-rw-r--r-- 1 a a 12 Nov 27 notes.txt"
    assert s.text("FAILED at 2026-11-27T13:14:49+09:00") == "FAILED at 2026-11-27"
    assert s.text("13:14:49 INFO started") == "INFO started"
    assert "1795752876" not in s.text("started=1795752876")  # epoch seconds of the period
    assert s.text("  4242 pts/0    00:00:01 python") == "  4242 pts/0    00:00:01 python"  # a duration
    assert s.text("1000000000 rows") == "1000000000 rows"  # not a time of the episode's period


FORK = Remote("github.com", "aliddell", "attrs", "git@github.com:aliddell/attrs.git")
ORG = Remote("github.com", "acme", "attrs", "https://github.com/acme/attrs.git")


def test_a_remote_s_owner_is_masked_where_a_remote_is_written_and_never_as_a_bare_word() -> None:
    known = RepositoryKnowledge(remotes=(FORK, ORG))
    s = Scrub(Pseudonyms([], key=b"k" * 32), known)
    for written, said in (("origin\tgit@github.com:OWNER/attrs.git (fetch)",) * 2,
                          ("https://github.com/OWNER/attrs/pull/new/fix",) * 2):
        assert s.text(written.replace("OWNER", "aliddell")) == said.replace("OWNER", USER)
    assert s.text("To github.com:acme/attrs.git") == f"To github.com:{USER}/attrs.git"
    assert s.text("gh repo clone aliddell/attrs") == f"gh repo clone {USER}/attrs"
    assert s.text("https://github.com/aliddell") == f"https://github.com/{USER}"
    for ordinary in ("acme's style guide", "aliddell said so", "github.com/aliddellx/attrs", "acme/other"):
        assert s.text(ordinary) == ordinary
    # the managed policy's shared remotes: their owner is the organisation's, in everyone's output
    shared = known.sharing(["git@github.com:acme/attrs.git"])
    assert shared.owners == ("aliddell",)
    org = "github.com:acme/attrs"
    assert Scrub(Pseudonyms([], key=b"k" * 32), shared).text(org) == org
    names = file_text_names(shared)  # in file text: the owner, as «user»
    assert names is not None
    assert [f.value for f in names.find("url = git@github.com:aliddell/attrs.git")] == ["aliddell"]


def test_a_local_tag_is_a_pseudonym_where_git_prints_a_tag() -> None:
    known = RepositoryKnowledge(tags=("pre-refactor-backup", "keep"), branches=("wip",))
    s = Scrub(Pseudonyms([], key=b"k" * 32), known)
    out = s.text("pre-refactor-backup-2-g1234567\nkeep-3-gabcdef0\nkeep\n(HEAD -> wip, tag: keep)\n"
                 "git tag -a keep -m x\n * [new tag]         keep       -> keep\nkeep it simple\n")
    assert "pre-refactor" not in out and "backup" not in out
    assert out.count("tag-") == 7 and out.endswith("keep it simple\n")  # a one-word tag in prose stays
    assert s.ref("refs/tags/keep") == "refs/tags/" + s.ref("keep") and s.ref("keep").startswith("tag-")
    assert s.ref("refs/tags/v1.0") == "refs/tags/v1.0"


def test_the_trie_matches_what_an_alternation_of_the_values_longest_first_does() -> None:
    rng = random.Random(85)
    for _ in range(300):
        values = {"".join(rng.choices("abAB .-", k=rng.randint(1, 5))) for _ in range(rng.randint(1, 8))}
        text = "".join(rng.choices("abAB .-xy", k=60))
        for flags in (0, re.IGNORECASE):
            longest = "|".join(map(re.escape, sorted(values, key=lambda v: (-len(v), v))))
            trie = literal_pattern(values, fold=bool(flags))
            spans = [[m.span() for m in re.finditer(rf"(?<![0-9A-Za-z])(?:{alternatives})(?![0-9A-Za-z])",
                                                    text, flags)] for alternatives in (longest, trie)]
            assert spans[0] == spans[1], (values, text, flags)
