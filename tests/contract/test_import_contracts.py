"""The import contracts of pyproject.toml cover every handler package, and `make` runs them all."""

import tomllib

from local.template import PROJECT_ROOT

IMPORT_LINTER = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
CONTRACTS = {contract["id"]: contract for contract in IMPORT_LINTER["contracts"]}
HANDLER_PACKAGES = {path.parent.name for path in (PROJECT_ROOT / "functions").glob("*/__init__.py")}


def test_every_handler_package_is_a_root_package():
    # Given the handler packages under functions/
    # Then import-linter reads each of them
    assert HANDLER_PACKAGES
    assert set(IMPORT_LINTER["root_packages"]) >= HANDLER_PACKAGES | {"bizline", "local", "tests"}


def test_the_handler_contracts_name_every_handler_package():
    # Given the contracts about handlers
    # Then each names every handler package, so a new function cannot slip past them
    assert set(CONTRACTS["handlers-are-thin"]["source_modules"]) == HANDLER_PACKAGES
    assert set(CONTRACTS["product-stands-alone"]["source_modules"]) == HANDLER_PACKAGES | {"bizline"}


def test_make_lint_runs_every_contract():
    # Given the lint target of the Makefile
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    lint = makefile[makefile.index("\nlint:") : makefile.index("\nunit:")]
    # Then it runs lint-imports with no contract left out
    assert "lint-imports" in lint
    assert "--contract" not in lint
