"""The dependency direction widgets -> maps -> app, the layers inside app/, a Qt-free core, no import
cycle, and no windows outside widgets/."""

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = (
    "widgets -> maps -> app, never back",
    "the core is Qt-free",
    "app's domains depend downward only",
    "no import cycle anywhere in the core",
)


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency: pip install -e '.[test]'"
    # PYTHONPATH first, so a copied tree is analysed instead of the installed checkout.
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run([exe, "--no-cache"], cwd=tree, capture_output=True, text=True, timeout=120, env=env)


def test_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(CONTRACTS)} kept, 0 broken" in result.stdout
    for name in CONTRACTS:
        assert f"{name} KEPT" in result.stdout


# Each line is one a hurried change might add; each must break the named contract.
VIOLATIONS = [
    ("app/merchants/catalogue.py", "import app.wallet.journal", "app's domains depend downward only"),
    ("app/discounts/price_calculator.py", "import app.wallet.journal", "app's domains depend downward only"),
    ("app/discounts/rules.py", "import app.geo.districts", "app's domains depend downward only"),
    ("app/points/engine.py", "import app.wallet.journal", "app's domains depend downward only"),
    ("app/store/models.py", "import app.merchants.fields", "app's domains depend downward only"),
    ("app/money.py", "import app.command_line", "app's domains depend downward only"),
    ("app/wallet/journal.py", "import app.wallet.service", "no import cycle anywhere in the core"),
    ("app/geo/districts.py", "import PySide6.QtCore", "the core is Qt-free"),
    ("maps/page.py", "import widgets.map_view", "widgets -> maps -> app, never back"),
]


@pytest.mark.slow   # nine copies of the tree
@pytest.mark.parametrize(("module", "line", "contract"), VIOLATIONS, ids=[v[0] + ": " + v[1] for v in VIOLATIONS])
def test_contracts_catch_a_wrong_import(tmp_path, module, line, contract):
    for part in ("app", "maps", "widgets"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")
    result = lint_imports(tmp_path)
    assert result.returncode != 0
    assert f"{contract} BROKEN" in result.stdout, result.stdout


def test_every_domain_is_a_package_with_a_purpose():
    """A newcomer reads `ls app/*/`: each folder is a regular package whose docstring says what it holds."""
    for folder in sorted(p for p in (ROOT / "app").iterdir() if p.is_dir() and p.name != "__pycache__"):
        init = folder / "__init__.py"
        if not any(folder.glob("*.py")):
            continue  # data only
        assert init.is_file(), f"{folder.relative_to(ROOT)} needs an __init__.py"
        assert ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))), f"{init.relative_to(ROOT)} needs a docstring"


# maps/ draws (QtGui: the flyers' PDF pages) but never builds a window; import-linter sees PySide6
# only as one package, so the submodules are checked here.
WINDOW_MODULES = ("PySide6.QtWidgets", "PySide6.QtWebEngineWidgets", "PySide6.QtPdfWidgets", "PySide6.QtCharts")


def test_maps_never_builds_windows():
    offenders = []
    for path in (ROOT / "maps").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.startswith(WINDOW_MODULES)]
    assert offenders == []


def _ruff(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    exe = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    assert exe, "ruff is a test dependency: pip install -e '.[test]'"
    return subprocess.run([exe, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_code_passes_ruff():
    """pyproject's [tool.ruff] lint rules, on everything in the repository."""
    result = _ruff("check", "--no-cache", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_catches_what_it_is_configured_for(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    (tmp_path / "bad.py").write_text("import os\n\n\ndef f(x=[]):\n    return x\n", encoding="utf-8")
    result = _ruff("check", "--no-cache", ".", cwd=tmp_path)
    assert result.returncode != 0 and "F401" in result.stdout and "B006" in result.stdout
