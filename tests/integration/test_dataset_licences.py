"""`dataset build --allow-licence`: only episodes signed under a licence the list permits are built; the
others are rows of rejected (reason licence), read back with DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

from collector.episode import open_episode
from tests.integration.dataset_helpers import contributor, duck, session, sign, upload
from tests.integration.upload_helpers import codetape


def test_allow_licence_keeps_what_the_list_permits(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    ids = {licence: str(open_episode(sign(alice, session(alice.home, seed), licence=licence)).header.episode_id)
           for seed, licence in ((41, "MIT OR GPL-3.0-only"), (42, "CC-BY-4.0"), (43, "MIT AND CC-BY-4.0"))}
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"

    def build(*extra: str) -> tuple[int, str]:
        done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out), *extra)
        return done.returncode, done.stderr

    assert build("--allow-licence", "mit,Apache-2.0") == (0, "")
    con = duck(out)
    assert con.execute("SELECT episode_id, licence FROM episodes").fetchall() == [
        (ids["MIT OR GPL-3.0-only"], "MIT OR GPL-3.0-only")]
    rejected = dict(con.execute("SELECT episode_id, detail FROM rejected WHERE reason = 'licence'").fetchall())
    assert rejected == {
        ids["CC-BY-4.0"]: "it is licensed CC-BY-4.0, which --allow-licence Apache-2.0, MIT does not permit",
        ids["MIT AND CC-BY-4.0"]: "it is licensed MIT AND CC-BY-4.0, which --allow-licence Apache-2.0, MIT does "
                                  "not permit"}
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["allowed_licences"] == ["Apache-2.0", "MIT"]
    code, stderr = build()
    assert code == 2 and "was built accepting --allow-licence Apache-2.0,MIT" in stderr
    code, stderr = build("--allow-licence", "MIT or")
    assert code == 2 and "is not an SPDX licence id" in stderr
