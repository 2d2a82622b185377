"""Warnings met while reading a file (a repaired ring, an ignored field), each naming file, feature and field.

A caveat shared by many features (AMSL limits on 66 zones) becomes one warning with a count and the first feature.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger("airspace.readers")


@dataclass(frozen=True)
class ReadWarning:
    message: str
    file: str | None = None
    feature: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [p for p in (self.file, f"feature {self.feature}" if self.feature else None,
                             f"field {self.field}" if self.field else None) if p]
        return ": ".join(parts + [self.message])


class Notes:
    """Collects the warnings of one file; `close()` hands them to `sink` (a list) or, without one, to the log."""

    def __init__(self, file: str, sink: list | None = None):
        self.file = file
        self.sink = sink
        self._single: list[ReadWarning] = []
        self._tallies: dict[str, list] = {}  # key -> [message, field, count, first feature]

    def warn(self, message: str, feature: str | None = None, field: str | None = None) -> None:
        self._single.append(ReadWarning(message, self.file, feature, field))

    def tally(self, key: str, message: str, feature: str | None, field: str | None = None) -> None:
        """One warning for every feature sharing `key`: '<message> (N features, first: <feature>)'."""
        entry = self._tallies.setdefault(key, [message, field, 0, feature])
        entry[2] += 1

    def close(self) -> list[ReadWarning]:
        found = list(self._single)
        for message, field, count, first in self._tallies.values():
            if count == 1:
                found.append(ReadWarning(message, self.file, first, field))
            else:
                found.append(ReadWarning(f"{message} ({count} features, first: {first})", self.file, None, field))
        self._single, self._tallies = [], {}
        if self.sink is not None:
            self.sink.extend(found)
        else:
            for warning in found:
                logger.warning("%s", warning)
        return found
