"""The staff's merchant form (新增 / 编辑): typed fields with constraints, the offer parsed as it is
typed, and every check shown before saving. Save stays disabled while an error remains."""

from __future__ import annotations

import datetime as dt
import html

from PySide6.QtCore import QDate, QRegularExpression, Qt, Signal
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.discounts.offer_parser import parse_offer
from app.discounts.rules_text import describe_rules
from app.geo.china_datum import DATUM_CHOICES, parse_point, to_wgs84
from app.geo.districts import DistrictIndex
from app.merchants.categories import CATEGORY_NAMES
from app.merchants.checks import check_merchant, new_errors
from app.merchants.curation import nearby_duplicates
from app.merchants.fields import MerchantRecord, record_state
from app.merchants.importer import validate_one
from app.problems import Problem
from app.store import Store


class OptionalDate(QWidget):
    """A date that may be absent (有效期 not stated): a check box switches the date field on."""

    changed = Signal()

    def __init__(self, label: str, parent=None):
        super().__init__(parent)
        self.enabled = QCheckBox(label)
        self.edit = QDateEdit()
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)
        self.enabled.toggled.connect(self.edit.setEnabled)
        self.enabled.toggled.connect(self.changed)
        self.edit.dateChanged.connect(self.changed)

    def value(self) -> dt.date | None:
        return self.edit.date().toPython() if self.enabled.isChecked() else None

    def set_value(self, value: dt.date | None) -> None:
        self.enabled.setChecked(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))


class MerchantForm(QDialog):
    """Edit one merchant's fields. `state` is the merchant as stored (None for a new one); after
    exec() the caller reads `changes()` (edit) or `record()` (new) and saves them."""

    def __init__(self, store: Store, districts: DistrictIndex, *, merchant_id: str | None = None,
                 state: dict | None = None, at: tuple[float, float] | None = None, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self.merchant_id = merchant_id
        self._original = dict(state or {})
        self._record: MerchantRecord | None = None
        # What the merchant already had wrong, checked once: those problems never block this save.
        self._already = check_merchant(self._original, districts, merchant_id=merchant_id) if self._original else []
        self.problems: list[Problem] = []
        self.setWindowTitle(f"编辑商户 · {state.get('name')}" if state else "新增商户")
        self.setMinimumWidth(560)

        self.name = QLineEdit()
        self.category = QComboBox()
        self.category.addItems(CATEGORY_NAMES)
        self.point = QLineEdit()
        self.point.setPlaceholderText("经度,纬度  如 114.39,30.63（可从高德/百度地图粘贴）")
        self.datum = QComboBox()
        for key, label in DATUM_CHOICES:
            self.datum.addItem(label, key)
        self.district = QLabel()
        self.approximate = QCheckBox("位置为近似（示意）")
        self.mcc = QLineEdit()
        self.mcc.setValidator(QRegularExpressionValidator(QRegularExpression(r"\d{0,4}")))
        self.mcc.setPlaceholderText("4位数字，如 5812")
        self.mcc_assumed = QCheckBox("类别码为假定（来源未给出）")
        self.mcc_assumed.setToolTip("类别码决定哪些消费能积分：来源没有给出、由我们推定时请勾选，会员会看到提示")
        mcc_row = QHBoxLayout()
        mcc_row.addWidget(self.mcc, 1)
        mcc_row.addWidget(self.mcc_assumed)
        self.phone = QLineEdit()
        self.address = QLineEdit()
        self.valid_from = OptionalDate("注明开始日期")
        self.valid_to = OptionalDate("注明截止日期")
        self.source = QLineEdit()
        self.offer = QPlainTextEdit()
        self.offer.setPlaceholderText("照商户公布的原文填写，如：凭工会卡消费享受九折优惠（烟酒除外）")
        self.offer.setFixedHeight(self.fontMetrics().height() * 4 + 12)
        self.rules = QLabel()
        self.rules.setWordWrap(True)
        self.rules.setTextFormat(Qt.TextFormat.RichText)
        self.comment = QLineEdit()
        self.comment.setPlaceholderText("修改说明（可选），如：按2026年新海报更新")
        self.problem_label = QLabel()
        self.problem_label.setWordWrap(True)
        self.problem_label.setTextFormat(Qt.TextFormat.RichText)

        where = QHBoxLayout()
        where.addWidget(self.point, 1)
        where.addWidget(self.datum)
        form = QFormLayout()
        form.addRow("名称 *", self.name)
        form.addRow("类别 *", self.category)
        form.addRow("位置 *", where)
        form.addRow("所在区", self.district)
        form.addRow("", self.approximate)
        form.addRow("商户类别码", mcc_row)
        form.addRow("电话", self.phone)
        form.addRow("地址", self.address)
        form.addRow("有效期起", self.valid_from)
        form.addRow("有效期止", self.valid_to)
        form.addRow("来源", self.source)
        form.addRow("优惠原文", self.offer)
        form.addRow("解析结果", self.rules)
        form.addRow("说明", self.comment)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self._fill(state or {}, at)
        for w in (self.name, self.point, self.mcc, self.phone, self.address, self.source, self.comment):
            w.textChanged.connect(self.validate)
        self.offer.textChanged.connect(self.validate)
        self.category.currentIndexChanged.connect(self.validate)
        self.datum.currentIndexChanged.connect(self.validate)
        self.approximate.toggled.connect(self.validate)
        self.mcc_assumed.toggled.connect(self.validate)
        self.valid_from.changed.connect(self.validate)
        self.valid_to.changed.connect(self.validate)
        self.validate()

    @property
    def save_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _fill(self, state: dict, at: tuple[float, float] | None) -> None:
        self.name.setText(state.get("name") or "")
        if state.get("category") in CATEGORY_NAMES:
            self.category.setCurrentText(state["category"])
        lon, lat = at or (state.get("lon"), state.get("lat"))
        if lon is not None and lat is not None:
            self.point.setText(f"{lon:.6f},{lat:.6f}")
        self.approximate.setChecked(bool(state.get("location_approximate")))
        self.mcc.setText(state.get("mcc") or "")
        self.mcc_assumed.setChecked(bool(state.get("mcc_assumed")))
        self.phone.setText(state.get("phone") or "")
        self.address.setText(state.get("address") or "")
        self.valid_from.set_value(state.get("valid_from"))
        self.valid_to.set_value(state.get("valid_to"))
        self.source.setText(state.get("source") or "")
        self.offer.setPlainText(state.get("offer") or "")

    def _values(self) -> dict[str, object]:
        values: dict[str, object] = {
            "name": self.name.text(), "category": self.category.currentText(), "mcc": self.mcc.text(),
            "offer": self.offer.toPlainText().strip(), "address": self.address.text(), "phone": self.phone.text(),
            "valid_from": self.valid_from.value(), "valid_to": self.valid_to.value(), "source": self.source.text(),
            "location_approximate": self.approximate.isChecked(), "mcc_assumed": self.mcc_assumed.isChecked(),
        }
        if self.merchant_id:
            values["id"] = self.merchant_id
        point = parse_point(self.point.text())
        if point is not None:
            lon, lat = (float(v) for v in to_wgs84(point[0], point[1], self.datum.currentData()))
            values["lon"], values["lat"] = round(lon, 7), round(lat, 7)
        else:
            values["lon"] = values["lat"] = self.point.text().strip() or None
        return values

    def validate(self) -> None:
        """Re-read every field: the parsed offer, the district of the position, every problem."""
        offer = self.offer.toPlainText().strip()
        rules = parse_offer(offer)
        described = describe_rules(rules) if offer else "（未填写优惠）"
        # The unparsed phrases get their own highlighted line below, not a second plain one.
        parts = [html.escape(line) for line in described.splitlines() if not line.startswith("未能解析")]
        if rules.unparsed:
            parts.append("<span style='color:#e8590c'>未能解析：" + html.escape("；".join(rules.unparsed)) + "</span>")
        self.rules.setText("<br>".join(parts))
        values = self._values()
        record, problems = validate_one(values, self._districts, self.windowTitle())
        self._record = record
        # The district follows the position, whatever else is still missing.
        lon, lat = values.get("lon"), values.get("lat")
        if isinstance(lon, float) and isinstance(lat, float):
            inside = self._districts.contains_city(lon, lat)
            self.district.setText(self._districts.name(self._districts.locate([lon], [lat])[0]) if inside
                                  else "（不在武汉市内）")
        else:
            self.district.setText("—（请填写位置）")
        if record is not None:
            state = record_state(record)
            nearby = nearby_duplicates(self._store, self.merchant_id, state)
            problems = [p for p in problems if p.severity == "error"] + check_merchant(
                state, self._districts, merchant_id=self.merchant_id, nearby=nearby)
        self.problems = problems
        blocking = new_errors(problems, self._already)
        lines = [f"<span style='color:{'#c92a2a' if p.severity == 'error' else '#e8590c'}'>"
                 f"{'错误' if p.severity == 'error' else '提醒'} · {html.escape(p.field or '')}："
                 f"{html.escape(p.message)}</span>" for p in problems]
        self.problem_label.setText("<br>".join(lines))
        self.problem_label.setVisible(bool(lines))
        self.save_button.setEnabled(record is not None and not blocking)

    def record(self) -> MerchantRecord | None:
        """The new merchant (a valid form), as typed."""
        return self._record

    def changes(self) -> dict[str, object]:
        """The fields this form changed, field: new value (an edit)."""
        if self._record is None:
            return {}
        state = record_state(self._record)
        state.pop("retired_on"), state.pop("retired_reason")
        return {f: v for f, v in state.items() if self._original.get(f) != v}
