"""The plain git server: the gate on a repository, the hooks, SSH-signed sign-offs, the push log, audit."""
