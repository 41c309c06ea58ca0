"""lastmile orders service."""
