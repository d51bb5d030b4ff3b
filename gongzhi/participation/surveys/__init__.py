"""Polls and surveys (问卷与投票): see docs/domains/participation.md."""
