"""MkDocs hook: serves reference/cli.md, the CLI reference generated from codetape's parser
(collector/cli/reference.py), as a page of the site at build time, so that it cannot drift from the code."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from collector.cli.reference import cli_reference

PAGE = "reference/cli.md"


def on_files(files: Files, *, config: MkDocsConfig) -> Files:
    """Add the generated page to the site's files (replacing a file of that name, if one is written)."""
    existing = files.get_file_from_path(PAGE)
    if existing is not None:
        files.remove(existing)
    files.append(File.generated(config, PAGE, content=cli_reference()))
    return files
