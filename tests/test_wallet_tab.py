"""The wallet tab, driven like a member would: forms that check before saving, 记一笔 from the map."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox
from qt_helpers import answer_next_dialog

from app.wallet.journal import KINDS
from widgets.launcher import main

pytestmark = pytest.mark.gui


def form(tab, kind):
    index = tab.operation_box.findData(kind)
    tab.operation_box.setCurrentIndex(index)
    return tab.form_stack.currentWidget()


def test_deposit_then_record_a_purchase_from_the_map(window, qtbot):
    tab = window.wallet_tab
    assert tab.cards["bank"].amount.text() == "¥0.00"

    deposit = form(tab, "deposit")
    assert not deposit.save_button.isEnabled()
    qtbot.keyClicks(deposit.inputs["fen"], "2000")
    assert deposit.save_button.isEnabled() and "¥2,000.00" in deposit.message.text()
    qtbot.mouseClick(deposit.save_button, Qt.MouseButton.LeftButton)
    assert tab.cards["bank"].amount.text() == "¥2,000.00"

    # In the explorer: pick 精益眼镜, price a pair of glasses, press 记一笔.
    explorer = window.explorer
    explorer.select_merchant("qs-08")
    explorer.details.amount_box.setText("配镜=1000")
    qtbot.mouseClick(explorer.details.record_button, Qt.MouseButton.LeftButton)
    assert window.tabs.currentWidget() is tab
    purchase = tab.purchase_form
    assert purchase.merchant_picker.merchant_id == "qs-08"
    assert purchase.merchant_picker.text().startswith("精益眼镜")
    assert "应付 ¥850.00" in purchase.message.text()  # the discount, shown before saving
    qtbot.mouseClick(purchase.save_button, Qt.MouseButton.LeftButton)
    assert tab.cards["bank"].amount.text() == "¥1,150.00"
    assert tab.journal_model.rowCount() == 2
    assert "精益眼镜" in tab.journal_model.index(0, 3).data()
    assert tab.chart.totals == {tab.chart.months[0]: {"购物": 85_000}}
    # 累计节省 beside the chart (issue 15): the 8.5折 took 150 off this month and this year.
    saved = tab.savings_label.text()
    assert "本月 <b style='color:#2b8a3e'>¥150.00</b>" in saved and "购物 ¥150.00" in saved
    assert "今年 <b style='color:#2b8a3e'>¥150.00</b>" in saved


def test_a_refused_operation_cannot_be_saved_and_says_why(window, qtbot):
    tab = window.wallet_tab
    withdraw = form(tab, "withdraw")
    qtbot.keyClicks(withdraw.inputs["fen"], "50")
    assert not withdraw.save_button.isEnabled()
    assert "不能透支" in withdraw.message.text()
    load = form(tab, "load")
    qtbot.keyClicks(load.inputs["fen"], "12.345")
    assert "两位小数" in load.message.text() and not load.save_button.isEnabled()
    assert tab.journal_model.rowCount() == 0
    ride = form(tab, "ride")
    qtbot.keyClicks(ride.inputs["fen"], "2")
    assert "武汉通余额不足" in ride.message.text()


def test_refunds_offer_only_refundable_purchases(window, qtbot):
    tab = window.wallet_tab
    wallet = tab.wallet
    import datetime as dt

    from app.discounts.price_calculator import parse_item

    wallet.deposit(100_000, dt.date.today())
    bought = wallet.pay("qs-06", [parse_item("正价商品=100")], "bank", dt.date.today())
    tab._on_saved(bought)
    refund = form(tab, "refund")
    # Issue 15: the form starts empty, nothing chosen for the member, and nothing can be saved yet.
    assert refund.inputs["entry"].count() == 1 and refund.inputs["entry"].currentIndex() == -1
    assert not refund.save_button.isEnabled()
    refund.inputs["entry"].setCurrentIndex(0)
    assert refund.inputs["entry"].currentData() == bought.id
    qtbot.keyClicks(refund.inputs["fen"], "99")
    assert "超过" in refund.message.text() and not refund.save_button.isEnabled()
    refund.inputs["fen"].clear()
    assert not refund.save_button.isEnabled()   # no default full refund: the amount is typed
    qtbot.keyClicks(refund.inputs["fen"], "98")
    assert refund.save_button.isEnabled()

    def answer(yes: bool):
        def act(box):
            text = box.text()
            box.button(QMessageBox.StandardButton.Yes if yes else QMessageBox.StandardButton.No).click()
            return text
        return act

    asked = answer_next_dialog(answer(False))   # asked first, and "no" writes nothing
    qtbot.mouseClick(refund.save_button, Qt.MouseButton.LeftButton)
    assert "退款" in asked[0] and "不能修改或删除" in asked[0]
    assert tab.cards["bank"].amount.text() == "¥902.00" and len(wallet.entries()) == 2
    asked = answer_next_dialog(answer(True))
    qtbot.mouseClick(refund.save_button, Qt.MouseButton.LeftButton)
    assert asked and refund.inputs["entry"].count() == 0
    assert tab.cards["bank"].amount.text() == "¥1,000.00"


def test_profile_dialog_validates_and_shows_masked_numbers(window, qtbot):
    from widgets.wallet_tab import ProfileDialog

    dialog = ProfileDialog(window.wallet_tab.wallet, window)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("张三")
    dialog.mobile_edit.setText("1234")
    assert not dialog.save() and "手机号" in dialog.message.text()
    dialog.mobile_edit.setText("13800138000")
    dialog.card_edit.setText("6222021234567894")
    assert dialog.save()
    window.wallet_tab.refresh()
    label = window.wallet_tab.profile_label.text()
    assert "张三" in label and "6222 **** **** 7894" in label and "6222021234567894" not in label


def test_full_personal_numbers_typed_in_the_app_are_kept_nowhere(window, qtbot, tmp_path, caplog):
    """Issue 17: after a member types the full card, mobile and ID numbers into 会员资料 and the app
    saves its settings, no file the app wrote (database, settings) and no log line holds them."""
    from widgets.wallet_tab import ProfileDialog

    caplog.set_level("DEBUG")
    dialog = ProfileDialog(window.wallet_tab.wallet, window)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("张三")
    dialog.card_edit.setText("6222 0212 3456 7894")
    dialog.mobile_edit.setText("13912345678")
    dialog.id_edit.setText("11010519491231002X")
    assert dialog.save()
    window.wallet_tab.refresh()
    again = ProfileDialog(window.wallet_tab.wallet, window)   # reopened: only the masked forms come back
    qtbot.addWidget(again)
    shown = " ".join(e.text() + e.placeholderText() for e in (again.card_edit, again.mobile_edit, again.id_edit))
    assert "7894" in shown and "6222021234567894" not in shown.replace(" ", "")
    window.save_settings()

    written = b"".join(p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())
    assert (tmp_path / "settings.ini").exists() and b"window" in written
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("6222021234567894", "6222 0212 3456 7894", "13912345678", "11010519491231002X",
                   "19491231"):
        assert secret.encode() not in written, secret
        assert secret not in logged, secret
    assert b"6222 **** **** 7894" in written   # the masked form is what is kept


def test_snapshot_of_the_wallet_tab(tmp_path, sqlite_url):
    assert main(["--db", sqlite_url, "wallet", "deposit", "500"]) == 0
    out = tmp_path / "wallet.png"
    assert main(["--db", sqlite_url, "snapshot", "--tab", "wallet", "--out", str(out)]) == 0
    image = QImage(str(out))
    assert image.width() == 1360


def test_points_card_statement_and_redeem_form(window, qtbot):
    import datetime as dt

    from app.discounts.price_calculator import parse_item

    tab = window.wallet_tab
    assert tab.points_card.amount.text() == "—"  # no programme chosen yet
    assert "选择积分规则" in tab.points_card.hint.text()
    wallet = tab.wallet
    wallet.update_profile(programme="icbc", points_card="debit")
    today = dt.date.today()
    wallet.deposit(200_000, today)
    wallet.pay("qs-09", [parse_item("500")], "card", today)  # 丽华园酒店 9折: 450 paid, 450 points
    tab.refresh()
    assert tab.points_card.amount.text() == "450 分"
    assert "可用 450 分" in tab.points_card.hint.text()
    assert tab.statement_view.values["new_basic"].text() == "450"

    redeem = form(tab, "redeem")
    qtbot.keyClicks(redeem.inputs["points"], "451")
    assert not redeem.save_button.isEnabled() and "可用积分只有 450 分" in redeem.message.text()
    redeem.inputs["points"].clear()
    qtbot.keyClicks(redeem.inputs["points"], "400")
    qtbot.mouseClick(redeem.save_button, Qt.MouseButton.LeftButton)
    assert tab.points_card.amount.text() == "50 分"
    assert tab.statement_view.values["redeemed"].text() == "400"


def test_points_about_to_expire_are_highlighted(qapp):
    import datetime as dt
    from decimal import Decimal

    from app.points.engine import Transaction, run
    from app.points.programme import programme
    from widgets.wallet_tab import PointsCard

    ledger = run(programme("icbc"), [Transaction("a", dt.date(2022, 3, 1), Decimal(100), "purchase", None, "5812",
                                                 "pos", "debit")], None, dt.date(2026, 11, 22))
    card = PointsCard()
    card.show_ledger(ledger, "中国工商银行 个人综合积分")
    assert "即将失效：100 分（2026-12-30 后失效）" in card.hint.text()
    card.deleteLater()


def test_purchase_form_finds_merchants_by_pinyin(window, qtbot):
    tab = window.wallet_tab
    tab.wallet.deposit(100_000, __import__("datetime").date.today())
    picker = tab.purchase_form.merchant_picker
    qtbot.keyClicks(picker, "zbcc")
    qtbot.waitUntil(lambda: picker.completer().model().rowCount() == 1, timeout=5_000)
    label = picker.completer().model().index(0, 0).data()
    assert label.startswith("中百仓储")
    picker.completer().activated.emit(label)  # the member picks the suggestion
    assert picker.merchant_id == "qs-06"
    qtbot.keyClicks(tab.purchase_form.items_edit, "100")
    assert "应付 ¥98.00" in tab.purchase_form.message.text() and tab.purchase_form.save_button.isEnabled()


def test_a_balance_assertion_that_disagrees_cannot_be_saved(window, qtbot):
    tab = window.wallet_tab
    deposit = form(tab, "deposit")
    qtbot.keyClicks(deposit.inputs["fen"], "100")
    qtbot.mouseClick(deposit.save_button, Qt.MouseButton.LeftButton)
    check = form(tab, "assertion")
    qtbot.keyClicks(check.inputs["fen"], "90")
    assert not check.save_button.isEnabled() and "相差" in check.message.text()
    check.inputs["fen"].clear()
    qtbot.keyClicks(check.inputs["fen"], "100")
    assert check.save_button.isEnabled()
    qtbot.mouseClick(check.save_button, Qt.MouseButton.LeftButton)
    kinds = [tab.journal_model.index(r, 2).data() for r in range(tab.journal_model.rowCount())]
    assert kinds == [KINDS["assertion"], KINDS["deposit"]], "only the assertion that held was recorded"


def test_a_future_date_asks_before_it_is_recorded(window, qtbot):
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QMessageBox
    from qt_helpers import DIALOG_FAILURES, answer_next_dialog

    tab = window.wallet_tab
    deposit = form(tab, "deposit")
    qtbot.keyClicks(deposit.inputs["fen"], "100")
    deposit.date_edit.setDate(QDate.currentDate().addDays(3))
    asked = answer_next_dialog(lambda box: (box.text(), box.button(QMessageBox.StandardButton.No).click())[0])
    assert deposit.save() is None
    assert "在今天之后" in asked[0] and tab.journal_model.rowCount() == 0
    answer_next_dialog(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    assert deposit.save() is not None and tab.journal_model.rowCount() == 1
    assert DIALOG_FAILURES == []


def test_the_points_card_is_chosen_in_the_profile_and_paid_with_in_the_form(window, qtbot):
    """Seed 000 Q8 (the union card is 汉口银行 debit) against seed 001's 公务卡 (a 华融湘江 credit card):
    the app says which card earns, offers that card as a way to pay, and only its purchase earns."""
    import datetime as dt

    from app.discounts.price_calculator import parse_item
    from widgets.wallet_tab import ProfileDialog

    tab = window.wallet_tab
    dialog = ProfileDialog(tab.wallet, window)
    qtbot.addWidget(dialog)
    assert "以下积分计划都不是汉口银行的" in dialog.programme_note.text()   # the picker explains first
    dialog.programme_box.setCurrentIndex(dialog.programme_box.findData("hrxj"))
    assert dialog.save()
    tab.refresh()
    note = tab.statement_view.cards_note.text()
    assert "只适用于您的华融湘江银行信用卡" in note and "工会卡（汉口银行借记卡）的消费不计入" in note

    tab.wallet.deposit(100_000, dt.date.today())
    tab.wallet.pay("qs-09", [parse_item("100")], "bank", dt.date.today())
    tab.refresh()   # 0 points always comes with the reason
    assert tab.points_card.amount.text() == "0 分" and "工会卡是汉口银行借记卡" in tab.points_card.hint.text()
    purchase = tab.purchase_form
    at = purchase.purse_box.findData("card")
    assert purchase.purse_box.itemText(at) == "积分卡（华融湘江银行信用卡）"
    tab.start_purchase("qs-08", "配镜=1000")
    purchase.purse_box.setCurrentIndex(at)
    assert "应付 ¥850.00" in purchase.message.text() and purchase.save_button.isEnabled()
    qtbot.mouseClick(purchase.save_button, Qt.MouseButton.LeftButton)
    assert tab.cards["bank"].amount.text() == "¥910.00"        # the points card's 850 left the union card alone
    assert "850" in tab.points_card.amount.text()               # the points card's purchase earned

    close = form(tab, "close")
    assert close.save_button.isEnabled() and "积分卡销户" in close.message.text()
    asked = answer_next_dialog(lambda box: box.button(QMessageBox.StandardButton.Yes).click())
    qtbot.mouseClick(close.save_button, Qt.MouseButton.LeftButton)
    assert asked == [None]
    assert tab.points_card.amount.text().startswith("0")       # seed 001 一: cleared on closing
