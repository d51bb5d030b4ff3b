"""Notifications for every domain: in-app notices, per-user channel preferences and a daily
digest. Domains call ``gongzhi.notifications.dispatch.notify`` inside their own actions; see
``docs/domains/notifications.md``."""
