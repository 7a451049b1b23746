"""Import-linter contract types beyond the built-in ones (`.importlinter` registers them under ``contract_types``)."""

from __future__ import annotations

import ast
import re
from itertools import pairwise

from grimp import ImportGraph
from importlinter.application import contract_utils, output
from importlinter.application.contract_utils import AlertLevel
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck
from importlinter.domain.helpers import module_expressions_to_modules
from importlinter.domain.imports import Module


class ForbiddenSubmodulesContract(Contract):
    """Like ``forbidden``, but a forbidden module may be part of an external package (``django.db``), which the
    built-in contract refuses: grimp records an import of an external package under its top-level name only.

    A forbidden module of the root package is refused along any chain, direct or indirect, as ``forbidden`` does.
    A forbidden part of an external package is refused in the source modules' own import statements, read from
    the line grimp records for each (``from django.db import models``, ``import django.db.models``,
    ``from django import db``; of a statement spread over lines, grimp keeps the first: its module counts). What a
    source reaches through another module of the root package is checked where that module is a source itself.
    """

    source_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    forbidden_modules = fields.SetField(subfield=fields.ModuleExpressionField())
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph, ignore_imports=self.ignore_imports, unmatched_alerting=AlertLevel.ERROR
        )
        roots = [Module(name) for name in self.session_options["root_packages"]]
        sources = sorted(m.name for m in module_expressions_to_modules(graph, self.source_modules))
        internal, external = [], []
        for module in module_expressions_to_modules(graph, self.forbidden_modules):
            (internal if any(module.is_in_package(root) for root in roots) else external).append(module.name)

        violations = []
        for source in sources:
            for forbidden in sorted(internal):
                for chain in sorted(graph.find_shortest_chains(importer=source, imported=forbidden, as_packages=True)):
                    violations.append((source, forbidden, [_line_of(graph, *pair) for pair in pairwise(chain)]))
            for forbidden in sorted(external):
                for module in sorted({source, *graph.find_descendants(source)}):
                    violations += [(module, forbidden, [line]) for line in _external_imports(graph, module, forbidden)]
        return ContractCheck(
            kept=not violations,
            warnings=list(removal.warnings),
            ignored_import_count=removal.ignored_import_count,
            metadata={"violations": violations},
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for source, forbidden, steps in check.metadata["violations"]:
            output.print_error(f"{source} is not allowed to import {forbidden}:")
            for step in steps:
                output.print_error(f"-   {step}", bold=False)
            output.new_line()


def _line_of(graph: ImportGraph, importer: str, imported: str) -> str:
    lines = ", ".join(f"l.{d['line_number']}" for d in graph.get_import_details(importer=importer, imported=imported))
    return f"{importer} -> {imported} ({lines})"


def _external_imports(graph: ImportGraph, source: str, forbidden: str) -> list[str]:
    """``source``'s import statements that name ``forbidden`` or a part of it."""
    package = forbidden.split(".")[0]
    if package not in graph.modules:
        return []
    found = []
    for detail in graph.get_import_details(importer=source, imported=package):
        names = _imported_names(detail["line_contents"])
        if any(name == forbidden or name.startswith(f"{forbidden}.") for name in names):
            found.append(f"{source}:{detail['line_number']}: {detail['line_contents']}")
    return found


def _imported_names(line: str) -> list[str]:
    """Dotted names an import line brings in: ``from a.b import c`` → a.b, a.b.c; ``import a.b`` → a.b."""
    try:
        tree = ast.parse(line.strip())
    except SyntaxError:  # the first line of a longer statement (``from a.b import (``): the module it names
        match = re.match(r"\s*(?:from|import)\s+([\w.]+)", line)
        return [match.group(1)] if match else []
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names += [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
    return names
