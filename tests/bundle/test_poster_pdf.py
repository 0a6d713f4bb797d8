"""The recording-notice poster: `kasuhara-recorder poster --out FILE.pdf` gives one A4 page in
Japanese with the policy's words, its title and the organisation's name (the settings' over the
profile's); rasterised by pdftoppm, the sentence's box holds ink (the Japanese rendered)."""

from __future__ import annotations

import json
import subprocess
import unicodedata

import numpy as np

from tests.bundle.conftest import kr


def _text(pdf) -> str:
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    text = unicodedata.normalize("NFKC", out.stdout).replace("\n", "")
    return text.replace("\u2027", "・")  # pdftotext reads the font's ・ as U+2027


def test_poster_is_one_a4_page_with_the_policys_words(tmp_path):
    pdf = tmp_path / "poster.pdf"
    r = json.loads(kr(tmp_path / "data", "--json", "poster", "--out", str(pdf)).stdout)
    assert r["ok"] and r["out"] == str(pdf)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "Pages:           1" in info
    assert "(A4)" in info
    text = _text(pdf)
    for needle in (
        "録音についてのお知らせ",
        "当庁舎では、トラブル防止のため、窓口・電話での会話を録音させていただいております",
        "坂出市職員カスタマーハラスメント対策基本方針",
        "坂出市",
    ):
        assert needle in text, needle
    subprocess.run(["pdftoppm", "-r", "50", "-gray", str(pdf), str(tmp_path / "p")], check=True)
    raw = (tmp_path / "p-1.pgm").read_bytes()  # P5 <w> <h> 255, then one byte a pixel
    magic, w_, h_, _maxval, pixels = raw.split(maxsplit=4)
    assert magic == b"P5"
    w, h = int(w_), int(h_)
    img = np.frombuffer(pixels[: w * h], dtype=np.uint8).reshape(h, w)
    box = img[int(h * 0.33) : int(h * 0.62), int(w * 0.15) : int(w * 0.85)]
    ink = float((box < 128).mean())
    assert 0.03 < ink < 0.5, ink  # glyphs, not tofu boxes or an empty page


def test_the_organisation_name_from_the_settings_is_on_the_poster(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.json").write_text(json.dumps({"organisation_name": "架空町役場"}))
    pdf = tmp_path / "poster.pdf"
    kr(data, "poster", "--out", str(pdf))
    assert "架空町役場" in _text(pdf)
