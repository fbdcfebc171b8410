"""What a function's code can reach: its modules, the settings they read, the resources they name.

Reachability is by module and therefore coarse: a module that reads a setting or references a
table's model for one function counts for every function that imports it. That over-approximates
(a function may be asked for a variable or permission it never uses at run time), and never
under-approximates as long as settings are read in the ways listed in `settings_reads`.
"""

import ast
import importlib.util
import inspect
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import grimp
from bizline.adapters import tables
from bizline.settings import RESOURCE_FIELDS, Settings, environment_variable
from pynamodb.indexes import Index
from pynamodb.models import Model

PRODUCT_PACKAGE = "bizline"
TABLES_MODULE = tables.__name__
# Where table models look their names up (dynamically): their reads count where a model is referenced.
TABLE_NAMES_MODULE = "bizline.adapters.table_names"
SETTINGS_FIELDS = frozenset(Settings.model_fields)
SETTINGS_FIELDS_BY_VARIABLE = {environment_variable(field): field for field in SETTINGS_FIELDS}
_SETTINGS_FACTORIES = {"get_settings", "Settings"}


@dataclass(frozen=True)
class SettingRead:
    """A module reads a settings field: directly, or through a table model it references."""

    module: str
    field: str
    via: str  # "settings" or the model name

    @property
    def variable(self) -> str:
        return environment_variable(self.field)


@cache
def import_graph(handler_packages: tuple[str, ...]) -> grimp.ImportGraph:
    """The import graph of bizline and the handler packages, imports inside functions included."""
    return grimp.build_graph(PRODUCT_PACKAGE, *handler_packages, cache_dir=None)


def reachable_modules(
    handler_module: str, handler_packages: tuple[str, ...], not_followed: frozenset[tuple[str, str]] = frozenset()
) -> set[str]:
    """Every module a handler module can import, with the packages whose __init__ those imports run.

    `not_followed` holds (importer, imported) edges whose code never runs for a request.
    """
    graph = import_graph(handler_packages)
    found: set[str] = set()
    pending = {handler_module}
    while pending:
        module = pending.pop()
        if module in found:
            continue
        found.add(module)
        imported = graph.find_modules_directly_imported_by(module)
        pending |= {other for other in imported if (module, other) not in not_followed} | set(_ancestors(module))
    return found


def _ancestors(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(1, len(parts)):
        yield ".".join(parts[:end])


@cache
def _syntax_tree(module: str) -> ast.Module:
    spec = importlib.util.find_spec(module)
    assert spec is not None, module
    assert spec.origin, module
    with open(spec.origin) as source:
        return ast.parse(source.read(), spec.origin)


@cache
def table_fields_by_name() -> dict[str, frozenset[str]]:
    """Names in the tables module that bind a table: models, their indexes, collections of models."""
    by_name: dict[str, frozenset[str]] = {}
    models = {value for value in vars(tables).values() if inspect.isclass(value) and issubclass(value, Model)}
    bound = {model for model in models if "table_name" in vars(getattr(model, "Meta", object))}
    for name, value in vars(tables).items():
        if inspect.isclass(value) and value in bound:
            by_name[name] = frozenset({tables.table_setting(value)})
        elif isinstance(value, tuple | list | set | frozenset) and value and all(model in bound for model in value):
            by_name[name] = frozenset(tables.table_setting(model) for model in value)
    for model in bound:
        for attribute in vars(model).values():
            if isinstance(attribute, Index):
                by_name[type(attribute).__name__] = frozenset({tables.table_setting(model)})
    return by_name


def settings_reads(module: str) -> tuple[list[SettingRead], list[str]]:
    """The settings fields a module reads, and the reads it makes that this analysis cannot follow.

    Followed: `get_settings().<field>`, `getattr(get_settings(), "<field>")`, a name bound to
    `get_settings()` then `<name>.<field>`, and every model of the tables module it references
    (whose `Meta.table_name` is read from settings). The tables module itself counts only through
    the modules that reference its models.
    """
    tree = _syntax_tree(module)
    factories, tables_aliases, table_names = _imported_names(tree, module)
    settings_names = _names_bound_to_settings(tree, factories)
    reads: list[SettingRead] = []
    unfollowed: list[str] = []
    parents = _parents(tree)

    def is_settings(node: ast.AST) -> bool:
        return _is_factory_call(node, factories) or (isinstance(node, ast.Name) and node.id in settings_names)

    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and is_settings(node.value):
            if node.attr in SETTINGS_FIELDS:
                reads.append(SettingRead(module, node.attr, "settings"))
            elif not node.attr.startswith("model_"):
                unfollowed.append(f"line {node.lineno}: {ast.unparse(node)}")
        elif _is_factory_call(node, factories) or (
            isinstance(node, ast.Name) and node.id in settings_names and isinstance(node.ctx, ast.Load)
        ):
            parent = parents.get(node)
            if isinstance(parent, ast.Attribute) or _assigns_a_name(parent):
                continue
            if _is_getattr(parent) and isinstance(parent.args[1], ast.Constant):
                reads.append(SettingRead(module, parent.args[1].value, "settings"))
            elif module not in (TABLES_MODULE, TABLE_NAMES_MODULE):
                unfollowed.append(f"line {node.lineno}: {ast.unparse(parent or node)}")
    if module != TABLES_MODULE:
        fields_by_name = table_fields_by_name()
        for name in _referenced_table_names(tree, tables_aliases, table_names):
            reads += [SettingRead(module, field, name) for field in sorted(fields_by_name.get(name, ()))]
    return reads, unfollowed


def _imported_names(tree: ast.Module, module: str) -> tuple[set[str], set[str], dict[str, str]]:
    """Local names for the settings factories, for the tables module, and for names imported from it."""
    factories: set[str] = set()
    tables_aliases: set[str] = set()
    table_names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            source = importlib.util.resolve_name("." * node.level + node.module, _package_of(module))
            for alias in node.names:
                local = alias.asname or alias.name
                if source.endswith(".settings") and alias.name in _SETTINGS_FACTORIES:
                    factories.add(local)
                elif source == TABLES_MODULE:
                    table_names[local] = alias.name
                elif f"{source}.{alias.name}" == TABLES_MODULE:
                    tables_aliases.add(local)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == TABLES_MODULE:
                    tables_aliases.add(alias.asname or alias.name)
    return factories, tables_aliases, table_names


def _package_of(module: str) -> str:
    spec = importlib.util.find_spec(module)
    is_package = bool(spec and spec.submodule_search_locations is not None)
    return module if is_package else module.rpartition(".")[0]


def _referenced_table_names(tree: ast.Module, tables_aliases: set[str], table_names: dict[str, str]) -> set[str]:
    referenced = {original for local, original in table_names.items() if local != "*"}
    if "*" in table_names:
        referenced |= set(table_fields_by_name())
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and ast.unparse(node.value) in tables_aliases:
            referenced.add(node.attr)
    return referenced


def _is_factory_call(node: ast.AST, factories: set[str]) -> bool:
    if not isinstance(node, ast.Call):
        return False
    function = node.func
    name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", None)
    return name in factories or (isinstance(function, ast.Attribute) and name in _SETTINGS_FACTORIES)


def _names_bound_to_settings(tree: ast.Module, factories: set[str]) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and _is_factory_call(node.value, factories):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def _assigns_a_name(node: ast.AST | None) -> bool:
    if isinstance(node, ast.Assign):
        return all(isinstance(target, ast.Name) for target in node.targets)
    return isinstance(node, ast.AnnAssign | ast.NamedExpr) and isinstance(node.target, ast.Name)


def _is_getattr(node: ast.AST | None) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "getattr"
        and len(node.args) >= 2
    )


def _parents(tree: ast.Module) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


def function_settings_reads(
    handler_module: str, handler_packages: tuple[str, ...], not_followed: frozenset[tuple[str, str]] = frozenset()
) -> tuple[list[SettingRead], list[str]]:
    """Every settings read of the modules a handler can reach, and every read the analysis cannot follow."""
    reads: list[SettingRead] = []
    unfollowed: list[str] = []
    for module in sorted(reachable_modules(handler_module, handler_packages, not_followed)):
        found, not_followed = settings_reads(module)
        reads += found
        unfollowed += [f"{module} {line}" for line in not_followed]
    return reads, unfollowed


def is_resource_setting(field: str) -> bool:
    return field in RESOURCE_FIELDS


def references(value: Any) -> Iterable[str]:
    """Logical ids a template value names through Ref, Fn::GetAtt or Fn::Sub, at any depth."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "Ref" and isinstance(inner, str):
                yield inner
            elif key == "Fn::GetAtt":
                yield (inner.split(".", 1) if isinstance(inner, str) else inner)[0]
            elif key == "Fn::Sub":
                text = inner if isinstance(inner, str) else inner[0]
                for part in text.split("${")[1:]:
                    yield part.split("}", 1)[0].split(".", 1)[0]
                if not isinstance(inner, str):
                    yield from references(inner[1:])
            else:
                yield from references(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from references(inner)
