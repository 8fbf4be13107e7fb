"""Licences as SPDX expressions (collector/policy/spdx.py): what signing takes, what --allow-licence keeps."""

from __future__ import annotations

import pytest

from collector.policy.sharing import SigningPolicy
from collector.policy.spdx import allowed_by, normalized, spdx_problem


@pytest.mark.parametrize("expression", ["CC-BY-4.0", "MIT OR Apache-2.0", "LicenseRef-acme-internal",
                                        "GPL-2.0-only WITH Classpath-exception-2.0", "mit"])
def test_spdx_expressions_and_licences_of_your_own_are_accepted(expression: str) -> None:
    assert spdx_problem(expression) is None


@pytest.mark.parametrize("expression", ["CC-BY-4.0 for the recorded steps", "Foo-1.0", "MIT OR",
                                        "MIT WITH NoAI-NonCommercial", "MIT WITH LicenseRef-x",
                                        "GPL-2.0-only WITH LicenseRef-scancode-agpl-generic-additional-terms",
                                        "MIT WITH MIT", "Classpath-exception-2.0"])
def test_anything_else_is_refused_with_the_form_to_use(expression: str) -> None:
    problem = spdx_problem(expression)
    assert problem is not None and "LicenseRef-<name>" in problem and repr(expression) in problem


def test_signing_is_refused_under_a_licence_that_is_no_spdx_expression() -> None:
    problem = SigningPolicy(licence="internal use only").licence_problem()
    assert problem is not None and problem.startswith("the policy's licence 'internal use only' is not")
    assert SigningPolicy(licence="CC-BY-4.0").licence_problem() is None
    refusal = SigningPolicy(licence="internal use only").refusal([])
    assert refusal is not None and refusal.startswith("cannot sign: ")


def test_an_allow_list_decides_by_the_expression() -> None:
    allowed = frozenset({"MIT", "apache-2.0"})
    assert allowed_by("MIT", allowed) and allowed_by("GPL-3.0-only OR Apache-2.0", allowed)
    assert not allowed_by("MIT AND GPL-3.0-only", allowed) and not allowed_by("CC-BY-4.0", allowed)
    assert not allowed_by("Apache-2.0 WITH LLVM-exception", allowed)  # an exception is not the bare licence
    assert allowed_by("Apache-2.0 WITH LLVM-exception", allowed | {"apache-2.0 with llvm-exception"})
    assert not allowed_by("not a licence (", allowed)
    assert not allowed_by("MIT WITH NoAI-NonCommercial", allowed)
    assert not allowed_by("LicenseRef-MIT-Bootstrap", allowed)  # a LicenseRef is as written, no alias of MIT
    assert normalized("mit or apache-2.0") == "MIT OR Apache-2.0"
