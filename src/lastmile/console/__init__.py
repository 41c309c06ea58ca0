"""The dispatcher console: routes, vehicles, unassigned orders, ETA accuracy, notifications."""
