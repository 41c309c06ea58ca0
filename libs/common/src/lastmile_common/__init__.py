"""Event contracts and plumbing shared by the lastmile services."""
