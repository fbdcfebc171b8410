"""Message templates as Meta defines them: their variables, the examples Meta asks for, and the check of a send.

Variables sit in a HEADER (format TEXT) or BODY text as `{{1}}`, `{{2}}`, ... (positional, numbered
from 1 without gaps) or `{{first_name}}` (named: lowercase letters, digits and underscores); one
template uses one kind. Meta wants an example for every variable: `header_text` / `body_text` for
positional ones, `header_text_named_params` / `body_text_named_params` for named ones. A send names
its values in `components` (`{"type": "body", "parameters": [{"type": "text", "text": ...}]}`, named
ones with `parameter_name`).
"""

import re
from dataclasses import dataclass
from typing import Any

POSITIONAL = "positional"
NAMED = "named"
VARIABLE_HOLDERS = ("header", "body")
_VARIABLE = re.compile(r"\{\{\s*([^{}\s]*)\s*\}\}")
_NAMED_VARIABLE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# Template states a send may use: approved, or approved again after a pause (Meta's REINSTATED).
SENDABLE_STATES = frozenset({"APPROVED", "REINSTATED"})
PENDING = "PENDING"


@dataclass(frozen=True)
class TemplateVariables:
    """The variables of one template per component that can hold them, in the order they appear."""

    parameter_format: str
    header: tuple[str, ...] = ()
    body: tuple[str, ...] = ()

    def of(self, component: str) -> tuple[str, ...]:
        return self.header if component == "header" else self.body

    def as_dict(self) -> dict[str, list[str]]:
        return {component: list(self.of(component)) for component in VARIABLE_HOLDERS if self.of(component)}


class TemplateProblem(ValueError):
    """A definition or a send that does not fit: the field it concerns and what is wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def _text_of(components: list[dict[str, Any]], component: str) -> str:
    for item in components:
        if str(item.get("type", "")).lower() == component:
            if component == "header" and str(item.get("format", "TEXT")).upper() != "TEXT":
                return ""
            return str(item.get("text") or "")
    return ""


def _unique_in_order(names: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def template_variables(components: list[dict[str, Any]]) -> TemplateVariables:
    """The variables of a definition; TemplateProblem when they mix kinds, skip numbers or are badly named."""
    found = {
        component: _unique_in_order(_VARIABLE.findall(_text_of(components, component)))
        for component in VARIABLE_HOLDERS
    }
    every = [name for names in found.values() for name in names]
    numbered = [name for name in every if name.isdigit()]
    if numbered and len(numbered) != len(every):
        raise TemplateProblem("components", "use either numbered ({{1}}) or named ({{first_name}}) variables, not both")
    for component, names in found.items():
        if numbered and [int(name) for name in names] != list(range(1, len(names) + 1)):
            raise TemplateProblem(
                f"components.{component}.text", "numbered variables count from {{1}} upwards without gaps"
            )
        bad = [name for name in names if not name.isdigit() and not _NAMED_VARIABLE.match(name)]
        if bad:
            raise TemplateProblem(
                f"components.{component}.text",
                f"variable names are lowercase letters, digits and underscores, starting with a letter: {bad[0]!r}",
            )
    return TemplateVariables(POSITIONAL if numbered or not every else NAMED, found["header"], found["body"])


def check_examples(components: list[dict[str, Any]], variables: TemplateVariables) -> None:
    """Every variable needs an example, as Meta asks; TemplateProblem naming the first one without."""
    for component in VARIABLE_HOLDERS:
        names = variables.of(component)
        if not names:
            continue
        item = next(c for c in components if str(c.get("type", "")).lower() == component)
        example = item.get("example") or {}
        if variables.parameter_format == NAMED:
            given = {
                str(entry.get("param_name")): entry.get("example")
                for entry in example.get(f"{component}_text_named_params") or []
                if isinstance(entry, dict)
            }
            missing = [name for name in names if not given.get(name)]
        else:
            raw = example.get(f"{component}_text") or []
            # Meta nests the body's examples one level deeper ([[...]]) than the header's ([...]).
            values = raw[0] if component == "body" and raw and isinstance(raw[0], list) else raw
            missing = [name for index, name in enumerate(names) if index >= len(values) or not values[index]]
        if missing:
            raise TemplateProblem(f"components.{component}.example", f"an example is needed for {{{{{missing[0]}}}}}")


def supplied_parameters(components: list[dict[str, Any]], parameter_format: str) -> dict[str, list[str]]:
    """The variables a send's components fill, per component (positional ones by their place, from 1)."""
    supplied: dict[str, list[str]] = {}
    for item in components:
        component = str(item.get("type", "")).lower()
        if component not in VARIABLE_HOLDERS:
            continue
        parameters = [p for p in item.get("parameters") or [] if isinstance(p, dict)]
        if parameters and all(p.get("parameter_name") for p in parameters):
            names = [str(p["parameter_name"]) for p in parameters]
        elif parameter_format == NAMED:
            names = [f"#{index}" for index in range(1, len(parameters) + 1)]
        else:
            names = [str(index) for index in range(1, len(parameters) + 1)]
        supplied.setdefault(component, []).extend(names)
    return supplied


def send_mismatch(variables: TemplateVariables, components: list[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """The variables a send leaves out and the ones it adds, as `body.{{1}}` style names."""
    supplied = supplied_parameters(components, variables.parameter_format)
    missing, extra = [], []
    for component in VARIABLE_HOLDERS:
        expected, given = list(variables.of(component)), supplied.get(component, [])
        missing += [f"{component}.{{{{{name}}}}}" for name in expected if name not in given]
        extra += [f"{component}.{{{{{name}}}}}" for name in given if name not in expected]
    return missing, extra


def send_components(variables: TemplateVariables, values: dict[str, str]) -> list[dict[str, Any]]:
    """The components of a send filling each variable with `values[name]` (named ones carry their name)."""
    components = []
    for component in VARIABLE_HOLDERS:
        names = variables.of(component)
        if not names:
            continue
        parameters = []
        for name in names:
            parameter = {"type": "text", "text": values[name]}
            if variables.parameter_format == NAMED:
                parameter["parameter_name"] = name
            parameters.append(parameter)
        components.append({"type": component, "parameters": parameters})
    return components


def graph_definition(
    name: str, language: str, category: str, components: list[dict[str, Any]], parameter_format: str
) -> dict[str, Any]:
    """The body of Graph's `POST /{waba-id}/message_templates`."""
    body: dict[str, Any] = {
        "name": name,
        "language": language,
        "category": category.upper(),
        "components": components,
    }
    if parameter_format == NAMED:
        body["parameter_format"] = "NAMED"
    return body


def sendable(status: str | None) -> bool:
    """Whether a template in this state may be sent."""
    return status in SENDABLE_STATES
