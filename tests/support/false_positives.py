"""False positives of the secret scanner: every finding on text nobody wrote a secret into (the standard
library; Go, shell scripts, zsh, Neovim and Emacs runtime files, npm packages that scripts/setup
installs). tests/integration/redact/test_redaction_stdlib.py and test_redaction_other_languages.py hold the
rates to a bound; bench/redaction.py reports them.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import sysconfig
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collector.redact import RuleSet, scan
from tests.support.vscode_extension import NODE_MODULES


@dataclass
class Stdlib:
    """Every finding on a corpus of files nobody wrote a secret into: each one is a false positive."""

    root: Path
    files: int = 0
    lines: int = 0
    mb: float = 0.0
    seconds: float = 0.0
    findings: list[tuple[str, str, int, str]] = field(default_factory=list)


def read(path: Path) -> str:
    """A file's text (a `.gz` one unpacked: Emacs ships its lisp so), undecodable bytes replaced."""
    data = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
    return data.decode("utf-8", "replace")


def false_positives(root: Path, paths: Iterable[Path], rules: RuleSet | None = None) -> Stdlib:
    """Scan each file under `root` as one text; every finding is listed with its line."""
    rules = rules or RuleSet.default()
    result = Stdlib(root)
    for path in paths:
        text = read(path)
        result.files += 1
        result.lines += text.count("\n") + (not text.endswith("\n"))
        result.mb += len(text.encode("utf-8", "surrogatepass")) / 1e6
        started = time.perf_counter()
        found = scan(text, rules)
        result.seconds += time.perf_counter() - started
        lines = text.splitlines()
        for f in found:
            line = text.count("\n", 0, f.start)
            source = lines[line] if line < len(lines) else ""
            result.findings.append((f.rule, str(path.relative_to(root)), line + 1, source.strip()[:100]))
    return result


def stdlib() -> Stdlib:
    root = Path(sysconfig.get_paths()["stdlib"])
    return false_positives(root, (p for p in sorted(root.rglob("*.py"))
                                  if "site-packages" not in p.parts and p.is_file()))


def _keep(path: Path) -> bool:
    return False


def _files(root: Path, *patterns: str, skip: Callable[[Path], bool] = _keep) -> list[Path]:
    found = {p for pattern in patterns for p in root.rglob(pattern) if p.is_file() and not skip(p)}
    return sorted(found)


def _go_skip(path: Path) -> bool:
    return path.name.endswith("_test.go") or "testdata" in path.parts


def _shell_script(path: Path) -> bool:
    with path.open("rb") as file:
        head = file.read(64)
    return head.startswith(b"#!") and b"sh" in head.split(b"\n", 1)[0]


def other_languages() -> dict[str, tuple[Path, list[Path]]]:
    """Text other than Python that `scripts/setup` puts on every machine (Debian packages golang-go, zsh,
    git, neovim, emacs-nox; the VS Code extension's npm packages), by corpus: (root, files). A corpus whose
    package is missing is left out (`tests/integration/redact/test_redaction_other_languages.py` needs Go,
    git)."""
    corpora: dict[str, tuple[Path, list[Path]]] = {}
    go = shutil.which("go")
    goroot = ""
    if go:
        goroot = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True).stdout.strip()
    if goroot and (Path(goroot) / "src").is_dir():
        src = (Path(goroot) / "src").resolve()
        corpora["Go standard library (non-test .go)"] = (src, _files(src, "*.go", skip=_go_skip))
        corpora["Go's shell scripts (*.sh, *.bash)"] = (src, _files(src, "*.sh", "*.bash"))
    emacs = sorted(Path("/usr/share/emacs").glob("[0-9]*/lisp"))
    candidates = {
        "zsh functions": (Path("/usr/share/zsh/functions"), ("*",), lambda p: p.suffix == ".zwc"),
        "git's shell scripts": (Path("/usr/lib/git-core"), ("*",), lambda p: not _shell_script(p)),
        "Neovim runtime (.vim, .lua)": (Path("/usr/share/nvim/runtime"), ("*.vim", "*.lua"), _keep),
        "Emacs lisp (.el)": (emacs[-1] if emacs else Path("/nonexistent"), ("*.el.gz", "*.el"), _keep),
        "VS Code extension's node_modules (.js, .json)": (NODE_MODULES, ("*.js", "*.json"), _keep),
    }
    for name, (root, patterns, skip) in candidates.items():
        if root.is_dir():
            corpora[name] = (root, _files(root, *patterns, skip=skip))
    return corpora
