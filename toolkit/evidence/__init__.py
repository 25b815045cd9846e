"""What a repository holds: its files at a commit, the state of each artefact, the roster and the
sign-offs. Pure functions over data that the forge adapters gather."""
