"""Ranking an index's passages for a query: the types service, eval and fine-tuning share."""
