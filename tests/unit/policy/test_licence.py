"""Licence detection from LICENSE / COPYING text: the full texts Debian ships, and the short ones here."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.policy.licence import FoundLicence, detect, find_licences, licence_files

COMMON = Path("/usr/share/common-licenses")

MIT = """MIT License

Copyright (c) 2024 Example Person

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
"""
ISC = """ISC License

Copyright (c) 2024, Example Person

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.
"""
ZERO_BSD = """Copyright (C) 2024 by Example Person

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted.

THE SOFTWARE IS PROVIDED "AS IS" AND THE AUTHOR DISCLAIMS ALL WARRANTIES.
"""
BSD_2 = """Copyright (c) 2024, Example Person
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation.
"""
BSD_3 = BSD_2 + """3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.
"""
BSD_4 = BSD_3 + """4. All advertising materials mentioning features or use of this software
   must display the following acknowledgement.
"""
UNLICENSE = """This is free and unencumbered software released into the public domain.

Anyone is free to copy, modify, publish, use, compile, sell, or distribute this software.
"""
GPL_NOTICE = """pager: a small paginator
Copyright (C) 2024 Example Person

This program is free software: you can redistribute it and/or modify it under the terms of the
GNU General Public License as published by the Free Software Foundation, either version 3 of the
License, or (at your option) any later version.
"""
PROPRIETARY = "Copyright (c) 2024 Example Corp. All rights reserved. Do not copy.\n"


@pytest.mark.parametrize(("name", "expected"), [
    ("Apache-2.0", "Apache-2.0"), ("BSD", "BSD-3-Clause"), ("CC0-1.0", "CC0-1.0"), ("GPL-2", "GPL-2.0"),
    ("GPL-3", "GPL-3.0"), ("LGPL-2", "LGPL-2.0"), ("LGPL-2.1", "LGPL-2.1"), ("LGPL-3", "LGPL-3.0"),
    ("MPL-2.0", "MPL-2.0"), ("MPL-1.1", None), ("GFDL-1.3", None), ("Artistic", None), ("GPL-1", None),
])
def test_the_full_licence_texts_debian_ships(name: str, expected: str | None) -> None:
    assert detect((COMMON / name).read_text(encoding="utf-8")) == expected


@pytest.mark.parametrize(("text", "expected"), [
    (MIT, "MIT"), (ISC, "ISC"), (ZERO_BSD, "0BSD"), (BSD_2, "BSD-2-Clause"), (BSD_3, "BSD-3-Clause"),
    (BSD_4, None), (UNLICENSE, "Unlicense"), (GPL_NOTICE, "GPL-3.0"), (PROPRIETARY, None), ("", None),
    ("# The MIT License (MIT)\n\nSee the website.", "MIT"),
    ("SPDX-License-Identifier: GPL-2.0-or-later\n", "GPL-2.0"),
    ("SPDX-License-Identifier: LicenseRef-Proprietary\n", None),
])
def test_short_texts_and_spdx_identifiers(text: str, expected: str | None) -> None:
    assert detect(text) == expected


def test_the_title_that_comes_first_wins() -> None:
    # the MPL names the GPL in its definitions; an Apache LICENSE may end with third-party notices
    mpl = (COMMON / "MPL-2.0").read_text(encoding="utf-8")
    assert "GNU General Public License, Version 2.0" in mpl and detect(mpl) == "MPL-2.0"
    apache = (COMMON / "Apache-2.0").read_text(encoding="utf-8")
    assert detect(apache + "\n\nThird-party: " + GPL_NOTICE) == "Apache-2.0"


def test_licence_files_are_found_at_the_top_of_the_repository(tmp_path: Path) -> None:
    for name in ("LICENSE", "LICENCE.md", "COPYING.LESSER", "license-mit.txt", "UNLICENSE", "README.md",
                 "LICENSES.toml.bak"):
        (tmp_path / name).write_text(MIT, encoding="utf-8")
    (tmp_path / "COPYING").mkdir()
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "LICENSE").write_text(MIT, encoding="utf-8")
    assert [path.name for path in licence_files(tmp_path)] == [
        "COPYING.LESSER", "LICENCE.md", "LICENSE", "UNLICENSE", "license-mit.txt"]
    assert licence_files(tmp_path / "missing") == []


def test_dual_licences_pointer_files_and_lgpl_with_its_gpl_text(tmp_path: Path) -> None:
    dual = tmp_path / "dual"
    dual.mkdir()
    (dual / "LICENSE").write_text("This software is made available under the terms of either of the "
                                  "licenses found in LICENSE.APACHE or LICENSE.BSD.\n", encoding="utf-8")
    apache = (COMMON / "Apache-2.0").read_text(encoding="utf-8")
    (dual / "LICENSE.APACHE").write_text(apache, encoding="utf-8")
    (dual / "LICENSE.BSD").write_text(BSD_3, encoding="utf-8")
    assert find_licences(dual) == [FoundLicence("LICENSE.APACHE", "Apache-2.0"),
                                   FoundLicence("LICENSE.BSD", "BSD-3-Clause")]
    lgpl = tmp_path / "lgpl"
    lgpl.mkdir()
    (lgpl / "COPYING").write_text((COMMON / "GPL-3").read_text(encoding="utf-8"), encoding="utf-8")
    (lgpl / "COPYING.LESSER").write_text((COMMON / "LGPL-3").read_text(encoding="utf-8"), encoding="utf-8")
    assert find_licences(lgpl) == [FoundLicence("COPYING.LESSER", "LGPL-3.0")]
    odd = tmp_path / "odd"
    odd.mkdir()
    (odd / "LICENSE").write_text(PROPRIETARY, encoding="utf-8")
    (odd / "LICENSE-MIT").write_text(MIT, encoding="utf-8")
    assert find_licences(odd) == [FoundLicence("LICENSE", None), FoundLicence("LICENSE-MIT", "MIT")]


def test_a_licence_file_is_read_through_a_link_inside_the_workspace_never_one_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "LICENSE").write_text(MIT, encoding="utf-8")
    root = tmp_path / "ws"
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "LICENSE.md").write_text(BSD_3, encoding="utf-8")
    (root / "LICENSE").symlink_to("docs/LICENSE.md")
    (root / "LICENSE-MIT").symlink_to(outside / "LICENSE")
    assert find_licences(root) == [FoundLicence("LICENSE", "BSD-3-Clause")]
