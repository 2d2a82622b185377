"""How it looks: the operations-centre folium map and the schedule view, working offline.

Owns every folium import.
"""
