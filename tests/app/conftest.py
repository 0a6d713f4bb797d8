"""Fixtures for the app service tests: the set-up workstation of tests/support/workstation.py."""

from tests.support.workstation import org_identity, service  # noqa: F401
