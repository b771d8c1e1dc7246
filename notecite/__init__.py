"""The composition root: the `notecite` command, which imports every package and is imported by none."""
