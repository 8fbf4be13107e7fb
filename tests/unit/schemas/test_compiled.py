"""Every msgspec Struct type the product defines is compiled by its own module's import (schemas/compiled.py):
a type added later without `compile_module(__name__)` at the end of its module fails here."""

from __future__ import annotations

from schemas.compiled import COMPILED
from tests.support.struct_samples import product_structs


def test_every_struct_type_is_compiled_when_its_module_is_imported() -> None:
    defined = product_structs()
    missing = [f"{kind.__module__}.{kind.__qualname__}" for kind in defined if kind not in COMPILED]
    assert not missing, f"not compiled at import (end the module with compile_module(__name__)): {missing}"
    assert {"ConsentStatement", "EpisodeHeader", "CodetapeConfig"} <= {kind.__name__ for kind in defined}
