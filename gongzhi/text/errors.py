"""Domain errors of the text domain, each with a stable code the API returns."""

from enum import StrEnum
from typing import cast

from django.utils.translation import gettext_lazy as _

from gongzhi.core.errors import DomainError


class TextErrorCode(StrEnum):
    NOT_ENOUGH_DATA = "not_enough_data"
    BAD_CSV = "bad_csv"
    NO_MODEL = "no_model"
    ALREADY_ACKNOWLEDGED = "already_acknowledged"
    MODEL_TOO_LARGE = "model_too_large"


class TextError(DomainError):
    """A text-intelligence rule was broken."""

    http_status = 409
    # Lazy translations: resolved when the error is shown, in the user's language.
    messages = cast(
        dict[str, str],
        {
            TextErrorCode.NOT_ENOUGH_DATA.value: _(
                "Not enough labelled messages to train (at least two categories, ten messages)."
            ),
            TextErrorCode.BAD_CSV.value: _("The file is not a CSV with the columns title, text and label."),
            TextErrorCode.NO_MODEL.value: _("No classification model has been trained yet."),
            TextErrorCode.ALREADY_ACKNOWLEDGED.value: _("This alert was already acknowledged."),
            TextErrorCode.MODEL_TOO_LARGE.value: _("The trained model is larger than the allowed size."),
        },
    )

    INPUT_CODES = frozenset({TextErrorCode.BAD_CSV, TextErrorCode.NOT_ENOUGH_DATA})

    def __init__(self, code: TextErrorCode, detail: str | None = None, **kwargs: object) -> None:
        super().__init__(code, detail, **kwargs)  # type: ignore[arg-type]
        if code in self.INPUT_CODES:
            self.http_status = 400  # type: ignore[misc]
