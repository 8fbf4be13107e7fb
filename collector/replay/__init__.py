"""Watching an episode back: `codetape replay` (player and plain log) and `codetape diff`.

A pipeline of small pieces, as in asciinema's player:

- `moment`: `--from` / `--to` / diff arguments (a step, a time like `90s`, `2m`, `1:30`, `start`, `end`);
- `timeline`: generators from step times to playback delays (`relative_time -> cap_idle -> adjust_speed`);
- `state`: the workspace plus what the player shows beside it (focus file, caret, diagnostics);
- `describe`: one short line per step (`+12 chars`, `3 errors`, `5 passed 1 failed`, ...);
- `chunks` and `seek`: the index opens from the chunks' outlines (every step's time) at once, its full
  pass (a checkpoint per step chunk, events, jumps) runs while the player plays, and any step is
  reached by restoring a checkpoint or the keyframe before its chunk and replaying one chunk at most;
- `plain`: the `--plain` step log; `workdiff`: unified diffs between two workspaces;
- `control`: the player's keys and clock without a screen (play, pause, speed, step, seek, jump);
- `render` and `player`: the Textual player, its panes rendered by pure functions.
"""
