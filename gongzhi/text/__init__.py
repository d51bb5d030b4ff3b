"""Chinese text intelligence (issue 7): classification and routing, urgency cues, duplicates,
hot spots, reply quality and personal-data redaction. See ``docs/text.md``."""
