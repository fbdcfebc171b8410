"""The house's shape, checked: every module says what it is for, public service and store functions
say what they do, and no product module outgrows one responsibility (400 lines)."""

import ast
from pathlib import Path

import pytest

from local.template import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "layers" / "shared" / "bizline"
PRODUCT_MODULES = sorted([*PACKAGE.rglob("*.py"), *(PROJECT_ROOT / "functions").glob("*/handler.py")])
MAX_LINES = 400


def _name(path: Path) -> str:
    return str(path.relative_to(PROJECT_ROOT))


@pytest.mark.parametrize("path", PRODUCT_MODULES, ids=_name)
def test_every_product_module_has_a_docstring_and_stays_small(path):
    # Given a module of the product
    source = path.read_text()
    # Then it says what it is for, and stays under the size of one responsibility
    assert ast.get_docstring(ast.parse(source)), f"{_name(path)} has no module docstring"
    assert len(source.splitlines()) <= MAX_LINES, f"{_name(path)} is over {MAX_LINES} lines: split it"


@pytest.mark.parametrize(
    "path", sorted([*(PACKAGE / "services").glob("*.py"), *(PACKAGE / "adapters").glob("*.py")]), ids=_name
)
def test_every_public_service_and_store_function_says_what_it_does(path):
    # Given the public functions of a service or store module
    tree = ast.parse(path.read_text())
    public = [node for node in tree.body if isinstance(node, ast.FunctionDef) and not node.name.startswith("_")]
    # Then each has a docstring
    undocumented = [node.name for node in public if not ast.get_docstring(node)]
    assert not undocumented, f"{_name(path)}: {', '.join(undocumented)} without a docstring"
