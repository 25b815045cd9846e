"""Reading git: trees, histories, diffs and objects of a repository (no decisions)."""
