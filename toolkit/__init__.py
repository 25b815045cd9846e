"""sop-toolkit: the SOP as code."""

__version__ = "0.1.0"
