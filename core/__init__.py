"""What every package may import: the one Settings object and the text utilities."""
