"""The administrator fixtures of tests/manage, shared with the security tests."""

from tests.manage.conftest import admin, signed_in  # noqa: F401
