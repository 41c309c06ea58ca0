"""Pure order rules: no I/O."""
