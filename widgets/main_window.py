"""The main window: filter bar, merchant list and status bar over the catalogue (the map comes next)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.catalogue import MerchantQuery, search
from app.categories import CATEGORY_NAMES
from app.districts import DistrictIndex
from app.store import Store
from widgets.merchant_table import MerchantTableModel

ALL = "全部"


class MainWindow(QMainWindow):
    def __init__(self, store: Store, districts: DistrictIndex):
        super().__init__()
        self._store = store
        self._districts = districts
        self.setWindowTitle("工会卡 · 武汉工会会员服务卡优惠商户")
        self.resize(1100, 680)

        self.district_box = QComboBox()
        self.district_box.addItem(ALL)
        self.district_box.addItems(list(districts.frame["name"]))
        self.category_box = QComboBox()
        self.category_box.addItem(ALL)
        self.category_box.addItems(list(CATEGORY_NAMES))
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("搜索名称或优惠，支持拼音首字母，如 zbcc")
        self.search_box.setClearButtonEnabled(True)

        bar = QHBoxLayout()
        for label, widget in (("区", self.district_box), ("类别", self.category_box)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.search_box, 1)

        self.model = MerchantTableModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        for col in range(3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)

        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(bar)
        layout.addWidget(self.table)
        self.setCentralWidget(central)

        self.district_box.currentTextChanged.connect(self.refresh)
        self.category_box.currentTextChanged.connect(self.refresh)
        self.search_box.textChanged.connect(self.refresh)
        self.refresh()

    def current_query(self) -> MerchantQuery:
        district = self.district_box.currentText()
        category = self.category_box.currentText()
        return MerchantQuery(
            districts=() if district == ALL else (district,),
            categories=() if category == ALL else (category,),
            text=self.search_box.text().strip() or None,
        )

    def refresh(self) -> None:
        frame = search(self._store, self._districts, self.current_query())
        self.model.set_frame(frame)
        self.statusBar().showMessage(f"共 {len(frame)} 家商户符合条件")
