"""Kasuhara Recorder: capture, seal and document customer-harassment incidents."""

__version__ = "0.1.0"
