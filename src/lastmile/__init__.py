"""The lastmile platform: operator CLI, launchers and demo."""
