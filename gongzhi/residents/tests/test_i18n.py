"""Residents and privacy speak Chinese: choices, error messages and the household file page."""

from __future__ import annotations

import re

from django.conf import settings
from django.test import Client
from django.utils import translation

from gongzhi.privacy.choices import ConsentPurpose
from gongzhi.privacy.errors import PrivacyError, PrivacyErrorCode
from gongzhi.residents.choices import ResidenceType, TagKind
from gongzhi.residents.errors import ResidentError, ResidentErrorCode
from gongzhi.residents.models import Resident

ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")


def test_domain_terms_are_the_real_chinese_ones():
    with translation.override("zh-hans"):
        assert str(TagKind.ELDERLY_ALONE.label) == "独居老人"
        assert str(TagKind.LOW_INCOME.label) == "低保"
        assert str(TagKind.KEY_CARE.label) == "重点关爱"
        assert str(ResidenceType.FLOATING.label) == "流动人口"
        assert str(ConsentPurpose.HEALTH.label) == "健康、残疾和照护信息"
        assert str(Resident._meta.get_field("id_number").verbose_name) == "公民身份号码"


def test_every_choice_label_is_translated():
    with translation.override("zh-hans"):
        labels = [str(label) for choices in (TagKind, ResidenceType, ConsentPurpose) for label in choices.labels]
    assert not [label for label in labels if ENGLISH_WORD.search(label)]


def test_error_messages_are_translated():
    with translation.override("zh-hans"):
        resident_error = str(ResidentError(ResidentErrorCode.CONSENT_REQUIRED).detail)
        privacy_error = str(PrivacyError(PrivacyErrorCode.PURPOSE_REQUIRED).detail)
    assert resident_error == "本人尚未单独同意处理健康和照护信息。"
    assert privacy_error == "请说明查看完整信息的用途。"


def test_household_file_page_in_chinese_shows_no_english(world, people):
    # given
    client = Client()
    client.force_login(world.grid_worker_g1, backend="gongzhi.accounts.backends.PhoneCodeBackend")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    # when
    response = client.get(f"/residents/households/{people.household_g1.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    # then
    main = html[html.index('<article class="household-file"') : html.index("</article>")]
    text = re.sub(r"<[^>]+>", " ", main)
    for data in ("grid_worker_g1", people.household_g1.address, world.g1.name):
        text = text.replace(data, " ")
    assert "一户一档" in text
    assert "独居老人" not in text  # no such tag in the data: the check below is about labels
    assert not ENGLISH_WORD.findall(text), ENGLISH_WORD.findall(text)
