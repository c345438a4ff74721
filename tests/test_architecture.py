"""The dependency direction widgets -> maps -> app, a Qt-free core, and no windows outside widgets/."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_hold():
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([exe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


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
