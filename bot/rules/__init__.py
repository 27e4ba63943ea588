"""Pure rules: plain functions with no I/O, tested by themselves."""
