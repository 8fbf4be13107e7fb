"""The machine's shared data folder as the system knows it, never as the environment says: on Windows,
ProgramData is the known folder FOLDERID_ProgramData (SHGetKnownFolderPath through ctypes); a user's own
`ProgramData` variable (`setx ProgramData ...`, no administrator needed) overrides the system's in every
process she starts, so it is only compared with it, never used."""

from __future__ import annotations

import sys
from pathlib import Path

FOLDERID_PROGRAM_DATA = "62AB5D82-FDC1-4DC3-A9DD-070D1D495D97"  # (uuid, ~3 ms with platform: Windows only)
DEFAULT_PROGRAM_DATA = Path("C:\\ProgramData")  # Windows' own default, when the call fails


def program_data() -> Path:
    """Windows' ProgramData folder: the known folder the system resolves (the registry's value, not the
    process environment's), else its default. Off Windows there is none: the default's path, unused."""
    if sys.platform != "win32":
        return DEFAULT_PROGRAM_DATA
    # Windows only: shell32 and ole32 through ctypes
    import ctypes
    import uuid

    guid = ctypes.create_string_buffer(uuid.UUID(FOLDERID_PROGRAM_DATA).bytes_le, 16)
    found = ctypes.c_wchar_p()
    status = ctypes.windll.shell32.SHGetKnownFolderPath(ctypes.byref(guid), 0, None, ctypes.byref(found))
    try:
        return Path(found.value) if status == 0 and found.value else DEFAULT_PROGRAM_DATA
    finally:
        ctypes.windll.ole32.CoTaskMemFree(found)
