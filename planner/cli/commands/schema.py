"""`lowalt schema`: print the JSON Schema of the scenario and/or plan models.

Editors and integrators validate files against it; it is generated from the pydantic models, never hand-written.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HELP = "print the JSON Schema of the scenario file and/or the plan file"
EXAMPLES = """examples:
  lowalt schema                       scenario schema on stdout
  lowalt schema --which plan
  lowalt schema --which all --out schemas.json
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--which", choices=("scenario", "plan", "all"), default="scenario",
                        help="which schema (default: scenario); all prints {scenario, plan}")
    parser.add_argument("--out", metavar="FILE", help="write to FILE instead of stdout")


def schema_of(which: str) -> dict:
    from missions.models import MissionPlan, Scenario

    if which == "scenario":
        return Scenario.model_json_schema()
    if which == "plan":
        return MissionPlan.model_json_schema()
    return {"scenario": Scenario.model_json_schema(), "plan": MissionPlan.model_json_schema()}


def run(args: argparse.Namespace) -> int:
    text = json.dumps(schema_of(args.which), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {args.which} schema to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
