"""Errors and warnings a user can cause, returned as values that name the record and the field."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

from app.control_chars import escaped


@dataclass(frozen=True)
class Problem:
    record: str                 # which record, as a person finds it: 第3行（编号 qs-03）
    field: str | None           # which field, by the label staff see: 类别; None for the whole file
    message: str                # what is wrong and what would be right, in plain Chinese
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.record} · {self.field}" if self.field else self.record
        tag = "错误" if self.severity == "error" else "提醒"
        # A message quotes what the file held: its control characters are shown, never sent to a terminal.
        return escaped(f"[{tag}] {where}: {self.message}")

    def to_json(self) -> dict:
        return asdict(self)

