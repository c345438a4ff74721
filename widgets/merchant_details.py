"""The details pane: one merchant's facts, its offer as published and as parsed, and a price calculator."""

from __future__ import annotations

import datetime as dt
import html
import json
import math
from decimal import Decimal

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.discounts.price_calculator import BasketError, Quote, parse_basket, price
from app.discounts.quote_notes import quote_notes
from app.discounts.rules import OfferRules
from app.discounts.rules_text import describe_rules, headline_phrase, today_line
from app.geo.map_links import amap_url, baidu_url, tel_url
from app.merchants.query import validity_note
from maps.merchant_layer import APPROXIMATE_NOTE
from widgets.merchant_table import distance_text
from widgets.plain_text import plain_label
from widgets.share_dialog import ShareDialog

CHIPS_AT_MOST = 6
CHIPS_PER_ROW = 3
EMPTY_TEXT = "在地图或列表中选择一家商户，查看优惠详情并计算应付金额。"


def yuan(amount: Decimal) -> str:
    return f"¥{amount:,.2f}"


def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def _date(value) -> str | None:
    if _blank(value):
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def quote_html(quote: Quote) -> str:
    lines = [f"<b style='font-size:15px'>应付 {yuan(quote.payable)}</b>　原价 {yuan(quote.total)}，"
             f"省 <b style='color:#2b8a3e'>{yuan(quote.saving)}</b>"]
    for item in quote.items:
        label = html.escape(item.item_class or "整单")
        if item.excluded:
            why = "不参加优惠"
        elif item.clause:
            why = html.escape(item.clause)
        else:
            why = "没有适用的优惠"
        lines.append(f"{label}：{yuan(item.amount)} → {yuan(item.payable)}（{why}）")
    for note in quote_notes(quote):   # the same notes, in the same words, as `discount price`
        text = html.escape(note.text)
        lines.append(f"<span style='color:#e8590c'>{text}</span>" if note.warn else text)
    return "<br>".join(lines)


class MerchantDetails(QScrollArea):
    """Shows the merchant given to `show_merchant` (a catalogue row), or a hint when none is."""

    quoted = Signal(object)  # the Quote of the last valid calculation, or None
    recordRequested = Signal(str, str)  # merchant id, what was typed in 算一算: "记一笔" in the wallet
    favouriteToggled = Signal(str, bool)  # merchant id, starred or not

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)   # text wraps; nothing hides right
        self._rules: OfferRules | None = None
        self._valid: tuple[dt.date | None, dt.date | None] | None = None   # the offer's dates
        self._example = "300"  # what to type at this merchant: 配镜=100, or a bare amount
        self.merchant_id: str | None = None
        self.favourites_enabled = True   # off where the member's own data cannot be kept (a shared catalogue)

        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 8)
        self.name_label = plain_label()
        self.name_label.setWordWrap(True)
        self.name_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        self.name_label.setFont(font)
        self.meta_label = plain_label()
        self.meta_label.setWordWrap(True)
        self.place_label = plain_label()
        self.place_label.setWordWrap(True)
        self.place_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.favourite_button = QPushButton("☆ 收藏")
        self.favourite_button.setCheckable(True)
        self.favourite_button.setToolTip("收藏这家商户：在“我的 → 收藏”中随时找到它")
        self.favourite_button.toggled.connect(self._favourite_toggled)
        title = QHBoxLayout()
        title.addWidget(self.name_label, 1)
        title.addWidget(self.favourite_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(title)
        for w in (self.meta_label, self.place_label):
            layout.addWidget(w)

        # Pass it on, go there, call: 分享 / 高德 / 百度 / 拨打电话.
        self.share_button = QPushButton("分享")
        self.share_button.setToolTip("复制文字或扫二维码，把这家商户发给别人")
        self.share_button.clicked.connect(self.share)
        self.amap_button = QPushButton("高德导航")
        self.amap_button.setToolTip("在高德地图中打开（坐标已换算为高德所用的 GCJ-02）")
        self.amap_button.clicked.connect(lambda: self._open(self.links.get("amap")))
        self.baidu_button = QPushButton("百度地图")
        self.baidu_button.setToolTip("在百度地图中打开（坐标已换算为百度所用的 BD-09）")
        self.baidu_button.clicked.connect(lambda: self._open(self.links.get("baidu")))
        self.call_button = QPushButton("拨打电话")
        self.call_button.clicked.connect(lambda: self._open(self.links.get("tel")))
        self.links: dict[str, str] = {}
        self._row = None
        actions = QHBoxLayout()
        for b in (self.share_button, self.amap_button, self.baidu_button, self.call_button):
            b.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)   # four fit a narrow pane
            actions.addWidget(b)
        self.actions = QWidget()
        self.actions.setLayout(actions)
        actions.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.actions)

        self.offer_group = QGroupBox("优惠原文")
        self.offer_label = plain_label()
        self.offer_label.setWordWrap(True)
        self.offer_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        QVBoxLayout(self.offer_group).addWidget(self.offer_label)
        layout.addWidget(self.offer_group)

        self.rules_group = QGroupBox("优惠规则（按原文解析）")
        self.rules_label = QLabel()
        self.rules_label.setWordWrap(True)
        self.rules_label.setTextFormat(Qt.TextFormat.RichText)
        QVBoxLayout(self.rules_group).addWidget(self.rules_label)
        layout.addWidget(self.rules_group)

        self.calc_group = QGroupBox("算一算")
        calc = QVBoxLayout(self.calc_group)
        self.amount_box = QLineEdit()
        self.amount_box.setClearButtonEnabled(True)
        self.amount_box.textChanged.connect(self._recalculate)
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        calc.addWidget(QLabel("消费金额（元）或分项，如 配镜=1000 镜架=200"))
        self.chips = QGridLayout()   # the offer's own item names, one click to type them, CHIPS_PER_ROW a row
        self.chips.setSpacing(4)
        calc.addLayout(self.chips)
        calc.addWidget(self.amount_box)
        calc.addWidget(self.result_label)
        self.record_button = QPushButton("记一笔")
        self.record_button.setToolTip("把这笔消费记入钱包：按本店优惠计算应付金额，保存前可核对")
        self.record_button.clicked.connect(
            lambda: self.recordRequested.emit(self.merchant_id or "", self.amount_box.text().strip()))
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.record_button)
        calc.addLayout(row)
        layout.addWidget(self.calc_group)

        self.source_label = plain_label()
        self.source_label.setWordWrap(True)
        self.source_label.setStyleSheet("color:#868e96")
        layout.addWidget(self.source_label)
        layout.addStretch(1)
        self.setWidget(body)
        self.clear()

    def set_favourite(self, on: bool) -> None:
        """Show whether the merchant is a favourite, without telling anyone it changed."""
        self.favourite_button.blockSignals(True)
        self.favourite_button.setChecked(on)
        self.favourite_button.blockSignals(False)
        self.favourite_button.setText("★ 已收藏" if on else "☆ 收藏")

    def _favourite_toggled(self, on: bool) -> None:
        self.favourite_button.setText("★ 已收藏" if on else "☆ 收藏")
        if self.merchant_id:
            self.favouriteToggled.emit(self.merchant_id, on)

    def share(self) -> None:
        if self._row is not None:
            dialog = ShareDialog(self._row, self)
            dialog.exec()
            dialog.deleteLater()

    def _open(self, url: str | None) -> None:
        if url:
            QDesktopServices.openUrl(QUrl(url))

    def _set_chips(self, names: list[str]) -> None:
        while self.chips.count():
            item = self.chips.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        for i, name in enumerate(names):
            chip = QPushButton(name if len(name) <= 8 else name[:7] + "…")
            chip.setToolTip(f"填入“{name}=”，再输入金额")
            chip.setProperty("item_name", name)
            chip.setStyleSheet("QPushButton{border:1px solid #ced4da;border-radius:9px;padding:1px 8px;"
                               "background:#f8f9fa;color:#495057}QPushButton:hover{background:#e7f5ff}")
            chip.setFocusPolicy(Qt.FocusPolicy.NoFocus)   # the keyboard stays in the amount box
            chip.clicked.connect(lambda _checked=False, n=name: self.add_item(n))
            self.chips.addWidget(chip, i // CHIPS_PER_ROW, i % CHIPS_PER_ROW)
        self.chips.setColumnStretch(CHIPS_PER_ROW, 1)

    def chip_names(self) -> list[str]:
        return [self.chips.itemAt(i).widget().property("item_name")
                for i in range(self.chips.count()) if self.chips.itemAt(i).widget() is not None]

    def add_item(self, name: str) -> None:
        """A chip's click: `name=` at the end of what is typed, the cursor after it for the amount."""
        text = self.amount_box.text().rstrip()
        self.amount_box.setText(f"{text} {name}=" if text else f"{name}=")
        self.amount_box.setFocus()
        self.amount_box.end(False)

    def clear(self) -> None:
        self.merchant_id = None
        self._rules = None
        self.name_label.setText("商户详情")
        self.meta_label.setText(EMPTY_TEXT)
        self._row = None
        self.links = {}
        for w in (self.place_label, self.offer_group, self.rules_group, self.calc_group, self.source_label,
                  self.favourite_button, self.actions):
            w.setVisible(False)
        self.amount_box.clear()

    def show_merchant(self, row) -> None:
        """Fill the pane from a catalogue row (pandas Series with the catalogue's columns)."""
        self.merchant_id = row["id"]
        self._row = row
        phone = None if _blank(row["phone"]) else str(row["phone"])
        self.links = {"amap": amap_url(row["lon"], row["lat"], row["name"]),
                      "baidu": baidu_url(row["lon"], row["lat"], row["name"], str(row["offer"] or "")),
                      **({"tel": tel_url(phone)} if tel_url(phone) else {})}
        self.call_button.setEnabled("tel" in self.links)
        self.call_button.setToolTip(f"拨打 {phone}" if phone else "商户没有留电话")
        self._rules = OfferRules.from_json(json.loads(row["rules_json"]))
        self._valid = (row["valid_from"] if isinstance(row["valid_from"], dt.date) else None,
                       row["valid_to"] if isinstance(row["valid_to"], dt.date) else None)
        ends = row["valid_to"] if isinstance(row["valid_to"], dt.date) else None
        self.name_label.setText(row["name"] + ("（优惠已过期）" if validity_note(ends) == "已过期" else ""))
        meta = [row["category"], row["district"] or "区未知"]
        headline = headline_phrase(row.get("offer_headline"))
        if headline:
            meta.append(headline)
        if "distance_m" in row and not _blank(row["distance_m"]):
            about = "约 " if row["location_approximate"] else ""   # a rough position gives a rough distance
            meta.append(f"距离 {about}{distance_text(row['distance_m'])}")
        self.meta_label.setText(" · ".join(meta))

        place = []
        if not _blank(row["address"]):
            place.append(f"地址：{row['address']}")
        if row["location_approximate"]:
            place.append(APPROXIMATE_NOTE)
        if not _blank(row["phone"]):
            place.append(f"电话：{row['phone']}")
        if not _blank(row["mcc"]):   # it decides which purchases earn points, so say when it is a guess
            place.append(f"商户类别码：{row['mcc']}" + ("（假定：来源没有给出，积分以银行实际入账为准）"
                                                   if row.get("mcc_assumed") else ""))
        start, end = _date(row["valid_from"]), _date(row["valid_to"])
        note = validity_note(ends)
        if start or end:
            place.append(f"有效期：{start or '—'} 至 {end or '长期'}" + (f"（{note}）" if note else ""))
        else:
            place.append("有效期：未注明，以商户公告为准")
        if (today := today_line(self._rules, dt.datetime.now())) is not None:
            place.append(today)
        self.place_label.setText("\n".join(place))

        self.offer_label.setText(row["offer"] or "（未填写）")
        lines = describe_rules(self._rules).splitlines()
        self.rules_label.setText("<ul style='margin-left:-20px'>"
                                 + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul>")
        classes = [c.applies_to for c in self._rules.clauses if c.applies_to]
        self._example = " ".join(f"{c}=100" for c in classes[:2]) if classes else "300"
        self.amount_box.setPlaceholderText(f"如 {self._example}")
        self._set_chips(list(dict.fromkeys([*classes, *self._rules.exclusions]))[:CHIPS_AT_MOST])
        self.source_label.setText(f"来源：{row['source']}" if not _blank(row["source"]) else "")
        for w in (self.place_label, self.offer_group, self.rules_group, self.calc_group, self.source_label,
                  self.actions):
            w.setVisible(True)
        self.favourite_button.setVisible(self.favourites_enabled)
        self._recalculate()

    def _recalculate(self) -> None:
        if self._rules is None:
            return
        text = self.amount_box.text()
        if not text.strip():
            self.result_label.setText("<span style='color:#868e96'>输入金额即可看到应付多少。</span>")
            self.quoted.emit(None)
            return
        try:
            basket = parse_basket(text)
        except BasketError as exc:
            self.result_label.setText(f"<span style='color:#c92a2a'>{html.escape(str(exc))}</span>")
            self.quoted.emit(None)
            return
        # 算一算 is for paying now, under the offer's dates (an expired one prices in full and says why)
        quote = price(self._rules, basket, dt.datetime.now(), self._valid)
        body = quote_html(quote)
        only_classes = all(c.applies_to for c in self._rules.clauses if c.kind in ("percent", "free"))
        if quote.saving == 0 and any(i.item_class is None for i in basket) and only_classes and self._rules.clauses:
            body += ("<br><span style='color:#e67700'>本店按项目打折：请写成 项目=金额，如 "
                     f"{html.escape(self._example)}</span>")
        self.result_label.setText(body)
        self.quoted.emit(quote)
