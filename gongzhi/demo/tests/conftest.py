"""Fixtures for the demo loader tests."""

from gongzhi.demo.tests.fixtures import empty_database

__all__ = ["empty_database"]
