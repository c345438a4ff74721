"""The wallet tab: the card's three balances and points, the journal, operation forms, spending by
month and the points statement."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCharts import QBarCategoryAxis, QBarSet, QChart, QChartView, QStackedBarSeries, QValueAxis
from PySide6.QtCore import QAbstractTableModel, QMargins, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.geo.districts import DistrictIndex
from app.merchants.categories import resolve_category
from app.money import yuan, yuan_text
from app.points.programme import programmes
from app.points.statement import SOON_DAYS
from app.store import Store
from app.wallet.entry_text import describe
from app.wallet.journal import (
    ECASH_LIMIT_FEN,
    KINDS,
    PURSE_NAMES,
    PURSES,
    Entry,
    WalletError,
    balances,
    reversed_ids,
)
from app.wallet.profile import CARD_TYPES, ProfileError, points_card_sentence
from app.wallet.service import Wallet
from app.wallet.spending import savings, spending_by_month
from widgets.screen import scrolling
from widgets.wallet_forms import OperationForm, PurchaseForm, simple_forms

CARD_HINTS = {
    "bank": "汉口银行借记卡账户，不能透支",
    "ecash": f"闪付小额支付，最多 {yuan_text(ECASH_LIMIT_FEN)}，由银行账户圈存",
    "transit": "只用于乘公交、地铁，乘车享受折扣",
}
MONTHS_SHOWN = 6


class Card(QFrame):
    """A summary card: a title, one big figure and a line of hints."""

    def __init__(self, title: str, background: str, border: str, parent=None):
        super().__init__(parent)
        self.setObjectName("card")
        self.setStyleSheet(f"#card {{ background: {background}; border: 1px solid {border}; border-radius: 6px; }}")
        self.title = QLabel(title)
        self.title.setStyleSheet("color:#495057")
        self.amount = QLabel()
        font = self.amount.font()
        font.setPointSizeF(font.pointSizeF() * 1.9)
        font.setBold(True)
        self.amount.setFont(font)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.amount)
        layout.addWidget(self.hint)


class BalanceCard(Card):
    def __init__(self, purse: str, parent=None):
        super().__init__(PURSE_NAMES[purse], "#f8f9fa", "#dee2e6", parent)
        self.hint.setText(f"<span style='color:#868e96'>{CARD_HINTS[purse]}</span>")

    def set_fen(self, fen: int) -> None:
        self.amount.setText(yuan_text(fen))


class PointsCard(Card):
    """The points balance under the member's programme, with points about to expire highlighted."""

    def __init__(self, parent=None):
        super().__init__("积分", "#fff9db", "#ffe066", parent)

    def show_ledger(self, ledger, programme_name: str | None) -> None:
        if ledger is None:
            self.title.setText("积分")
            self.amount.setText("—")
            self.hint.setText("<span style='color:#868e96'>在“会员资料”中选择积分规则后，按银行公布的规则计算积分</span>")
            return
        self.title.setText(f"积分 · {programme_name}")
        self.amount.setText(f"{ledger.balance:,} 分")
        lines = [f"可用 {ledger.usable:,} 分"]
        if ledger.balance == 0:   # nothing: say why, from the newest transaction that earned nothing
            why = next((t.note for t in reversed(ledger.transactions) if t.points <= 0), None)
            lines.append(f"<span style='color:#868e96'>{html.escape(why or '还没有积分的消费')}</span>")
        soon = [(d, n) for d, n in ledger.expiring() if d <= ledger.as_of + dt.timedelta(days=SOON_DAYS)]
        if soon:
            d, n = soon[0]
            lines.append(f"<b style='color:#e8590c'>即将失效：{n:,} 分（{d} 后失效）</b>")
        self.hint.setText("　".join(lines))


class JournalModel(QAbstractTableModel):
    COLUMNS = ("编号", "日期", "类型", "说明", *(PURSE_NAMES[p] for p in PURSES))

    def __init__(self, parent=None):
        super().__init__(parent)
        self._entries: list[Entry] = []
        self._reversed: set[int] = set()

    def set_entries(self, entries: list[Entry], reversed_ids: set[int]) -> None:
        self.beginResetModel()
        self._entries = list(reversed(entries))  # newest first
        self._reversed = reversed_ids
        self.endResetModel()

    def entry(self, row: int) -> Entry:
        return self._entries[row]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self._entries[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return str(e.id)
            if col == 1:
                return e.occurred_on.isoformat()
            if col == 2:
                return KINDS[e.kind] + ("（已冲正）" if e.id in self._reversed else "")
            if col == 3:
                return describe(e) + (f"　{e.note}" if e.note else "")
            fen = e.posting(PURSES[col - 4])
            return "" if fen == 0 else ("+" if fen > 0 else "") + yuan(fen)
        if role == Qt.ItemDataRole.ForegroundRole:
            if col >= 4:
                fen = e.posting(PURSES[col - 4])
                return QColor("#2b8a3e") if fen > 0 else QColor("#c92a2a") if fen < 0 else None
            if e.id in self._reversed:
                return QColor("#868e96")
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 4:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None


class SpendingChart(QChartView):
    """Stacked bars: spending at merchants per month, by category, in the categories' colours."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(150)   # a 700-pixel screen still shows the journal above it
        self.months: list[str] = []
        self.totals: dict[str, dict[str, int]] = {}

    def set_entries(self, entries: list[Entry]) -> None:
        data = spending_by_month(entries)
        self.months = list(data)[-MONTHS_SHOWN:]
        self.totals = {m: data[m] for m in self.months}
        chart = QChart()
        chart.setTitle("每月消费（按类别，已扣除退款）")
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignRight)
        if not self.months:
            chart.setTitle("每月消费：还没有消费记录")
            self.setChart(chart)
            return
        categories = []
        for month in self.months:
            for cat in self.totals[month]:
                if cat not in categories:
                    categories.append(cat)
        series = QStackedBarSeries()
        for cat in categories:
            bar = QBarSet(cat)
            found = resolve_category(cat)
            bar.setColor(QColor(found.colour if found else "#adb5bd"))
            bar.setBorderColor(QColor("#ffffff"))
            for month in self.months:
                bar.append(self.totals[month].get(cat, 0) / 100)
            series.append(bar)
        chart.addSeries(series)
        x = QBarCategoryAxis()
        x.append([f"{m[:4]}年{int(m[5:])}月" for m in self.months])
        chart.addAxis(x, Qt.AlignmentFlag.AlignBottom)
        series.attachAxis(x)
        y = QValueAxis()
        y.setLabelFormat("%.0f")
        y.setTitleText("元")
        top = max(sum(self.totals[m].values()) for m in self.months) / 100
        y.setRange(0, max(top * 1.05, 1))
        y.applyNiceNumbers()
        chart.addAxis(y, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(y)
        self.setChart(chart)


class PointsStatementView(QWidget):
    """The monthly points statement, as banks print it, for a month the member picks."""

    LINES = (("previous", "上期积分余额"), ("new_basic", "本期新增基本积分"), ("new_bonus", "本期新增奖励积分（生日等）"),
             ("adjusted", "本期调整积分（退款扣回、过期、销户清除）"), ("redeemed", "本期兑换积分"),
             ("current", "本期积分余额"), ("usable", "期末可用积分"))

    def __init__(self, wallet: Wallet, parent=None):
        super().__init__(parent)
        self.wallet = wallet
        self.month_box = QComboBox()
        self.month_box.currentIndexChanged.connect(lambda _index: self.show_month())
        self.values = {key: QLabel() for key, _ in self.LINES}
        self.expiring = QLabel()
        self.expiring.setWordWrap(True)
        self.expiring.setTextFormat(Qt.TextFormat.RichText)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.cards_note = QLabel()   # which programme applies to which card
        self.cards_note.setWordWrap(True)
        self.cards_note.setStyleSheet("color:#495057")
        form = QFormLayout()
        form.addRow("月份", self.month_box)
        for key, label in self.LINES:
            self.values[key].setAlignment(Qt.AlignmentFlag.AlignRight)
            form.addRow(label, self.values[key])
        form.addRow("即将失效", self.expiring)
        layout = QVBoxLayout(self)
        layout.addWidget(self.cards_note)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addStretch(1)

    def refresh(self, entries: list[Entry]) -> None:
        """Offer the months from the first entry to now, and show the one chosen."""
        today = dt.date.today()
        first = min((e.occurred_on for e in entries), default=today)
        months, day = [], dt.date(first.year, first.month, 1)
        while day <= today:
            months.append(day.strftime("%Y-%m"))
            day = dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)
        current = self.month_box.currentText() or months[-1]
        self.month_box.blockSignals(True)
        self.month_box.clear()
        self.month_box.addItems(list(reversed(months)))
        self.month_box.setCurrentIndex(max(0, self.month_box.findText(current)))
        self.month_box.blockSignals(False)
        self.show_month(entries=entries)

    def show_month(self, entries: list[Entry] | None = None) -> None:
        month = self.month_box.currentText()
        try:
            result = self.wallet.points_statement(month, entries)
        except WalletError as exc:
            self.message.setText(str(exc))
            for label in self.values.values():
                label.setText("")
            self.expiring.setText("")
            return
        self.message.setText("")
        for key, _ in self.LINES:
            self.values[key].setText(f"{getattr(result, key):,}")
        soon = result.expiring_soon
        self.expiring.setText("；".join(f"<b style='color:#e8590c'>{n:,} 分 {d} 后失效</b>" for d, n in soon)
                              if soon else "无")


class ProfileDialog(QDialog):
    """Edit the member's profile; personal numbers are shown masked and replaced, never displayed."""

    def __init__(self, wallet: Wallet, parent=None):
        super().__init__(parent)
        self.setWindowTitle("会员资料")
        self.wallet = wallet
        profile = wallet.profile()
        public = profile.public()
        self.name_edit = QLineEdit(profile.name or "")
        self.union_edit = QLineEdit(profile.union_name or "")
        self.card_edit = QLineEdit()
        self.card_edit.setPlaceholderText(public["card"] or "16–19 位卡号")
        self.mobile_edit = QLineEdit()
        self.mobile_edit.setPlaceholderText(public["mobile"] or "11 位手机号")
        self.birthday_edit = QLineEdit(profile.birthday.isoformat() if profile.birthday else "")
        self.birthday_edit.setPlaceholderText("YYYY-MM-DD")
        self.id_edit = QLineEdit()
        self.id_edit.setPlaceholderText(public["resident_id"] or "可不填；只保存遮挡后的号码")
        self.programme_box = QComboBox()
        self.programme_box.addItem("（未选择）", "")
        for key, rules in programmes().items():
            self.programme_box.addItem(rules.name, key)
        self.programme_box.setCurrentIndex(max(0, self.programme_box.findData(profile.programme or "")))
        self.points_card_box = QComboBox()
        self.points_card_box.addItem("（未设置）", "")
        for key, label in CARD_TYPES.items():
            self.points_card_box.addItem(label, key)
        self.points_card_box.setCurrentIndex(max(0, self.points_card_box.findData(profile.points_card or "")))
        self.points_card_box.setToolTip("积分规则所属银行的哪张卡：工会卡本身是汉口银行借记卡，不积这些银行的分")
        self.programme_note = QLabel("工会卡是汉口银行借记卡，以下积分计划都不是汉口银行的：工会卡的消费不积这些分。"
                                     "若您有其中一家银行的卡，选择它的积分规则和卡种，用那张卡付款的消费才积分。")
        self.programme_note.setWordWrap(True)
        self.programme_note.setStyleSheet("color:#495057")
        form = QFormLayout()
        for label, w in (("姓名", self.name_edit), ("基层工会", self.union_edit), ("工会卡卡号", self.card_edit),
                         ("手机号", self.mobile_edit), ("生日", self.birthday_edit), ("身份证号", self.id_edit),
                         ("积分规则", self.programme_box), ("积分卡（该银行的）", self.points_card_box)):
            form.addRow(label, w)
        form.addRow("", self.programme_note)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c92a2a")
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _points_card(self) -> str | None:
        """The card chosen; None (derive it) when the programme changed and no card was chosen."""
        chosen = self.points_card_box.currentData()
        if not chosen and self.programme_box.currentData() != (self.wallet.profile().programme or ""):
            return None
        return chosen

    def save(self) -> bool:
        # Empty number fields keep what is stored (they show only its masked form).
        try:
            self.wallet.update_profile(
                name=self.name_edit.text(), union_name=self.union_edit.text(),
                card_number=self.card_edit.text() or None, mobile=self.mobile_edit.text() or None,
                birthday=self.birthday_edit.text(), programme=self.programme_box.currentData(),
                resident_id=self.id_edit.text() or None, points_card=self._points_card())
        except ProfileError as exc:
            self.message.setText(str(exc))
            return False
        self.accept()
        return True


def savings_html(saved: dict[str, dict[str, int]]) -> str:
    """累计节省 this month and this year, each with its categories."""
    parts = ["<b>累计节省</b>"]
    for period, label in (("month", "本月"), ("year", "今年")):
        cats = saved[period]
        total = sum(cats.values())
        parts.append(f"{label} <b style='color:#2b8a3e'>{yuan_text(total)}</b>")
        parts += [f"<span style='color:#495057'>　{html.escape(c)} {yuan_text(f)}</span>" for c, f in cats.items()]
    return "<br>".join(parts)


class WalletTab(QWidget):
    changed = Signal()  # the journal or profile changed

    def __init__(self, store: Store, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self.wallet = Wallet(store, districts)

        self.cards = {p: BalanceCard(p) for p in PURSES}
        self.profile_label = QLabel()
        self.profile_button = QPushButton("会员资料…")
        self.profile_button.clicked.connect(self.edit_profile)
        self.points_card = PointsCard()
        top = QHBoxLayout()
        for card in self.cards.values():
            top.addWidget(card, 1)
        top.addWidget(self.points_card, 1)

        self.purchase_form = PurchaseForm(self.wallet, store, districts)
        self.forms: list[QWidget] = [self.purchase_form, *simple_forms(self.wallet)]
        self.operation_box = QComboBox()
        self.form_stack = QStackedWidget()
        self.operation_box.addItem("消费", "purchase")
        self.form_stack.addWidget(self.purchase_form)
        for form in self.forms[1:]:
            self.operation_box.addItem(KINDS[form.kind], form.kind)
            self.form_stack.addWidget(form)
        self.operation_box.currentIndexChanged.connect(self.form_stack.setCurrentIndex)
        for form in self.forms:
            form.saved.connect(self._on_saved)
        ops_group = QGroupBox("记一笔")
        ops_layout = QVBoxLayout(ops_group)
        ops_layout.addWidget(self.operation_box)
        ops_layout.addWidget(self.form_stack, 1)

        self.kind_filter = QComboBox()
        self.kind_filter.addItem("全部类型", None)
        for kind, name in KINDS.items():
            self.kind_filter.addItem(name, kind)
        self.text_filter = QLineEdit()
        self.text_filter.setPlaceholderText("按商户、说明或备注筛选")
        self.text_filter.setClearButtonEnabled(True)
        self.kind_filter.currentIndexChanged.connect(lambda _index: self.refresh_journal())
        self.text_filter.textChanged.connect(lambda _text: self.refresh_journal())
        self.journal_model = JournalModel(self)
        self.journal_table = QTableView()
        self.journal_table.setModel(self.journal_model)
        self.journal_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.journal_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.journal_table.verticalHeader().setVisible(False)
        self.journal_table.setAlternatingRowColors(True)
        header = self.journal_table.horizontalHeader()
        for col in range(self.journal_model.columnCount()):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        journal_group = QGroupBox("流水")
        journal_layout = QVBoxLayout(journal_group)
        filters = QHBoxLayout()
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.text_filter, 1)
        journal_layout.addLayout(filters)
        journal_layout.addWidget(self.journal_table, 1)

        self.chart = SpendingChart()
        self.savings_label = QLabel()   # 累计节省, beside the spending it came from
        self.savings_label.setTextFormat(Qt.TextFormat.RichText)
        self.savings_label.setWordWrap(True)
        self.savings_label.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.savings_label.setMinimumWidth(150)
        spending = QWidget()
        spending_layout = QHBoxLayout(spending)
        spending_layout.setContentsMargins(0, 0, 0, 0)
        spending_layout.addWidget(self.chart, 1)
        spending_layout.addWidget(scrolling(self.savings_label))
        self.statement_view = PointsStatementView(self.wallet)
        self.lower_tabs = QTabWidget()
        self.lower_tabs.addTab(spending, "每月消费")
        self.lower_tabs.addTab(scrolling(self.statement_view), "积分对账单")

        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(journal_group)
        right.addWidget(self.lower_tabs)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([600, 400])   # the journal first: it is what a member reads
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(ops_group)
        body.addWidget(right)
        body.setStretchFactor(0, 0)
        body.setStretchFactor(1, 1)
        body.setSizes([380, 900])

        who = QHBoxLayout()
        who.addWidget(self.profile_label, 1)
        who.addWidget(self.profile_button)
        layout = QVBoxLayout(self)
        layout.addLayout(who)
        layout.addLayout(top)
        layout.addWidget(body, 1)
        self.refresh()

    # ---------------------------------------------------------------- showing

    def refresh(self) -> None:
        entries = self.wallet.entries()  # read once, shown by every part of the tab
        totals = balances(entries)
        for purse, card in self.cards.items():
            card.set_fen(totals[purse])
        public = self.wallet.profile().public()
        parts = [public["name"] or "未填写姓名", public["union"], public["card"],
                 f"积分规则：{public['programme_name']}" if public["programme_name"] else None,
                 f"积分卡：{public['points_card_name']}" if public["points_card_name"] else None]
        self.profile_label.setText("　".join(html.escape(p) for p in parts if p))
        self.refresh_journal(entries=entries)
        self.chart.set_entries(entries)
        self.savings_label.setText(savings_html(savings(entries, dt.date.today())))
        profile = self.wallet.profile()
        self.points_card.show_ledger(self.wallet.points_now(entries=entries), public["programme_name"])
        self.points_card.setToolTip(points_card_sentence(profile))
        self.statement_view.cards_note.setText(points_card_sentence(profile))
        self.purchase_form.set_points_card(profile.points_card_text())
        self.statement_view.refresh(entries)

    def refresh_journal(self, entries: list[Entry] | None = None) -> None:
        if entries is None:
            entries = self.wallet.entries()
        kind = self.kind_filter.currentData()
        text = self.text_filter.text().strip()
        shown = [e for e in entries
                 if (kind is None or e.kind == kind)
                 and (not text or text in describe(e) or text in (e.note or "") or text in (e.merchant_name or ""))]
        self.journal_model.set_entries(shown, reversed_ids(entries))

    # ---------------------------------------------------------------- acting

    def start_purchase(self, merchant_id: str, items_text: str = "") -> None:
        """The purchase form with this merchant and amount, its discount applied, ready to save."""
        self.operation_box.setCurrentIndex(0)
        self.purchase_form.set_purchase(merchant_id, items_text)

    def _on_saved(self, _entry: Entry) -> None:
        for form in self.forms:
            if isinstance(form, OperationForm):
                form.refresh_choices()
        self.refresh()
        self.changed.emit()

    def edit_profile(self) -> None:
        if ProfileDialog(self.wallet, self).exec():
            self.refresh()
            self.changed.emit()

