from django.db import models
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    RESIDENT = "resident", _("Resident")
    STAFF = "staff", _("Staff")


class UiLanguage(models.TextChoices):
    ZH_HANS = "zh-hans", "简体中文"
    EN = "en", "English"
