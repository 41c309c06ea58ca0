"""Planner domain: the optimisation core, its independent checker and explanations (pure)."""
