"""GitHub: reviews as sign-offs, the Actions gate, provisioning, tracking, audit (PyGithub)."""
