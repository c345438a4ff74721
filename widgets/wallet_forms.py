"""Forms for wallet operations: each checks what it would record before the member can save it."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from collections.abc import Callable

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.discounts.price_calculator import BasketError, parse_basket
from app.discounts.rules_text import zhe
from app.money import AmountError, parse_yuan, yuan_text
from app.wallet import operations as ops
from app.wallet.entry_text import describe
from app.wallet.journal import (
    DISBURSE_REASONS,
    KINDS,
    PURSE_NAMES,
    PURSES,
    Entry,
    WalletError,
    balances,
    refunded_fen,
    reversed_ids,
)
from app.wallet.service import Wallet
from widgets.merchant_details import quote_html
from widgets.merchant_picker import MerchantPicker
from widgets.plain_text import ask

Build = Callable[[list[Entry]], Entry]
HINT = "填写金额后，这里会显示将要记录的内容和之后的余额。"


def _date_edit() -> QDateEdit:
    edit = QDateEdit(QDate.currentDate())
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    return edit


def confirm_date(parent, on: dt.date) -> bool:
    """A day in the future is most often a slip; the journal keeps what is saved, so ask first."""
    return on <= dt.date.today() or ask(parent, "日期在未来", f"这笔记录的日期是 {on}，在今天之后。确定要这样记录吗？")


def _on(edit: QDateEdit) -> dt.date:
    d = edit.date()
    return dt.date(d.year(), d.month(), d.day())


def narrow_combo() -> QComboBox:
    """A combo box whose longest item (a whole journal line) does not set the form's minimum width:
    the wallet must fit a 1024-pixel screen; the full text shows in the open list."""
    box = QComboBox()
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(12)
    return box


# Entries that only another entry can undo, or that end something: the form asks before writing.
CONFIRMED_KINDS = ("refund", "reversal", "close")


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    kind: str                   # amount | optional_amount | points | choice | open_choice | entry
    choices: tuple = ()         # (label, value) pairs for `choice`


class CheckedForm(QWidget):
    """A form whose save button is enabled only while what it would record passes every rule.
    Subclasses provide `save()`, which the button calls."""

    saved = Signal(object)  # the Entry recorded

    def _assemble(self, form: QFormLayout, save_text: str) -> None:
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.save_button = QPushButton(save_text)
        self.save_button.clicked.connect(self.save)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.save_button)
        layout.addLayout(row)
        layout.addStretch(1)

    def _say(self, text: str, colour: str, can_save: bool) -> bool:
        self.message.setText(f"<span style='color:{colour}'>{text}</span>")
        self.save_button.setEnabled(can_save)
        return can_save

    def _refuse(self, exc: Exception, prefix: str = "") -> bool:
        return self._say(prefix + html.escape(str(exc)), "#c92a2a", False)

    def _hint(self) -> bool:
        return self._say(HINT, "#868e96", False)


class OperationForm(CheckedForm):
    """One operation's fields, a live check of what saving would record, and the save button."""

    def __init__(self, wallet: Wallet, kind: str, fields: list[Field], build: Callable[[dict], Build],
                 choosable: Callable[[list[Entry]], list[Entry]] | None = None, parent=None):
        super().__init__(parent)
        self.wallet = wallet
        self.kind = kind
        self._fields = fields
        self._build = build
        self._choosable = choosable
        self.inputs: dict[str, QWidget] = {}
        form = QFormLayout()
        for f in fields:
            if f.kind in ("amount", "optional_amount", "points"):
                w = QLineEdit()
                w.setPlaceholderText({"amount": "元，如 100 或 12.50", "optional_amount": "留空表示剩余全部",
                                      "points": "积分，如 500"}[f.kind])
                w.textChanged.connect(self.validate)
            else:
                w = narrow_combo()
                for label, value in f.choices:
                    w.addItem(label, value)
                w.currentIndexChanged.connect(self.validate)
                if f.kind == "open_choice":   # the named ones offered, any other typed
                    w.setEditable(True)
                    w.lineEdit().setPlaceholderText("选择或填写")
                    w.editTextChanged.connect(self.validate)
            self.inputs[f.key] = w
            form.addRow(f.label, w)
        self.date_edit = _date_edit()
        self.date_edit.dateChanged.connect(self.validate)
        form.addRow("日期", self.date_edit)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("可不填")
        form.addRow("备注", self.note_edit)
        self._assemble(form, f"记录{KINDS[kind]}")
        self.refresh_choices()

    def refresh_choices(self) -> None:
        """Entry pickers list the entries this operation can apply to (after each save)."""
        entries = self.wallet.entries()
        for f in self._fields:
            if f.kind != "entry":
                continue
            box: QComboBox = self.inputs[f.key]
            box.blockSignals(True)
            box.clear()
            for e in reversed(entries if self._choosable is None else self._choosable(entries)):
                box.addItem(f"#{e.id} {e.occurred_on} {describe(e)}", e.id)
            box.setPlaceholderText(f"请选择{f.label}" if box.count() else f"没有可选的{f.label}")
            box.setCurrentIndex(-1)   # nothing chosen for the member: the journal cannot be undone
            box.blockSignals(False)
        self.validate()

    def values(self) -> dict:
        out = {}
        for f in self._fields:
            w = self.inputs[f.key]
            if f.kind == "amount":
                out[f.key] = parse_yuan(w.text(), f.label, allow_zero=self.kind == "assertion")
            elif f.kind == "optional_amount":
                out[f.key] = parse_yuan(w.text(), f.label) if w.text().strip() else None
            elif f.kind == "points":
                text = w.text().strip()
                if not text.isdigit() or int(text) <= 0:
                    raise WalletError(f"{f.label}应为大于 0 的整数：“{text}”")
                out[f.key] = int(text)
            elif f.kind == "open_choice":
                out[f.key] = w.currentText().strip()
            else:
                if w.currentData() is None:
                    raise WalletError(f"没有可选的{f.label}")
                out[f.key] = w.currentData()
        out["on"] = _on(self.date_edit)
        out["note"] = self.note_edit.text().strip() or None
        return out

    def _plan(self) -> Build:
        return self._build(self.values())

    def _waiting_for_input(self) -> bool:
        return any((f.kind in ("amount", "points") and not self.inputs[f.key].text().strip())
                   or (f.kind == "entry" and self.inputs[f.key].currentIndex() < 0) for f in self._fields)

    def validate(self) -> bool:
        if self._waiting_for_input():
            return self._hint()
        try:
            journal = self.wallet.check(self._plan())
        except (AmountError, WalletError, BasketError) as exc:
            return self._refuse(exc)
        entry, after = journal[-1], balances(journal)
        self.message.setText(f"将记录：{html.escape(describe(entry))}<br><span style='color:#495057'>之后余额："
                             + " · ".join(f"{PURSE_NAMES[p]} {yuan_text(after[p])}" for p in PURSES) + "</span>")
        self.save_button.setEnabled(True)
        return True

    def save(self) -> Entry | None:
        if not confirm_date(self, _on(self.date_edit)):
            return None
        if self.kind in CONFIRMED_KINDS:
            try:
                planned = self.wallet.check(self._plan())[-1]
            except (AmountError, WalletError, BasketError) as exc:
                self._refuse(exc, "未记录：")
                return None
            if not ask(self, f"确认{KINDS[self.kind]}", f"将记录：{describe(planned)}\n\n流水不能修改或删除，记错只能再记一笔更正。确定吗？"):
                return None
        try:
            entry = self.wallet.record(self._plan())
        except (AmountError, WalletError, BasketError) as exc:
            self._refuse(exc, "未记录：")
            return None
        for w in self.inputs.values():
            if isinstance(w, QLineEdit):
                w.clear()
        self.note_edit.clear()
        self.saved.emit(entry)
        self.refresh_choices()
        return entry


def _refundable(entries: list[Entry]) -> list[Entry]:
    undone = reversed_ids(entries)
    return [e for e in entries if e.kind == "purchase" and e.id not in undone
            and ops.payable_of(e) - refunded_fen(entries, e.id) > 0]


def _reversible(entries: list[Entry]) -> list[Entry]:
    undone = reversed_ids(entries)
    return [e for e in entries if e.kind not in ("reversal", "assertion", "redeem") and e.id not in undone]


def simple_forms(wallet: Wallet) -> list[OperationForm]:
    """Every operation but purchases (which have their own form)."""
    amount = Field("fen", "金额", "amount")
    purse_choices = tuple((PURSE_NAMES[p], p) for p in PURSES)
    return [
        OperationForm(wallet, "deposit", [amount], lambda v: lambda _j: ops.deposit(v["fen"], v["on"], v["note"])),
        OperationForm(wallet, "withdraw", [amount], lambda v: lambda _j: ops.withdraw(v["fen"], v["on"], v["note"])),
        OperationForm(wallet, "disburse", [amount, Field("reason", "拨付类别", "open_choice",
                                                                  tuple((r, r) for r in DISBURSE_REASONS))],
                      lambda v: lambda _j: ops.disburse(v["fen"], v["reason"], v["on"], v["note"])),
        OperationForm(wallet, "load", [amount], lambda v: lambda _j: ops.load(v["fen"], v["on"], v["note"])),
        OperationForm(wallet, "topup", [amount, Field("source", "充值方式", "choice",
                                                      tuple((label, key) for key, label in ops.TOPUP_SOURCES.items()))],
                      lambda v: lambda _j: ops.topup_transit(v["fen"], v["source"], v["on"], v["note"])),
        OperationForm(wallet, "ride", [Field("mode", "乘车方式", "choice",
                                             tuple((f"{f.name}（{zhe(f.multiplier)}）", m) for m, f in ops.fares().items())),
                                       Field("fen", "原票价", "amount")],
                      lambda v: lambda _j: ops.ride(v["mode"], v["fen"], v["on"], v["note"])),
        OperationForm(wallet, "refund", [Field("entry", "消费", "entry"), Field("fen", "退款金额", "amount")],
                      lambda v: lambda j: ops.refund(j, v["entry"], v["fen"], v["on"], v["note"]), _refundable),
        OperationForm(wallet, "reversal", [Field("entry", "要冲正的记录", "entry")],
                      lambda v: lambda j: ops.reversal(j, v["entry"], v["on"], v["note"]), _reversible),
        OperationForm(wallet, "redeem", [Field("points", "兑换积分", "points")],
                      lambda v: wallet.redeem_builder(v["points"], v["on"], v["note"])),
        OperationForm(wallet, "close", [], lambda v: lambda _j: ops.close_card(wallet.points_card(), v["on"], v["note"])),
        OperationForm(wallet, "assertion", [Field("purse", "账户", "choice", purse_choices),
                                            Field("fen", "对账单余额", "amount")],
                      lambda v: lambda journal: ops.checked_assertion(journal, v["purse"], v["fen"], v["on"], v["note"])),
    ]


class PurchaseForm(CheckedForm):
    """A purchase at a partner merchant: its discount applied, the payable amount shown before saving."""

    def __init__(self, wallet: Wallet, store, districts, parent=None):
        super().__init__(parent)
        self.wallet = wallet
        self.merchant_picker = MerchantPicker(store, districts)
        self.merchant_picker.merchantChanged.connect(self.validate)
        self.items_edit = QLineEdit()
        self.items_edit.setPlaceholderText("消费金额，如 300；或分项：配镜=1000 镜架=200")
        self.items_edit.textChanged.connect(self.validate)
        self.purse_box = narrow_combo()
        for purse in ops.PAYING_PURSES:
            self.purse_box.addItem(PURSE_NAMES[purse], purse)
        self.purse_box.currentIndexChanged.connect(self.validate)
        self.date_edit = _date_edit()
        self.date_edit.dateChanged.connect(self.validate)
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText("可不填")
        form = QFormLayout()
        form.addRow("商户", self.merchant_picker)
        form.addRow("消费", self.items_edit)
        form.addRow("付款账户", self.purse_box)
        form.addRow("日期", self.date_edit)
        form.addRow("备注", self.note_edit)
        self._assemble(form, "记录消费")
        self.validate()

    def set_purchase(self, merchant_id: str, items_text: str = "") -> None:
        self.merchant_picker.set_merchant(merchant_id)
        self.items_edit.setText(items_text)
        self.validate()

    def _plan(self):
        merchant_id = self.merchant_picker.merchant_id
        if merchant_id is None:
            raise WalletError("请选择商户：输入名称或拼音首字母后，从列表中选一家")
        basket = parse_basket(self.items_edit.text())
        if not basket:
            raise WalletError("请填写消费金额")
        on = _on(self.date_edit)
        quoted = self.wallet.quote_purchase(merchant_id, basket, on)
        note = self.note_edit.text().strip() or None
        return quoted, self.wallet.purchase_of(quoted, self.purse_box.currentData(), on, "pos", note)

    def set_points_card(self, name: str | None) -> None:
        """Offer 积分卡（华融湘江银行信用卡） as a way to pay once the profile names one."""
        at = self.purse_box.findData(ops.POINTS_CARD)
        if name and at < 0:
            self.purse_box.addItem(f"积分卡（{name}）", ops.POINTS_CARD)
        elif name:
            self.purse_box.setItemText(at, f"积分卡（{name}）")
        elif at >= 0:
            self.purse_box.removeItem(at)

    def validate(self) -> bool:
        if not self.items_edit.text().strip():
            return self._hint()
        try:
            quoted, build = self._plan()
            self.wallet.check(build)
        except (AmountError, WalletError, BasketError) as exc:
            return self._refuse(exc)
        note = f"<br><span style='color:#e8590c'>{html.escape(quoted.limit_note)}</span>" if quoted.limit_note else ""
        self.message.setText(quote_html(quoted.quote) + note)
        self.save_button.setEnabled(True)
        return True

    def save(self) -> Entry | None:
        if not confirm_date(self, _on(self.date_edit)):
            return None
        try:
            _quoted, build = self._plan()
            entry = self.wallet.record(build)
        except (AmountError, WalletError, BasketError) as exc:
            self._refuse(exc, "未记录：")
            return None
        self.items_edit.clear()
        self.note_edit.clear()
        self.saved.emit(entry)
        return entry
