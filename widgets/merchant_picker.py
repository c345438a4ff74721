"""Picking a merchant by typing: name or pinyin initials, a short list of matches from the catalogue.

A combo box of every merchant does not scale to 100,000; this asks the catalogue for what was typed.
"""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, QTimer, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit

from app.geo.districts import DistrictIndex
from app.merchants.query import MerchantQuery
from app.store import Store

MAX_SUGGESTIONS = 30
TYPING_DELAY_MS = 200


class MerchantPicker(QLineEdit):
    """`merchant_id` is the chosen merchant, or None while what is typed names none."""

    merchantChanged = Signal()

    def __init__(self, store: Store, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self.merchant_id: str | None = None
        self._choices: dict[str, str] = {}       # suggestion text -> merchant id
        self.setPlaceholderText("输入商户名称或拼音首字母，如 jyyj")
        self.setClearButtonEnabled(True)
        self._model = QStringListModel(self)
        completer = QCompleter(self._model, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        completer.activated.connect(self._choose)
        self.setCompleter(completer)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(TYPING_DELAY_MS)
        self._timer.timeout.connect(self._suggest)
        self.textEdited.connect(self._typed)

    @staticmethod
    def _label(name: str, district: str | None, merchant_id: str) -> str:
        return f"{name}（{district or '区未知'} · {merchant_id}）"

    def _typed(self, _text: str) -> None:
        self.merchant_id = self._choices.get(self.text())
        self.merchantChanged.emit()
        self._timer.start()

    def _suggest(self) -> None:
        text = self.text().strip()
        if not text or text in self._choices:
            return
        from app.merchants.catalogue import search  # pandas: when the member types

        frame = search(self._store, self._districts, MerchantQuery(text=text)).head(MAX_SUGGESTIONS)
        self._choices = {self._label(n, d, i): i for n, d, i in zip(frame["name"], frame["district"], frame["id"])}
        self._model.setStringList(list(self._choices))
        if self._choices:
            self.completer().complete()

    def _choose(self, label: str) -> None:
        self.setText(label)
        self.merchant_id = self._choices.get(label)
        self.merchantChanged.emit()

    def set_merchant(self, merchant_id: str) -> bool:
        from app.merchants.catalogue import search

        frame = search(self._store, self._districts, MerchantQuery(ids=(merchant_id,)))
        if frame.empty:
            return False
        row = frame.iloc[0]
        label = self._label(row["name"], row["district"], merchant_id)
        self._choices = {label: merchant_id}
        self.setText(label)
        self.merchant_id = merchant_id
        self.merchantChanged.emit()
        return True
