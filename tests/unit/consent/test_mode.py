"""The consent mode and the upload delay, as config.toml's `[consent]` asks: one reading for the review,
the CLI and the annex."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.consent.mode import configured_mode, signing_mode, upload_delay_max_s
from collector.errors import SettingsError
from collector.home import Home


def test_without_a_config_a_home_signs_attributed_and_delays_six_hours(tmp_path: Path) -> None:
    home = Home(tmp_path)
    assert (configured_mode(home), signing_mode(home), upload_delay_max_s(home)) == ("attributed", None,
                                                                                    6 * 3600)
    assert signing_mode(home, unlinkable=True) == "drawn"  # `sign --unlinkable` asks for it once


def test_config_toml_chooses_unlinkable_its_timing_and_the_delay(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.config.write_text('[consent]\nmode = "unlinkable"\ntiming = "coarse"\nupload_delay_max_s = 60\n',
                           encoding="utf-8")
    assert (configured_mode(home), signing_mode(home), upload_delay_max_s(home)) == ("unlinkable", "coarse",
                                                                                    60)


def test_a_refused_mode_is_one_settings_error(tmp_path: Path) -> None:
    home = Home(tmp_path)
    home.config.write_text('[consent]\nmode = "anonymous"\n', encoding="utf-8")
    with pytest.raises(SettingsError, match=r"config\.toml"):
        signing_mode(home)
