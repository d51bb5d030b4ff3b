"""Fixtures for cross-domain flows."""

from gongzhi.demo.tests.fixtures import empty_database

__all__ = ["empty_database"]
