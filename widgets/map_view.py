"""The map: a QtWebEngine view of the page from maps/, with one bridge object each way.

Python -> page: `MapView.call(name, *args)` JSON-encodes the call and emits it on the bridge's
`invoke` signal, queueing calls until the page says it is ready; the page runs `UnionMap.name(...)`
and, when asked, hands the result back. Page -> Python: the page calls the typed slots of
`MapBridge`, which re-emits them as Qt signals.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from collections.abc import Callable

from PySide6.QtCore import QFile, QIODevice, QObject, QTemporaryDir, QUrl, Signal, Slot
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import (
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineSettings,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
)
from PySide6.QtWebEngineWidgets import QWebEngineView

from app.geo.districts import DistrictIndex
from maps.app_page import app_page

log = logging.getLogger(__name__)

LOCAL_SCHEMES = frozenset({"file", "qrc", "data", "blob", "about"})


class MapBridge(QObject):
    """The one object the page sees (as `bridge`): JavaScript calls the slots, listens to `invoke`."""

    invoke = Signal(str)                 # {"id", "fn", "args"} as JSON, for the page
    result = Signal(int, str)            # call id, JSON result
    ready = Signal()
    merchantClicked = Signal(str)
    districtClicked = Signal(str)
    mapClicked = Signal(float, float)    # lon, lat in WGS84, whatever base map is showing
    drawn = Signal(int, int)             # load number, features on the page; after painting
    datumChanged = Signal(str)
    merchantMoved = Signal(str, float, float)   # edit mode: a pin dragged to lon, lat (WGS84)
    boxSelected = Signal(list)                  # edit mode: the ids inside a shift-dragged box

    @Slot()
    def reportReady(self) -> None:
        self.ready.emit()

    @Slot(str)
    def reportMerchantClick(self, merchant_id: str) -> None:
        self.merchantClicked.emit(merchant_id)

    @Slot(str)
    def reportDistrictClick(self, code: str) -> None:
        self.districtClicked.emit(code)

    @Slot(float, float)
    def reportMapClick(self, lon: float, lat: float) -> None:
        self.mapClicked.emit(lon, lat)

    @Slot(int, int)
    def reportDrawn(self, seq: int, count: int) -> None:
        self.drawn.emit(seq, count)

    @Slot(int, str)
    def reportResult(self, call_id: int, value: str) -> None:
        self.result.emit(call_id, value)

    @Slot(str)
    def reportDatum(self, datum: str) -> None:
        self.datumChanged.emit(datum)

    @Slot(str, float, float)
    def reportMerchantMoved(self, merchant_id: str, lon: float, lat: float) -> None:
        self.merchantMoved.emit(merchant_id, lon, lat)

    @Slot(str)
    def reportBoxSelect(self, ids_json: str) -> None:
        ids = json.loads(ids_json)
        self.boxSelected.emit([str(i) for i in ids] if isinstance(ids, list) else [])


class RequestLog(QWebEngineUrlRequestInterceptor):
    """Every URL the page asks for; the map must work with none of them leaving the machine."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.urls: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:
        self.urls.append(info.requestUrl().toString())

    def remote_urls(self) -> list[str]:
        return [u for u in self.urls if QUrl(u).scheme() not in LOCAL_SCHEMES]


class MapPage(QWebEnginePage):
    """Keeps the page's console: a script error is a bug the tests must see."""

    def __init__(self, profile: QWebEngineProfile, parent=None):
        super().__init__(profile, parent)
        self.console: list[tuple[str, str]] = []

    def javaScriptConsoleMessage(self, level, message: str, line: int, source: str) -> None:
        name = {
            QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: "info",
            QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: "warning",
        }.get(level, "error")
        self.console.append((name, f"{source}:{line}: {message}"))
        if name == "error":
            log.error("map page: %s:%s: %s", source, line, message)


def _qwebchannel_js() -> bytes:
    resource = QFile(":/qtwebchannel/qwebchannel.js")
    if not resource.open(QIODevice.OpenModeFlag.ReadOnly):
        raise RuntimeError("Qt's qwebchannel.js resource is missing")
    try:
        return bytes(resource.readAll().data())
    finally:
        resource.close()


class MapView(QWebEngineView):
    """The merchant map. Load once; afterwards only data crosses, never a page reload."""

    ready = Signal()

    def __init__(self, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._ready = False
        self._queue: list[str] = []
        self._calls = 0
        self._callbacks: dict[int, Callable] = {}
        self._dir = QTemporaryDir()
        if not self._dir.isValid():
            raise RuntimeError("cannot create a temporary folder for the map page")
        folder = Path(self._dir.path())
        (folder / "qwebchannel.js").write_bytes(_qwebchannel_js())
        page_file = app_page(folder, districts)

        self.requests = RequestLog(self)
        # An off-the-record profile owned by the page: the page is destroyed before its profile
        # (Qt warns, and may crash, the other way round), and nothing is written to disk.
        profile = QWebEngineProfile()
        page = MapPage(profile, self)
        profile.setParent(page)
        page.setUrlRequestInterceptor(self.requests)
        settings = page.settings()
        # Online base maps are opt-in from the layer control; they must be able to load then.
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, True)
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessFileUrls, True)
        self.setPage(page)
        self.bridge = MapBridge(self)
        self._channel = QWebChannel(page)
        self._channel.registerObject("bridge", self.bridge)
        page.setWebChannel(self._channel)
        self.bridge.ready.connect(self._on_ready)
        self.bridge.result.connect(self._on_result)
        self.setUrl(QUrl.fromLocalFile(str(page_file)))

    @property
    def is_ready(self) -> bool:
        return self._ready

    @property
    def console(self) -> list[tuple[str, str]]:
        return self.page().console

    def call(self, function: str, *args, callback: Callable | None = None) -> None:
        """Run UnionMap.<function>(*args) in the page, once it is ready; `callback` gets the result.

        Arguments and result cross as JSON both ways, so lists and objects arrive intact.
        """
        call_id = 0
        if callback is not None:
            self._calls += 1
            call_id = self._calls
            self._callbacks[call_id] = callback
        self._send(json.dumps({"id": call_id, "fn": function, "args": list(args)}, ensure_ascii=False))

    def call_encoded(self, function: str, args_json: str) -> None:
        """As `call`, with the arguments already JSON-encoded (a JSON array), e.g. by a worker thread:
        a million merchants' columns take seconds to encode."""
        self._send(f'{{"id": 0, "fn": {json.dumps(function)}, "args": {args_json}}}')

    def _send(self, message: str) -> None:
        if self._ready:
            self.bridge.invoke.emit(message)
        else:
            self._queue.append(message)

    def _on_result(self, call_id: int, value: str) -> None:
        callback = self._callbacks.pop(call_id, None)
        if callback is not None:
            callback(json.loads(value))

    def _on_ready(self) -> None:
        self._ready = True
        queued, self._queue = self._queue, []
        for message in queued:
            self.bridge.invoke.emit(message)
        self.ready.emit()
