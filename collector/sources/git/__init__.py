"""The git watcher and what it reads: every git operation in a workspace's repository as a `git` step, and
the repository's tracked files at an episode's start.

    git_watcher.py   .git -> reflog lines + ref snapshots -> `git` steps in git's order (in the collector)
    reflog.py        reflogs read incrementally, as git appends to them
    reflog_order.py  the order git wrote the entries one pass reads together
    gitread.py       read-only git commands (ref snapshots, trees), safe while the developer uses git
    gitops.py        which operation a reflog message names (pure)
    git_steps.py     observed reflog entries and two ref snapshots -> `git` steps
    gitdir.py        the repository git would use for a workspace, found without following a link
    snapshot.py      the tracked files' texts at an episode's start (`snapshot = "tracked"`), read as the
                     file watcher reads a file (files/filestate.py)

It uses the file watchers' observer and debounce (files/), never the other way round.
"""
