from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    STAFF = "staff", _("工作人员")


class UiLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", _("简体中文")
    EN = "en", _("English")
