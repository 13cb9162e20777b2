"""The import rules of the design: no cycles, exporters and generators apart, exporters on the contract only.

Every import counts, the lazy ones inside functions too (a lazy import hides a cycle, it does not remove it).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("scriptkit", "exporters", "generators")
#: What an exporter may import from scriptkit: the contract (models, timeline contract) and small utilities.
EXPORTER_MAY_USE = {"scriptkit", "scriptkit.models", "scriptkit.contract", "scriptkit.errors", "scriptkit.io"}
EXPORTER_MAY_USE |= {"scriptkit.rates", "scriptkit.xml", "scriptkit.safexml", "scriptkit.mix"}  # mix: the levels
EXPORTER_MAY_USE |= {"scriptkit.fonts"}  # fonts: which face draws which text (CJK), for the preview and storyboard
EXPORTER_MAY_USE |= {"scriptkit.subtitle_cues"}  # the one cue maker: subtitle text and timing of every format


def modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """Our modules `name` imports anywhere in its body (for `from a.b import c`: a.b.c when it is a module)."""
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = name.split(".") if is_package else name.split(".")[:-1]
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            parts = target.split(".")
            candidates = [".".join(parts[:n]) for n in range(len(parts), 0, -1)]
            module = next((c for c in candidates if c in known), None)
            if module is not None and module != name:
                out.add(module)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports(name, path, known) for name, path in known.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of module names, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycles() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_lazy_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycle(edges) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_exporters_and_generators_never_import_each_other() -> None:
    edges = graph()
    wrong = [
        f"{module} imports {target}"
        for module, targets in edges.items()
        for target in targets
        if (module.startswith("exporters") and target.startswith("generators"))
        or (module.startswith("generators") and target.startswith("exporters"))
    ]
    assert not wrong, wrong


def test_exporters_read_only_the_contract() -> None:
    edges = graph()
    wrong = [
        f"{module} imports {target}"
        for module, targets in edges.items()
        if module.startswith("exporters")
        for target in targets
        if target.startswith("scriptkit") and target not in EXPORTER_MAY_USE
    ]
    assert not wrong, wrong


def test_private_otio_bindings_live_in_one_module() -> None:
    users = [
        name
        for name, path in modules().items()
        if ("otio._otio" in (text := path.read_text(encoding="utf-8")) or "_core_utils" in text)
        and name != "scriptkit.otio_metadata"
    ]
    assert not users, users
