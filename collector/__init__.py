"""codetape's local side, one subpackage per stage of the data's path. Never imports pygls.

In the order data flows. Who may import whom is the layers contract in pyproject.toml (`lint-imports`):
a stage imports only stages listed below it there, `cli` is on top and `platform` at the bottom.

    platform/     what differs by operating system: locks, open flags, processes, signals, the socket, pty
    protocol/     the collector socket (framing, client) and the clock: what the bridge shares with the daemon
    text/         documents, positions in utf-8/16/32, content hashes
    ohttp/        Oblivious HTTP (RFC 9458): Binary HTTP, the gateway's key configuration, HPKE sealing
    workspace/    which workspaces are opted in (find, registry) and who they are (identity)
    policy/       what may be recorded and shared: .codetape.toml, policy.toml, the managed policy, globs
    sources/      capture outside the editor: git and file watchers, shell hook, `codetape run`, pytest
                  plugin, the agents' hooks
    daemon/       the collector process: socket server, requests, sessions (admission, episode lifecycle)
    journal/      the append-only, crash-safe journal and its recovery
    redact/       secret detection and replacement on every channel of every step
    seal/         journal -> redacted episode file, the redaction summary beside it
    transcripts/  past agent sessions from the agents' own transcripts, sealed as episodes (`import`)
    episode/      the `.ctape` container: writer, reader per format version, summary, EPISODE arguments
    reconstruct/  the workspace at any step; checkout into a directory
    verify/       the episode replays exactly; its commits match the real repository
    replay/       the player, the plain log and `diff`
    consent/      keys, signing, checking a signature; RFC 9474 blind signatures, enrolment, per-episode keys
    issuer/       the issuer: blind-signs members' per-episode keys, counts them per month (never an episode)
    stats/        what a developer's own recordings say of their work: time, languages, whose work
    report/       the self-contained HTML report
    review/       the terminal review: trim, then sign, keep or discard
    upload/       signed episodes leave: destinations (file://, s3://, through a relay), outbox, receipts,
                  revocation
    export/       episodes as training data: jsonl, ATIF, zeta, zeta2, swe-messages, DPO, ProgSnap2, ...
    dataset/      the receiver's builds: verified signed episodes -> Parquet tables, card, exports, Ray
    annex/        the papers a DPIA and a works agreement need, from the settings in force
    demo/         the main job: a real session recorded end to end on a scratch project
    gateway/      the receiver's Oblivious HTTP gateway: opens sealed uploads, writes them to its store
    cli/          the `codetape` command on top; nothing imports it

A few modules stay at the root because several stages use them and they hold no stage's logic:
`errors.py` (the error tree), `home.py` (where local state lives), `atomic.py` (how local state is
replaced, all or nothing), `batches.py` (reading a stream in batches that stop at its first damage),
`safe_urls.py` (URLs in messages without their credentials), `due.py` (unlinkable mode's random times),
`held.py` (what upload runs hold back in the outbox, and why), `timer.py` (a line said when work is
still running after a while), `scratch_db.py` (the settings of a throwaway SQLite file that keeps a
build's driver memory flat) and `__main__.py` (`python -m collector`). `editors.py` says where the editor
plugins are: in the installed package (`editor_plugins/`, which setup.py copies from editor_extensions/
into the wheel) or in the checkout. The stages contract places these too (it is exhaustive: a new
package or module here breaks it until placed): `__main__` over `cli`, `due` and `held` under
`workspace`, `home` and `atomic` under `protocol`, the rest just above `platform`.
tests/unit/docs/test_maps.py holds this map, and the one in docs/architecture.md, to the packages and
modules on disk.
"""

from __future__ import annotations

__version__ = "0.1.0"
