"""The file watcher and the pieces every watcher uses: files changed outside the editor as `file_change`
steps (or a `gap` when the watcher cannot keep up).

    file_watcher.py  the work tree -> file states -> `file_change` / `gap`, bursts debounced (runs in the
                     collector)
    filestate.py     what one workspace file holds, and the walk that finds every file (policy first)
    observer.py      watchdog's observer for both watchers: walks without recursion, `failure()` if it stops
    debounce.py      a worker thread that flushes once a burst of events has gone quiet (both watchers)
    writes.py        which files a writer still holds open: read once it closes them, not halfway
"""
