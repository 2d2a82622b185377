"""File limits and containers shared by every reader: size caps, ZIP/KMZ members, and what kind a file is.
"""
from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from airspace.errors import InputError

MAX_FILE_BYTES = 50 * 1024 * 1024  # a city's scenario with its files is a few MB; beyond this is a mistake
JSON_SUFFIXES = (".json", ".geojson")
XML_SUFFIXES = (".kml",)
OSM_SUFFIXES = (".osm", ".pbf")
OGR_SUFFIXES = (".shp", ".gpkg", ".fgb", ".gml", ".dbf")
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Source:
    """What a file holds after unwrapping: `kind` is json, xml (KML), osm or ogr; `data` the bytes for json/xml."""

    path: Path  # the file on disk
    kind: str
    data: bytes | None = None
    member: str | None = None  # the ZIP member the bytes came from

    @property
    def label(self) -> str:
        return f"{self.path}!{self.member}" if self.member else str(self.path)


def check_size(path: Path, limit: int = MAX_FILE_BYTES) -> int:
    """The file's size, or an InputError when it cannot be read or exceeds `limit` (checked before reading)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None
    if size > limit:
        raise InputError(f"file is larger than {limit / 1e6:.0f} MB ({size / 1e6:.1f} MB): the limit is "
                         f"{limit / 1e6:.0f} MB", file=str(path))
    return size


def read_bytes(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    check_size(path, limit)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", file=str(path)) from None


def open_source(path: str | Path) -> Source:
    """Sniff `path` (by content first, then suffix) and unwrap a ZIP/KMZ holding one JSON or KML document.

    A referenced file arrives from e-mail or a shared drive: it is measured before it is read, and a ZIP member is
    measured as it is inflated, so neither a huge file nor a ZIP bomb reaches memory.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in OGR_SUFFIXES:
        check_size(path)
        return Source(path, "ogr")
    if suffix in OSM_SUFFIXES:
        check_size(path)
        return Source(path, "osm")
    raw = read_bytes(path)
    if raw[:4] == b"PK\x03\x04" or suffix in (".kmz", ".zip"):
        return _zip_source(path)
    head = raw[:2048].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        # A raw OpenStreetMap extract is XML too, but it is read through GDAL's OSM driver, never as KML.
        return Source(path, "osm" if b"<osm" in raw[:4096] else "xml", raw)
    return Source(path, "json", raw)


def _zip_source(path: Path) -> Source:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"not a readable ZIP/KMZ archive ({exc})", file=str(path)) from None
    with archive:
        names = [info for info in archive.infolist() if not info.is_dir()]
        suffixes = {PurePosixPath(info.filename).suffix.lower() for info in names}
        if suffixes & {".shp", ".gpkg", ".fgb", ".gml"}:
            return Source(path, "ogr")  # a zipped shapefile: GDAL reads it through /vsizip/
        kml = [i for i in names if i.filename.lower().endswith(".kml")]
        docs = [i for i in names if i.filename.lower().endswith(JSON_SUFFIXES)]
        # KMZ: the first .kml at the root is the document (KML 2.2, 'doc.kml' by convention).
        root_kml = [i for i in kml if "/" not in i.filename]
        chosen = (root_kml or kml or docs or [None])[0]
        if chosen is None:
            listed = ", ".join(i.filename for i in names[:5]) or "nothing"
            raise InputError(f"archive holds no .kml, .json, .geojson or shapefile (it holds {listed})",
                             file=str(path))
        if len(docs) > 1 and chosen in docs:
            raise InputError(f"archive holds {len(docs)} JSON documents ({', '.join(i.filename for i in docs[:3])}); "
                             "unzip it and name one", file=str(path))
        if chosen.flag_bits & 0x1:
            raise InputError(f"archive member {chosen.filename} is encrypted", file=str(path))
        data = _inflate(archive, chosen, path)
    kind = "xml" if chosen.filename.lower().endswith(".kml") else "json"
    return Source(path, kind, data, chosen.filename)


def _inflate(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> bytes:
    """The member's bytes, stopping at MAX_FILE_BYTES whatever its header claims (a ZIP bomb lies)."""
    if info.file_size > MAX_FILE_BYTES:
        raise InputError(f"archive member {info.filename} inflates to {info.file_size / 1e6:.1f} MB: the limit is "
                         f"{MAX_FILE_BYTES / 1e6:.0f} MB", file=str(path))
    chunks, total = [], 0
    try:
        with archive.open(info) as handle:
            while chunk := handle.read(_CHUNK):
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    raise InputError(f"archive member {info.filename} inflates beyond {MAX_FILE_BYTES / 1e6:.0f} MB: "
                                     "the limit is that size", file=str(path))
                chunks.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError) as exc:
        raise InputError(f"archive member {info.filename} cannot be inflated ({exc})", file=str(path)) from None
    return b"".join(chunks)
