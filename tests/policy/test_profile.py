from __future__ import annotations

import re
from pathlib import Path

import pytest

from kasuhara_recorder.errors import ProfileError
from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.policy.profile import default_profile_path
from kasuhara_recorder.resources import resource


def _policy_text() -> str:
    # The policy as published, shipped beside the profile that encodes it.
    path = resource("policy", "sakaide-customer-harassment-policy-2025.txt")
    return re.sub(r"\s+", "", path.read_text(encoding="utf-8"))


def test_bundled_profile_has_every_policy_category_and_response():
    p = load_profile()
    codes = {c.code for c in p.categories}
    assert len([c for c in codes if c.startswith("validity.")]) == 2
    assert len([c for c in codes if c.startswith("conduct.")]) == 9
    assert len([c for c in codes if c.startswith("demand.")]) == 5
    assert {
        "conduct.physical", "conduct.mental", "conduct.intimidation", "conduct.dogeza",
        "conduct.persistent", "conduct.restraint", "conduct.discrimination", "conduct.sexual",
        "conduct.personal", "demand.compensation", "demand.apology", "demand.preferential",
        "demand.punishment", "demand.named_staff", "validity.no_fault", "validity.unrelated",
    } == codes  # fmt: skip
    responses = {r.code for r in p.responses}
    assert {"response.end_and_leave", "response.police_call", "response.lawyer",
            "response.warning_letter", "response.sns_takedown", "response.safety",
            "response.referral"} <= responses  # fmt: skip
    assert p.rules.interaction_limit_minutes == 60
    assert p.rules.warning_minutes < 60
    assert p.rules.min_staff_meeting == 2
    assert [g.section for g in p.groups] == ["3(1)", "3(2)ア", "3(2)イ"]


def test_every_category_label_is_quoted_from_the_policy_text():
    text = _policy_text()
    for c in load_profile().categories:
        label = re.sub(r"\s+", "", c.label.ja)
        # the policy writes these with the words of the sentence around them
        label = label.removesuffix("場合")
        assert label in text, f"{c.code}: {c.label.ja!r} is not in the policy text"


def test_live_tag_hotkeys_are_unique_and_cover_conduct_and_demands():
    p = load_profile()
    live = p.live_tag_categories()
    assert len(live) == 14
    keys = [c.hotkey for c in live]
    assert None not in keys and len(set(keys)) == len(keys)


def _write(tmp_path: Path, text: str) -> Path:
    f = tmp_path / "profile.toml"
    f.write_text(text, encoding="utf-8")
    return f


def test_broken_toml_names_file_and_line(tmp_path):
    bad = (
        default_profile_path()
        .read_text(encoding="utf-8")
        .replace('code = "conduct.dogeza"', 'code = "conduct.dogeza')
    )
    f = _write(tmp_path, bad)
    with pytest.raises(ProfileError) as e:
        load_profile(f)
    assert str(f) in e.value.message("en")
    assert "line" in e.value.message("en")
    assert "ポリシー設定ファイル" in e.value.message("ja")


def test_duplicate_code_is_rejected_with_its_line(tmp_path):
    text = (
        default_profile_path()
        .read_text(encoding="utf-8")
        .replace('code = "conduct.sexual"', 'code = "conduct.mental"')
    )
    with pytest.raises(ProfileError) as e:
        load_profile(_write(tmp_path, text))
    assert "duplicate code" in e.value.problem
    assert "conduct.mental" in e.value.where
    assert "line" in e.value.where


def test_missing_label_names_the_category_and_key(tmp_path):
    text = (
        default_profile_path()
        .read_text(encoding="utf-8")
        .replace('label_en = "Intimidating behaviour"\n', "")
    )
    with pytest.raises(ProfileError) as e:
        load_profile(_write(tmp_path, text))
    assert e.value.problem == "missing"
    assert "conduct.intimidation" in e.value.where and "label_en" in e.value.where


def test_duplicate_hotkey_is_rejected(tmp_path):
    text = (
        default_profile_path().read_text(encoding="utf-8").replace('hotkey = "9"', 'hotkey = "1"')
    )
    with pytest.raises(ProfileError) as e:
        load_profile(_write(tmp_path, text))
    assert "already used" in e.value.problem


def test_warning_after_limit_is_rejected(tmp_path):
    text = (
        default_profile_path()
        .read_text(encoding="utf-8")
        .replace("warning_minutes = 50", "warning_minutes = 70")
    )
    with pytest.raises(ProfileError) as e:
        load_profile(_write(tmp_path, text))
    assert "warning_minutes" in e.value.where


def test_missing_file_is_a_profile_error(tmp_path):
    with pytest.raises(ProfileError):
        load_profile(tmp_path / "nope.toml")
