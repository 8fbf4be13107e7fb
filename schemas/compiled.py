"""msgspec types compiled when their module is imported, not at their first conversion.

Every module that defines Struct types ends with `compile_module(__name__)`; a test finds every Struct
type the product defines and checks that its own module compiled it (tests/unit/schemas/test_compiled.py),
and converts each for the first time in two threads at once
(tests/integration/schemas/test_structs_threads.py).

msgspec builds what it needs to validate a Struct type (its field types, each in turn) at the type's
first conversion, and keeps it on the type. On a Python with the GIL it keeps it there before it is
complete: the field types are filled in afterwards, by code that runs Python (resolving annotations) and
so lets other threads run. A second thread converting to the same type at that moment takes the
incomplete one and dereferences a field type that is not there yet: a segmentation fault (msgspec 0.22,
CPython 3.11; seen as `codetape upload` dying with no output, its two upload threads each reading the
steps of an episode for the first time).

A module's import runs in one thread, and a thread importing a module another thread is importing waits
until it is done; so a module that compiles its types as it is imported leaves no first conversion to
race. Compiling costs milliseconds at import (the step kinds and config.toml's types 6 ms, all 85 types
14 ms, median of 3 fresh interpreters on a 2-core machine), paid only by the processes that load these
modules, which convert them anyway: `episodes`, `note` and `pause` load none of them, and the bridge
none before its first answer to the editor.
"""

from __future__ import annotations

import sys

import msgspec

COMPILED: set[type[msgspec.Struct]] = set()  # the Struct types compiled so far, each by its own module


def compile_module(name: str) -> None:
    """Compile every Struct type the module `name` defines: its last line, once all of them are defined
    (a field's type may be defined after the Struct that holds it)."""
    defined = [value for value in vars(sys.modules[name]).values()
               if isinstance(value, type) and issubclass(value, msgspec.Struct) and value.__module__ == name]
    compile_now(*defined)
    COMPILED.update(defined)


def compile_now(*types: object) -> None:
    """Have msgspec compile the validation of `types`, and of every type they hold, now."""
    for kind in types:
        msgspec.json.Decoder(kind)
