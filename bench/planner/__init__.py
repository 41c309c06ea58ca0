"""Planner benchmarks: Solomon VRPTW instances and a scaling run on generated depots."""
