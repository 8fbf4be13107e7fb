"""A notebook's outputs, execution counts and kernel metadata masked as spans
(collector/redact/notebook_outputs.py)."""

from __future__ import annotations

import base64
import json
from typing import Any

import nbformat
import pytest

from collector.redact.notebook_outputs import (
    METADATA,
    OUTPUT,
    UNREADABLE,
    NotebookMask,
    same_but_masked,
    spans,
)

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4).decode()
OUTPUTS: list[dict[str, Any]] = [
    {"output_type": "stream", "name": "stdout", "text": ["ok 42042\n", "row 1, alice@example.org\n"]},
    {"output_type": "execute_result", "execution_count": 3, "metadata": {},
     "data": {"text/plain": ["   id  name\n", "0   1  bob"], "image/png": PNG}},
    {"output_type": "display_data", "metadata": {"image/png": {"width": 640}},
     "data": {"text/html": "<table><tr><td>carol</td></tr></table>"}},
    {"output_type": "error", "ename": "KeyError", "evalue": "'dave'",
     "traceback": ["\x1b[0;31mKeyError\x1b[0m Traceback (most recent call last)", "KeyError: 'dave'"]},
]
LEAKS = ("ok 42042", "alice@example.org", "bob", PNG[:40], "carol", "dave", "KeyError", "python3",
         "3.11.9", "Python 3 (ipykernel)")


def stream(placeholder: str) -> dict[str, str]:
    return {"output_type": "stream", "name": "stdout", "text": placeholder}


def notebook(*, minor: int = 5, indent: int | None = 1, outputs: list[dict[str, Any]] | None = None) -> str:
    cells = [
        {"cell_type": "markdown", "id": "m0", "metadata": {}, "source": ["# Title\n", "some prose"]},
        {"cell_type": "code", "execution_count": 3, "id": "c1", "metadata": {"tags": ["x"]},
         "outputs": OUTPUTS if outputs is None else outputs,
         "source": ["import os\n", "\n", "\n", "def f():\n", "    return 'é😀'"]},
        {"cell_type": "code", "execution_count": None, "id": "c2", "metadata": {}, "outputs": [],
         "source": "x = 1"},
    ]
    if minor < 5:  # cell ids came with nbformat 4.5
        cells = [{key: value for key, value in cell.items() if key != "id"} for cell in cells]
    meta = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.9"}, "authors": [{"name": "kept"}]}
    return json.dumps({"cells": cells, "metadata": meta, "nbformat": 4, "nbformat_minor": minor},
                      indent=indent, ensure_ascii=False) + "\n"


@pytest.mark.parametrize(("minor", "indent"), [(5, 1), (4, None), (0, 2)])
def test_outputs_counts_and_kernel_metadata_are_masked_the_shape_kept(minor: int, indent: int | None) -> None:
    text = notebook(minor=minor, indent=indent)
    masked = NotebookMask().mask(text, "nb.ipynb")
    for leak in LEAKS:
        assert leak in text and leak not in masked, leak
    before, after = json.loads(text), json.loads(masked)
    assert [cell["source"] for cell in after["cells"]] == [cell["source"] for cell in before["cells"]]
    assert [len(cell.get("outputs", ())) for cell in after["cells"]] == [0, 4, 0]  # one placeholder each
    outputs = after["cells"][1]["outputs"]
    assert outputs == [stream(f"«redacted:{OUTPUT}:{n}»") for n in (1, 2, 3, 4)]
    assert [cell.get("execution_count") for cell in after["cells"]] == [None, None, None]  # as never run
    first, second = f"«redacted:{METADATA}:1»", f"«redacted:{METADATA}:2»"
    assert after["metadata"]["kernelspec"] == {"display_name": first, "name": first}
    assert after["metadata"]["language_info"] == {"name": second}
    assert after["metadata"]["authors"] == [{"name": "kept"}]
    assert after["cells"][1]["metadata"] == {"tags": ["x"]} and after["nbformat_minor"] == minor
    for valid in (text, masked):  # a valid notebook stays one
        nbformat.validate(nbformat.reads(valid, as_version=nbformat.NO_CONVERT))
    assert same_but_masked(masked, text) and not same_but_masked(masked, text.replace("x = 1", "x = 2"))


def test_every_placeholder_is_counted_as_often_as_it_is_written() -> None:
    mask = NotebookMask()
    masked = mask.mask(notebook(), "nb.ipynb")
    assert mask.written and all(masked.count(held) == n for held, n in mask.written.items())
    assert "notebook_count" not in "".join(mask.written)  # a count is null, no placeholder stands for it


def test_the_same_value_keeps_its_placeholder_and_every_one_is_counted() -> None:
    mask = NotebookMask()
    first = mask.mask(notebook(), "nb.ipynb")
    new = {"output_type": "stream", "name": "stdout", "text": "new"}
    second = mask.mask(notebook(outputs=[OUTPUTS[0], new]), "nb.ipynb")
    assert json.loads(second)["cells"][1]["outputs"] == [stream(f"«redacted:{OUTPUT}:1»"),
                                                         stream(f"«redacted:{OUTPUT}:5»")]
    assert json.loads(first)["cells"][1]["outputs"][0] == stream(f"«redacted:{OUTPUT}:1»")
    assert mask.written[f"«redacted:{OUTPUT}:1»"] == 2 and mask.written[f"«redacted:{OUTPUT}:5»"] == 1


def test_a_notebook_without_outputs_or_kernel_is_unchanged() -> None:
    text = json.dumps({"cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
                                  "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})
    assert spans(text) == [] and NotebookMask().mask(text, "nb.ipynb") is text


def test_a_duplicated_key_is_masked_at_every_occurrence() -> None:
    text = ('{"cells": [{"cell_type": "code", "outputs": [{"text": "first secret"}], "source": "",'
            ' "outputs": [{"text": "second secret"}], "execution_count": 1, "execution_count": 2}],'
            ' "metadata": {"kernelspec": {"name": "k1"}, "kernelspec": {"name": "k2"}}}')
    masked = NotebookMask().mask(text, "nb.ipynb")
    assert not any(leak in masked for leak in ("first secret", "second secret", "k1", "k2", ": 1", ": 2"))
    json.loads(masked)


@pytest.mark.parametrize("text", [
    '{"cells": [{"outputs": [{"text": "half a sec',  # cut short
    '{"cells": [{"outputs": [{"text": "a secret"}]}]} trailing',
    '[{"outputs": [{"text": "a secret"}]}]',  # not an object
    '{"cells": [{"outputs": [{"text": "a secret"}]}], 7: 1}',  # a key that is not a string
    "a secret, not JSON at all",
    '{"cells": [{"outputs": [' + "[" * 100_000 + "]" * 100_000 + ', "a secret"]}]}',  # too deep to decode
    "",
])
def test_a_malformed_or_hostile_text_is_masked_whole_in_one_line(text: str) -> None:
    mask = NotebookMask()
    masked = mask.mask(text, "bad.ipynb")
    assert masked == f'"«redacted:{UNREADABLE}:1»"' and "secret" not in masked
    assert len(mask.unreadable) == 1 and "\n" not in mask.unreadable[0]
    assert mask.unreadable[0].startswith("bad.ipynb: not a readable notebook (")


def test_odd_but_valid_shapes_leave_the_rest_alone() -> None:
    cells = [7, {"outputs": None, "execution_count": None}, {"outputs": {"x": "a secret"}}]
    text = json.dumps({"cells": cells, "metadata": ["not an object"]})
    masked = NotebookMask().mask(text, "nb.ipynb")
    assert "a secret" not in masked
    assert json.loads(masked)["cells"] == [7, {"outputs": None, "execution_count": None},
                                           {"outputs": [stream(f"«redacted:{OUTPUT}:1»")]}]
    assert same_but_masked(masked, text)
