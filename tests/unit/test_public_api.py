"""The public API: every name in ``participatie.__all__`` is there, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import participatie


def test_every_public_name_is_importable() -> None:
    missing = [name for name in participatie.__all__ if not hasattr(participatie, name)]
    assert missing == []


def test_a_custom_permissions_table_is_built_from_public_names_only() -> None:
    # Participation.open(permissions=...) takes what participatie itself exports.
    from participatie.privacy import authorisation  # noqa: PLC0415

    assert participatie.Action is authorisation.Action
    assert participatie.DEFAULT_PERMISSIONS is authorisation.DEFAULT_PERMISSIONS
    assert participatie.Permissions is authorisation.Permissions
    assert {"Action", "DEFAULT_PERMISSIONS", "Permissions"} <= set(participatie.__all__)


def test_importing_participatie_needs_neither_matplotlib_nor_psycopg() -> None:
    # The report and postgres extras are optional: only their features may import them.
    script = (
        "import sys, participatie; "
        "print(sorted(m for m in ('matplotlib', 'psycopg') if m in sys.modules))"
    )
    loaded = subprocess.run(  # noqa: S603 (our own interpreter and a fixed script)
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert loaded == "[]"


def test_the_command_line_uses_only_the_public_api() -> None:
    # architecture.md: the CLI uses the public API: participatie itself, and the public
    # subpackages for users (the demo scenarios and the testing helpers).
    import ast  # noqa: PLC0415
    from pathlib import Path  # noqa: PLC0415

    import participatie.cli  # noqa: PLC0415

    public_packages = ("participatie.demo", "participatie.testing", "participatie.cli")
    folder = Path(participatie.cli.__file__).parent
    nodes = [
        node
        for path in sorted(folder.glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
    ]
    internal = []
    for node in nodes:
        modules = []
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [node.module]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        for module in modules:
            if module.startswith("participatie") and not (
                module == "participatie" or module.startswith(public_packages)
            ):
                internal.append(module)
            elif (
                isinstance(node, ast.ImportFrom)
                and module.startswith(public_packages)
                and not module.startswith("participatie.cli")  # its own modules
            ):
                names = {alias.name for alias in node.names}
                exported = set(getattr(__import__(module, fromlist=["*"]), "__all__", names))
                internal += [f"{module}.{name}" for name in names - exported - {"*"}]
    assert internal == []
