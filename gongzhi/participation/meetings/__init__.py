"""Meetings, resolutions and statutory owners' votes: see docs/domains/participation.md."""
