"""Gongzhi (共治): a platform on which a city's communities are governed together."""

from gongzhi.celery import app as celery_app

__all__ = ["celery_app"]
