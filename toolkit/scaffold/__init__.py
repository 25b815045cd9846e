"""Application repositories from the Copier template: create them and keep them up to date."""
