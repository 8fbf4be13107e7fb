"""The collector process: one per user, one recording session per opted-in workspace.

    server.py          the asyncio socket server: connections, hellos, steps, events, idle seals
    door.py            who is let in: unproven loopback connections bounded, refusals logged once a second
    registry_wait.py   a hello or request waits while workspaces.json cannot be read, never decided from it
    idle_exit.py       an autostarted collector nobody uses exits after its idle time
    connection.py      one connected client: its source name, its session, its dialect
    started.py         how the running collector was started, as `codetape status` says it
    requests.py        the answered requests, one method each (docs/collector-protocol.md)
    rundir.py          the runtime directory: one instance per user (a lock), pid file, socket
    session.py         a workspace's session: one clock, the episode lifecycle (journal open, detach, seal)
    intake/            a step's way in, one pass of stages handing it on: admit (policy), hold (what is
                       written now, what waits), write (into the open episode); it yields `EpisodeWanted`
    hellos.py          what the hellos said: the first editor's name, the position encoding told
    open_episode.py    the open episode: its journal and header, where its steps go in time, its count
    held_changes.py    the hold queue: the watcher's changes waiting for the editor's steps (HOLD_MS)
    own_steps.py       the steps the collector makes: a `gap`, a map converted (or the gap it becomes)
    settings_watch.py  the workspace's settings, read again whenever their files change
    leaving.py         the leaving-connections clock: a gone connection's documents close after a delay
    agent_claims.py    whose write it was: the file changes an AI agent's tool call claimed
    junit_runs.py      after a recorded command, the JUnit reports it wrote become one `test_run`
    paused.py          the paused workspaces, kept in CODETAPE_HOME so a pause outlives the collector
    capture.py         the session's watchers, started and stopped off the caller's thread
    echo.py            what an episode knows is on disk, so a watcher's echo of an editor's save is dropped
    open_documents.py  what the editors have open, written into an episode only once it touches them
    drain.py           the background upload: `codetape upload --quiet` as a child when the outbox changes
    ahead.py           sealing ahead: a long episode's seal runs in a child while it is recorded
"""
