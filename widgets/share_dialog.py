"""分享: a merchant's text card to copy into a chat, and a QR code that opens the place in 高德 on a phone."""

from __future__ import annotations

import io

import segno
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout

from app.merchants.share import share_link, share_text


def qr_pixmap(text: str, scale: int = 5) -> QPixmap:
    """The text as a QR code (error correction M, UTF-8), drawn by segno; a phone's camera reads it."""
    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class ShareDialog(QDialog):
    def __init__(self, row, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"分享：{row['name']}")
        self.text = share_text(row)
        self.text_view = QPlainTextEdit(self.text)
        self.text_view.setReadOnly(True)
        # The QR holds the 高德 link: a phone's camera opens the place, ready to navigate (the text, with the
        # same link, is for chats). Without a position it holds the text.
        link = share_link(row)
        self.qr_payload = link or self.text
        self.qr_label = QLabel()
        self.qr_label.setPixmap(qr_pixmap(self.qr_payload))
        self.qr_label.setToolTip("用手机相机或微信扫一扫，在高德地图中打开位置并导航" if link
                                 else "用手机相机或微信扫一扫，得到同样的文字")
        qr_caption = QLabel("扫码导航" if link else "扫码得到文字")
        qr_caption.setStyleSheet("color:#495057")
        qr_box = QVBoxLayout()
        qr_box.addWidget(self.qr_label)
        qr_box.addWidget(qr_caption)
        self.copy_button = QPushButton("复制文字")
        self.copy_button.clicked.connect(self.copy)
        self.copied = QLabel()
        self.copied.setStyleSheet("color:#2b8a3e")
        body = QHBoxLayout()
        body.addWidget(self.text_view, 1)
        body.addLayout(qr_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row_layout = QHBoxLayout()
        row_layout.addWidget(self.copy_button)
        row_layout.addWidget(self.copied, 1)
        row_layout.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addLayout(row_layout)
        self.resize(620, 300)

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text)
        self.copied.setText("已复制，可粘贴到微信等聊天中")
