"""Reading what authorities and GIS tools publish: zone files (GeoJSON, ED-269, ED-318, KML/KMZ, ZIP) and the
vector formats zones and targets share (GeoJSON, KML/KMZ, Shapefile, GeoPackage, OpenStreetMap via GDAL).

`load_zones` reads a zone file; `read_features` is the one reader of every vector format (used for targets too).
"""
from airspace.readers.features import Feature, read_features
from airspace.readers.files import MAX_FILE_BYTES
from airspace.readers.notes import Notes, ReadWarning
from airspace.readers.zones import FORMATS, load_zones, zone_to_feature

__all__ = ["FORMATS", "MAX_FILE_BYTES", "Feature", "Notes", "ReadWarning", "load_zones", "read_features",
           "zone_to_feature"]
