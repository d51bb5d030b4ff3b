from gongzhi.privacy.testing import test_keys  # noqa: F401  (autouse fixture: resident records are encrypted)
