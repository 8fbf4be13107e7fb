"""msgspec types compiled when their module is imported, not at their first conversion.

msgspec builds what it needs to validate a Struct type (its field types, each in turn) at the type's
first conversion, and keeps it on the type. On a Python with the GIL it keeps it there before it is
complete: the field types are filled in afterwards, by code that runs Python (resolving annotations) and
so lets other threads run. A second thread converting to the same type at that moment takes the
incomplete one and dereferences a field type that is not there yet: a segmentation fault (msgspec 0.22,
CPython 3.11; seen as `codetape upload` dying with no output, its two upload threads each reading the
steps of an episode for the first time; tests/integration/schemas/test_steps_threads.py makes it happen at
will).

A module's import runs in one thread, and a thread importing a module another thread is importing waits
until it is done; so a module that compiles its types as it is imported leaves no first conversion to
race. Compiling the step union (every kind) and config.toml's types costs a few milliseconds at import
(3.7 ms at best, 13 ms median, over 15 fresh interpreters on a loaded 2-core machine; config.toml's
alone 0.3 ms), paid only by the processes that load these types, which convert them anyway: `episodes`,
`note` and `pause` load neither, `status` only config.toml's when a destination is set, and the bridge
neither before its first answer to the editor.
"""

from __future__ import annotations

import msgspec


def compile_now(*types: object) -> None:
    """Have msgspec compile the validation of `types`, and of every type they hold, now."""
    for kind in types:
        msgspec.json.Decoder(kind)
