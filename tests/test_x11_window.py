"""The window on a real X server (issue 28): every other GUI test runs offscreen, which needs none of
the xcb libraries the README names. Here Xvfb (installed by .ci/run) is started, the window opens with
QT_QPA_PLATFORM=xcb, draws the map and closes cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from qt_helpers import assert_map_drawn

pytestmark = pytest.mark.slow   # a real X server (Xvfb) and a window in a subprocess: not in the inner loop


@pytest.fixture
def display():
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (.ci/run installs it: apt-get install xvfb)")
    read, write = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1400x900x24", "-nolisten", "tcp"],
                              pass_fds=(write,), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as f:
        number = f.readline().strip()   # Xvfb writes the display it chose once it accepts clients
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(timeout=10)


def x11_env(display: str, tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(tmp_path), XDG_RUNTIME_DIR=str(tmp_path))
    if os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    return env


def test_qt_runs_on_the_xcb_platform(display, tmp_path):
    done = subprocess.run([sys.executable, "-c", "from PySide6.QtWidgets import QApplication; "
                           "app = QApplication([]); print(app.platformName())"],
                          env=x11_env(display, tmp_path), capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.strip() == "xcb", done.stderr[-2000:]


def test_the_window_opens_draws_the_map_and_closes_on_x11(display, tmp_path):
    png = tmp_path / "window.png"
    launcher = "import sys; from widgets.launcher import main; sys.exit(main(sys.argv[1:]))"   # as `unioncard` runs
    done = subprocess.run([sys.executable, "-c", launcher, "--db", f"sqlite:///{tmp_path / 'u.sqlite'}", "snapshot",
                           "--out", str(png), "--size", "1200x800", "--district", "青山区"],
                          env=x11_env(display, tmp_path), capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]   # not 134 ("Could not load the Qt platform plugin xcb")
    assert_map_drawn(png)
