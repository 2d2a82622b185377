"""The plan summary's figures that follow from its sorties and unserved list: coverage, distances, deadhead,
counts. One place, so a plan whose sorties change after planning (deconfliction drops one) stays consistent."""
from __future__ import annotations

from airspace.projection import geodesic_length_m
from missions.coverage import coverage
from missions.models import MissionPlan, Scenario


def with_totals(plan: MissionPlan, scenario: Scenario) -> MissionPlan:
    """`plan` with its summary's sortie-derived figures recomputed from its sorties and unserved tasks."""
    total = round(sum(s.distance_m for s in plan.sorties), 2)
    inspected = sum(geodesic_length_m(i.coordinates) for s in plan.sorties for i in s.inspections)
    transit = round(max(0.0, total - inspected), 2)
    summary = plan.summary.model_copy(update={
        "coverage": round(coverage(plan, scenario), 6),
        "total_distance_m": total,
        "sorties": len(plan.sorties),
        "drones_used": len({s.drone_id for s in plan.sorties}),
        "served_tasks": sum(len(s.tasks) for s in plan.sorties),
        "unserved_tasks": len(plan.unserved),
        "transit_distance_m": transit,
        "deadhead_share": round(transit / total, 4) if total else 0.0,
    })
    return plan.model_copy(update={"summary": summary})
