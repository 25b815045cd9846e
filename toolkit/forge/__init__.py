"""Adapters that enforce the SOP on a forge: ``plain/`` (a git server with hooks) and, next, ``github/``.
They gather inputs and carry out actions; they never decide."""
