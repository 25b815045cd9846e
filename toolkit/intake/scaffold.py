"""``sopkit request scaffold``: the application repository of an assigned request (written below)."""
