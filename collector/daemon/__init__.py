"""The collector process: one per user, one recording session per opted-in workspace.

    server.py          the asyncio socket server: connections, hellos, steps, events, idle seals
    requests.py        the answered requests, one method each (docs/collector-protocol.md)
    rundir.py          the runtime directory: one instance per user (a lock), pid file, socket
    session.py         a workspace's session: one clock, the episode lifecycle (journal open, detach, seal)
    open_episode.py    the open episode: its journal and header, its steps' times, checks and count
    admission.py       what a step must pass before the journal: the recording policy, the hold queue
    paused.py          the paused workspaces, kept in CODETAPE_HOME so a pause outlives the collector
    capture.py         the session's watchers, started and stopped off the caller's thread
    echo.py            what an episode knows is on disk, so a watcher's echo of an editor's save is dropped
    open_documents.py  what the editors have open, written into an episode only once it touches them
    drain.py           the background upload: `codetape upload --quiet` as a child when the outbox changes
    ahead.py           sealing ahead: a long episode's seal runs in a child while it is recorded
"""
