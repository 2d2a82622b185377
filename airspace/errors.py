"""Errors for bad airspace input; each names the file, the feature and the field at fault.

They subclass ValueError so callers can catch them without importing lowalt types.
"""
from __future__ import annotations


class InputError(ValueError):
    """A reader could not accept part of a file. `where()` gives 'file: feature: field'."""

    def __init__(self, message: str, *, file: str | None = None, feature: str | None = None, field: str | None = None):
        self.message = message
        self.file = file
        self.feature = feature
        self.field = field
        super().__init__(self.where() + message)

    def where(self) -> str:
        parts = [p for p in (self.file, f"feature {self.feature}" if self.feature else None,
                             f"field {self.field}" if self.field else None) if p]
        return (": ".join(parts) + ": ") if parts else ""
