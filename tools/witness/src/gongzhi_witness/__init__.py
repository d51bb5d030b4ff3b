"""Independent witness and verifier for the Gongzhi governance ledger."""

__version__ = "0.1.0"
