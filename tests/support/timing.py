"""Human timing: inter-key intervals and pauses, in integer milliseconds, from a seeded RNG.

Inter-key intervals are log-normal (the shape keystroke studies report), median about 190 ms (some
60 words a minute while actually typing); pauses to think are log-normal too, with rare long breaks
(reading, a coffee).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass


@dataclass
class Timing:
    rng: random.Random
    key_median: float = 190.0
    key_sigma: float = 0.5

    def _lognormal(self, median: float, sigma: float, low: int, high: int) -> int:
        value = self.rng.lognormvariate(math.log(median), sigma)
        return int(min(max(value, low), high))

    def key(self) -> int:
        """Between two ordinary keystrokes."""
        return self._lognormal(self.key_median, self.key_sigma, 30, 2000)

    def repeat(self) -> int:
        """Between two presses of the same key (backspaces, tabs)."""
        return self._lognormal(105.0, 0.3, 40, 600)

    def after_word(self) -> int:
        """Extra time after a space or punctuation, now and then."""
        return self._lognormal(450.0, 0.7, 80, 6000) if self.rng.random() < 0.12 else 0

    def notice(self) -> int:
        """Seeing a typo before correcting it."""
        return self._lognormal(450.0, 0.5, 120, 3000)

    def choose(self) -> int:
        """Picking an entry from the completion list."""
        return self._lognormal(500.0, 0.5, 150, 4000)

    def line_end(self, block: bool) -> int:
        """Before starting the next line; `block` marks a new def/class or a blank line."""
        if self.rng.random() < 0.012:
            return self.rng.randint(15_000, 240_000)  # reading docs, thinking, a break
        if block and self.rng.random() < 0.7:
            return self._lognormal(3500.0, 0.9, 400, 90_000)
        if self.rng.random() < 0.5:
            return self._lognormal(1500.0, 0.8, 200, 30_000)
        return 0

    def between_tasks(self) -> int:
        """Switching files, reading code, running things by hand."""
        return self._lognormal(40_000.0, 0.9, 3000, 900_000)
