"""lastmile tracking service."""
