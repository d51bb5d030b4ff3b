"""Resident participation (issue 6), built as one Django app per component, Decidim-style.

Each sub-package is its own app (its own models, migrations, actions, policy, API, UI and
catalogue) so that components can be read, tested and extended one at a time:

- ``deliberation``: processes and phases (四议两公开), proposals, debates, comments, moderation
- ``opinion``: the opinion map (Polis method)
- ``surveys``: polls and surveys
- ``meetings``: meetings, resolutions and statutory owners' votes (Civil Code art. 278)
- ``budgeting``: participatory budgeting (微实事)
- ``accountability``: tracked results of what was decided (信息公开)

See ``docs/domains/participation.md``.
"""
