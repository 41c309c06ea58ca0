"""lastmile planner service."""
