"""Notifications for every domain: in-app notices, per-user channel preferences and a daily
digest. Domains call ``gongzhi.notifications.actions.notify``; see
``docs/domains/notifications.md``."""
