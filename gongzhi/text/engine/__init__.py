"""Pure text algorithms (no Django): tokenising, classification, urgency cues, duplicates,
hot spots, reply quality and redaction. The command line and the benchmarks use them without a
database; the Django app wraps them."""
