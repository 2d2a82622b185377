"""How a drone flies: the wind triangle, legal transit costs, and flown sorties rebuilt from solver routes.

Physics and geometry of a flight, in metres and seconds; nothing here knows about the solver.
"""
