"""The wheel stands on its own: built from this checkout, installed in a new, empty venv and run from
another folder, it finds all its package data (merchants, districts, gazetteer, fonts, Leaflet, points
programmes, migrations, item classes, Qt translations) without the checkout.

What is under test is the wheel's own files. Its dependencies (a gigabyte, Qt included) are not
installed a second time: the new venv sees this venv's site-packages through a .pth file, which adds
the folder to sys.path without running the .pth files inside it — so the editable install of this
checkout stays out, and `import app` can only find the wheel's copy.
"""

from __future__ import annotations

import json
import os
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow   # builds the wheel and runs it from a second venv: not in the inner loop

ROOT = Path(__file__).resolve().parent.parent
EXPECTED_ICBC_POINTS = 100   # 1 point a yuan at a restaurant (app/points/programmes/icbc.toml)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
                   check=True, capture_output=True, timeout=300)
    (built,) = out.glob("unioncard-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(wheel, tmp_path_factory) -> Path:
    env_dir = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True, timeout=120)
    python = env_dir / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
                   check=True, capture_output=True, timeout=300)
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = [p for p in site.getsitepackages() if Path(p).is_dir()] or [sysconfig.get_paths()["purelib"]]
    (Path(purelib) / "_dependencies_from_the_project_venv.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    return env_dir


def run(venv: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "UNIONCARD_DB")}
    env |= {"HOME": str(cwd), "XDG_DATA_HOME": str(cwd / "data"), "XDG_CACHE_HOME": str(cwd / "cache"),
            "XDG_CONFIG_HOME": str(cwd / "config"), "QT_QPA_PLATFORM": "offscreen",
            "PATH": f"{venv / 'bin'}:/usr/bin:/bin"}
    result = subprocess.run([str(venv / "bin" / "unioncard"), *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=180)
    assert result.returncode == 0, f"unioncard {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_the_wheel_holds_every_data_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = ["app/discounts/item_classes.toml", "app/points/programmes/icbc.toml", "app/wallet/transit_fares.toml",
              "app/store/migrations/env.py", "app/store/migrations/script.py.mako", "maps/data/wuhan_districts.geojson",
              "maps/data/wuhan_places.json", "maps/static/union_map.js", "widgets/icons/unioncard.svg"]
    assert [w for w in wanted if w not in names] == []
    assert any(n.endswith("/data/share/unioncard/merchants.geojson") for n in names)
    assert any(n.startswith("app/store/migrations/versions/") and n.endswith(".py") for n in names)


def test_installed_from_the_wheel_it_runs_from_another_folder(venv, tmp_path):
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import app, maps, widgets; print(app.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv), where   # the wheel's copy, not this checkout
    from app.credits import version

    assert run(venv, tmp_path, "--version").stdout.strip() == f"工会卡 {version()}"
    priced = run(venv, tmp_path, "discount", "price", "--merchant", "qs-08", "--item", "配镜=1000").stdout
    assert "应付 850.00 元" in priced
    listed = json.loads(run(venv, tmp_path, "merchants", "list", "--district", "青山区", "--json").stdout)
    assert listed["count"] == len(listed["merchants"]) == 12
    tx = tmp_path / "tx.csv"   # a restaurant bill under ICBC's rules, read from the wheel's programme file
    tx.write_text("ref,date,posted,amount,kind,mcc,channel,card,refund_of\na,2026-03-02,2026-03-02,100,purchase,5812,pos,credit,\n",
                  encoding="utf-8")
    points = json.loads(run(venv, tmp_path, "points", "simulate", "--programme", "icbc", "--transactions", str(tx),
                            "--json").stdout)
    assert points["balance"] == EXPECTED_ICBC_POINTS


def test_from_the_wheel_it_draws_a_flyer_and_a_snapshot(venv, tmp_path):
    from pypdf import PdfReader

    run(venv, tmp_path, "flyer", "--district", "青山区", "--out", str(tmp_path / "f.pdf"))
    assert "精益眼镜" in "".join(p.extract_text() for p in PdfReader(tmp_path / "f.pdf").pages)
    run(venv, tmp_path, "snapshot", "--out", str(tmp_path / "w.png"), "--size", "1000x700")
    assert (tmp_path / "w.png").stat().st_size > 30_000   # a drawn window, not an empty image
