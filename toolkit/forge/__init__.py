"""Adapters to the outside world: plain git (and, later, GitHub). They gather inputs and carry out
actions; they never decide."""
