"""Printable flyers, read back: every merchant and offer, embedded fonts, page sizes, repeated headers."""

from __future__ import annotations

import json
import re

import pytest
from pypdf import PdfReader

from widgets.launcher import main

A4, A5 = (595, 842), (420, 595)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def page_texts(path) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(str(path)).pages]


def embedded_fonts(path) -> set[str]:
    found = set()
    for page in PdfReader(str(path)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                        found.add(str(descendant.get_object()["/BaseFont"]))
    return found


def test_qingshan_flyer_has_every_merchant_and_offer(tmp_path, sqlite_url, seeded_frame):
    out = tmp_path / "qingshan.pdf"
    assert main(["--db", sqlite_url, "flyer", "--district", "青山区", "--date", "2026-11-22", "--out", str(out)]) == 0
    reader = PdfReader(str(out))
    assert tuple(round(float(v)) for v in reader.pages[0].mediabox[2:]) == A4
    text = "".join(page_texts(out))
    assert "武汉工会会员服务卡·青山区优惠商户" in text
    assert "发布日期：2026年11月22日" in text
    for name, offer in zip(seeded_frame["name"], seeded_frame["offer"]):
        assert squash(name) in text and squash(offer) in text, name
    # Seed 000 Q11: the union's hotline, the bank's and 武汉通's, and the card's site.
    assert "职工服务热线12351" in text and "汉口银行96558" in text and "武汉通客服81886666" in text
    assert "www.wh12351.org" in text and "第1/1页" in text
    fonts = embedded_fonts(out)
    # a subset of the font, named with its subset tag as PDF asks (QQAAAA+NotoSansSC-Regular), not all 8 MB
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+NotoSansSC-Regular", f) for f in fonts), fonts
    assert out.stat().st_size < 1_500_000


def test_a5_and_a_category(tmp_path, sqlite_url):
    out = tmp_path / "medical.pdf"
    assert main(["--db", sqlite_url, "flyer", "--district", "青山", "--category", "医疗", "--size", "a5",
                 "--out", str(out), "--json"]) == 0
    reader = PdfReader(str(out))
    assert tuple(round(float(v)) for v in reader.pages[0].mediabox[2:]) == A5
    text = "".join(page_texts(out))
    assert "青山区医疗类优惠商户" in text and "武东医院" in text and "中百仓储" not in text


def test_long_lists_flow_onto_pages_with_the_header_repeated(tmp_path, sqlite_url):
    rows = ["编号,名称,类别,区,优惠,经度,纬度"]
    for i in range(70):
        rows.append(f"long-{i:03d},长江测试商户{i:03d}号,餐饮,青山区,全场9折（酒水、特价菜、套餐及其他优惠活动商品除外），"
                    f"需出示工会卡,{114.38 + (i % 10) * 0.004:.4f},{30.63 + (i // 10) * 0.003:.4f}")
    csv_path = tmp_path / "long.csv"
    csv_path.write_text("\n".join(rows), encoding="utf-8")
    assert main(["--db", sqlite_url, "merchants", "import", str(csv_path)]) == 0
    out = tmp_path / "long.pdf"
    assert main(["--db", sqlite_url, "flyer", "--district", "青山区", "--out", str(out)]) == 0
    pages = page_texts(out)
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "优惠内容（含除外事项）" in text and "有效期" in text  # the table header on every page
        assert f"第{number}/{len(pages)}页" in text
    text = "".join(pages)
    assert all(f"长江测试商户{i:03d}号" in text for i in range(70))


def test_all_districts_make_one_file_each_and_say_which_had_none(tmp_path, sqlite_url, capsys):
    out_dir = tmp_path / "flyers"
    assert main(["--db", sqlite_url, "flyer", "--all-districts", "--out-dir", str(out_dir), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert sorted(p.name for p in out_dir.iterdir()) == ["青山区.pdf"]
    assert [f["merchants"] for f in report["files"]] == [12]
    assert len(report["districts_without_merchants"]) == 12 and "江岸区" in report["districts_without_merchants"]


@pytest.mark.parametrize("args, message", [
    (["--district", "青山区", "--out", "x.txt"], "应是 .pdf"),
    (["--out", "x.pdf"], "--district"),
    (["--district", "青山区", "--all-districts", "--out-dir", "d"], "--district"),
    (["--all-districts"], "--out-dir"),
    (["--district", "火星区", "--out", "x.pdf"], "未知的区"),
    (["--district", "青山区", "--date", "2026-13-01", "--out", "x.pdf"], "YYYY-MM-DD"),
])
def test_flyer_refuses_bad_arguments(args, message, sqlite_url, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", sqlite_url, "flyer", *args]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.mark.gui
def test_flyer_preview_save_and_print_from_the_window(window, qtbot, tmp_path):
    from PySide6.QtPrintSupport import QPrinter

    window.explorer.panel.category_buttons["医疗"].click()
    dialog = window.flyer_dialog()
    qtbot.addWidget(dialog)
    assert dialog.document.pageCount() == 1 and dialog.result.merchants == 4
    assert "4 家商户" in dialog.summary.text()
    saved = dialog.save(str(tmp_path / "医疗"))
    assert saved.name == "医疗.pdf"
    text = "".join(page_texts(saved))
    assert "青山区" in text and "武东医院" in text
    dialog.size_box.setCurrentIndex(1)  # A5: rendered again
    assert tuple(round(float(v)) for v in PdfReader(str(dialog.pdf_path)).pages[0].mediabox[2:]) == A5
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "printed.pdf"))
    assert dialog.print_to(printer) == dialog.document.pageCount()
    assert len(PdfReader(str(tmp_path / "printed.pdf")).pages) == dialog.document.pageCount()


def test_a_flyer_for_every_district_from_the_window_shows_progress(window, qtbot, store, tmp_path):
    from app.merchants.curation import add_merchant
    from app.merchants.fields import MerchantRecord

    db, districts = store
    assert add_merchant(db, districts, MerchantRecord("ja-1", "江岸测试餐厅", "餐饮", "420102", 114.30, 30.60,
                                                      offer="9折"), author="测试").saved
    made = window.export_district_flyers(str(tmp_path))
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["江岸区.pdf", "青山区.pdf"]
    assert [r.merchants for r in made.written] == [1, 12] and "武昌区" in made.empty
    assert "已为 2 个区生成传单" in window.statusBar().currentMessage()
    assert "江岸测试餐厅" in "".join(page_texts(tmp_path / "江岸区.pdf"))


def test_stopping_the_district_flyers_keeps_those_already_written(store, tmp_path):
    import datetime as dt

    from maps.flyer import write_district_flyers

    from app.merchants.curation import add_merchant
    from app.merchants.fields import MerchantRecord

    db, districts = store
    assert add_merchant(db, districts, MerchantRecord("ja-1", "江岸测试餐厅", "餐饮", "420102", 114.30, 30.60,
                                                      offer="9折"), author="测试").saved
    seen = []

    class Stop(Exception):
        pass

    def progress(done, total, name):
        seen.append((done, total, name))
        if name == "青山区":
            raise Stop

    with pytest.raises(Stop):
        write_district_flyers(db, districts, tmp_path, (), dt.date(2026, 12, 3), progress=progress)
    assert seen[0] == (0, 13, districts.name(districts.codes[0])) and len(seen) == districts.codes.index("420107") + 1
    # 江岸区's flyer was written whole before the stop; 青山区's was never begun, nothing is half-made
    assert [p.name for p in tmp_path.glob("*.pdf")] == ["江岸区.pdf"] and not list(tmp_path.glob("*.part"))
    assert "江岸测试餐厅" in "".join(page_texts(tmp_path / "江岸区.pdf"))
