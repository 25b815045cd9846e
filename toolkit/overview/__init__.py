"""The Kasi's view over every application (and request): ``sopkit status`` rows and the static HTML
dashboard, rendered from plain data; pure, no disk and no git."""
