"""README.txt of a bundle: what is inside and how to check it by hand, in Japanese and English.

The hand check is one chain a recipient follows with two standard tools: the signing key's
fingerprint (compared with the value the sender told by another channel), OpenSSL's check of
``SHA256SUMS.sig``, and ``sha256sum -c SHA256SUMS``; then, per recording, the check its kind
needs (captured: the WAV's data chunk; imported: the whole original file). Every command is on
a line of its own starting with ``$ `` and its expected output on the next line after ``→``;
the tests run those lines literally in the unzipped bundle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kasuhara_recorder.bundle.handover import fingerprint_command, grouped
from kasuhara_recorder.text import Text


@dataclass(frozen=True)
class ReadmeRecording:
    audio: str  # path in the bundle
    manifest: str  # its capture manifest (…json, + .sig)
    key_file: str  # the capture workstation's key
    imported: bool  # an original imported byte for byte (not captured PCM)
    sha256: str  # pcm_sha256 of the capture manifest: of the data chunk, or of the whole file


@dataclass(frozen=True)
class ReadmeTimestamp:
    token: str  # timestamps/<member>.tsr
    member: str  # the file it time-stamps


def _timestamp_checks(stamps: Sequence[ReadmeTimestamp], chain: str, lang: str) -> str:
    """E.: each RFC 3161 token by hand with `openssl ts -verify`, and the -attime form."""
    if not stamps:
        return ""
    ja = lang == "ja"
    head = (
        "E. 信頼できる時刻（RFC 3161 タイムスタンプ）: timestamps/ の各トークンは、"
        "そのファイルが\n   タイムスタンプ局の示す時刻（genTime）には存在していたことを"
        "証明します。展開したフォルダで:"
        if ja
        else "E. Trusted time (RFC 3161 time-stamps): each token in timestamps/ proves that its "
        "file\n   existed at the time (genTime) the time-stamping authority signed. In the "
        "unzipped folder:"
    )
    lines = [head]
    for t in stamps:
        lines.append(
            f"   $ openssl ts -verify -data {t.member} -in {t.token} -CAfile {chain}\n"
            "   → Verification: OK"
        )
    first = stamps[0]
    lines.append(
        (
            "   時刻を表示: openssl ts -reply -in TOKEN -text | grep 'Time stamp'\n"
            "   タイムスタンプ局の証明書の有効期限（約 10 年）が切れた後は、"
            "genTime の時点で確認します\n"
            "   （UNIX 秒で指定。例: date -d 'GENTIME' +%s）:"
            if ja
            else "   to show the time: openssl ts -reply -in TOKEN -text | grep 'Time stamp'\n"
            "   after the TSA certificate expired (about 10 years), check at its genTime (in UNIX\n"
            "   seconds, e.g. date -d 'GENTIME' +%s):"
        )
        + f"\n     openssl ts -verify -data {first.member} -in {first.token} -CAfile {chain}"
        " -attime SECONDS"
    )
    return "\n".join(lines)


def _indent(text: str, n: int) -> str:
    return "\n".join((" " * n + ln) if ln else ln for ln in text.split("\n"))


def _recording_checks(recordings: Sequence[ReadmeRecording], lang: str) -> str:
    out = []
    for r in recordings:
        if r.imported:
            what = (
                "取り込んだ原本（バイト単位でそのまま）。ファイル全体の SHA-256 が、取り込み時に"
                f'署名された {r.manifest} の "pcm_sha256"（= import.original_sha256）です:'
                if lang == "ja"
                else "an original imported byte for byte: the SHA-256 of the whole file is the "
                f'"pcm_sha256" (= import.original_sha256) signed at import in {r.manifest}:'
            )
            cmd = f"openssl dgst -sha256 {r.audio}"
        else:
            what = (
                "この端末で録音した音声。先頭 44 バイトの WAV ヘッダーを除いたデータが録音時の"
                f'音声そのもので、その SHA-256 が {r.manifest} の "pcm_sha256" です:'
                if lang == "ja"
                else "captured audio: after the 44-byte WAV header comes the captured audio "
                f'unchanged; its SHA-256 is the "pcm_sha256" of {r.manifest}:'
            )
            cmd = f"tail -c +45 {r.audio} | openssl dgst -sha256"
        sig = (
            f"openssl pkeyutl -verify -pubin -inkey {r.key_file} -rawin "
            f"-in {r.manifest} -sigfile {r.manifest}.sig"
        )
        out.append(
            f"{r.audio}\n  {what}\n  $ {cmd}\n  → {r.sha256}\n  $ {sig}\n"
            "  → Signature Verified Successfully"
        )
    return "\n".join(out) if out else "-"


def readme_text(
    *,
    bundle_id: str,
    incident_id: str,
    exported_at: str,
    exported_by: str,
    recipient: Text,
    signing_key_file: str,
    signing_fingerprint: str,
    recordings: Sequence[ReadmeRecording],
    timestamps: Sequence[ReadmeTimestamp] = (),
    timestamp_chain: str = "timestamps/tsa-chain.pem",
) -> bytes:
    fp_lines = _indent(grouped(signing_fingerprint, lines=True), 4)
    fp_cmd = fingerprint_command(signing_key_file)
    sums_cmd = (
        f"openssl pkeyutl -verify -pubin -inkey {signing_key_file} -rawin "
        "-in SHA256SUMS -sigfile SHA256SUMS.sig"
    )
    first = recordings[0].audio if recordings else "recordings/<ID>.wav"
    win_file = first.replace("/", "\\")
    rec_list = "\n".join(
        f"  {r.audio}  " + ("（取り込んだ原本）" if r.imported else "（録音）")
        + f"\n  {r.manifest}  (+ .sig)"
        for r in recordings
    ) or "  -"  # fmt: skip
    rec_list_en = "\n".join(
        f"  {r.audio}  " + ("(imported original)" if r.imported else "(captured)")
        + f"\n  {r.manifest}  (+ .sig)"
        for r in recordings
    ) or "  -"  # fmt: skip
    checks_ja = _indent(_recording_checks(recordings, "ja"), 5)
    checks_en = _indent(_recording_checks(recordings, "en"), 5)
    ts_ja = _timestamp_checks(timestamps, timestamp_chain, "ja")
    ts_en = _timestamp_checks(timestamps, timestamp_chain, "en")
    ts_ja, ts_en = (f"  {t}\n" if t else "" for t in (ts_ja, ts_en))
    text = f"""\
カスタマーハラスメント事案 証拠バンドル / Customer-harassment incident evidence bundle
==========================================================================================

バンドルID / bundle id : {bundle_id}
事案番号 / incident     : {incident_id}
作成日時 / exported at  : {exported_at}
作成者 / exported by    : {exported_by}
提出先 / recipient      : {recipient.ja} / {recipient.en}
署名鍵 / signing key    : {signing_key_file}
  フィンガープリント / fingerprint (SHA-256 of the raw Ed25519 public key):
{fp_lines}
  このフィンガープリントと、受け取った ZIP ファイルの SHA-256 の 2 つを、送付元から電話や文書
  など別の手段で伝えられた値と照合してください。同じ ZIP の中の鍵だけでは、作成者を証明できません。
  Compare this fingerprint and the SHA-256 of the ZIP file you received with the two values
  the sender told you by another channel (phone, letter): a key inside the same ZIP proves
  nothing by itself.

【日本語】
■ 内容
  README.txt              このファイル
  SHA256SUMS              SHA256SUMS.sig と自分自身以外の全ファイルの SHA-256（coreutils 形式）
  SHA256SUMS.sig          SHA256SUMS の Ed25519 署名（署名鍵 {signing_key_file}、64 バイト）
  manifest.json           バンドルの目録（全ファイルのサイズと SHA-256、使用した鍵、録音の種類）
  manifest.json.sig       manifest.json の Ed25519 署名（作成した端末の鍵）
  keys/*.pem              署名の確認に使う公開鍵
  incident/incident.json  事案票のデータ
  incident/report.pdf     事案報告書（日本語）
  recordings/             録音（録音: WAV の音声データは録音時のデータとビット単位で同一。
                          取り込んだ原本: 元のファイルとバイト単位で同一）
  recordings/*.json(.sig) 録音時・取り込み時に端末が署名した録音マニフェスト
  attachments/            添付資料（原本のまま）
  custody/audit.jsonl     この事案に関する監査ログ（証拠の管理記録）
  verify.html             ブラウザーで開く検証ページ（ネットワーク接続なし）
  録音:
{rec_list}

■ 確認方法
  A. ブラウザー（Windows ではこれが簡単です）: ZIP を展開し verify.html を開いて、ZIP ファイル
     （または展開したフォルダ）を選択します。すべて緑になれば改ざんはありません。赤い行が改ざん・
     欠落したファイルです。表示されるフィンガープリントと ZIP の SHA-256 を、伝えられた値と照合
     してください。対応ブラウザー: Microsoft Edge / Google Chrome 103 以降、Firefox 113 以降、
     Safari 16.4 以降。これより古いブラウザーでは検証できない旨が表示されます（赤にはなりません）。
  B. コマンド（OpenSSL 3.0 以降。Linux・macOS の端末など）: 展開したフォルダで次の 3 つを
     実行します。
     1. 署名鍵のフィンガープリント（伝えられた値と一致すること）:
        $ {fp_cmd}
        → {signing_fingerprint}
     2. SHA256SUMS の署名:
        $ {sums_cmd}
        → Signature Verified Successfully
     3. 全ファイルの SHA-256（macOS: shasum -a 256 -c SHA256SUMS）:
        $ sha256sum -c SHA256SUMS
        → すべての行が「OK」
     1〜3 がすべて期待どおりなら、すべてのファイルが、1 の鍵で署名されたときのまま、1 バイトも
     変わっていません（SHA256SUMS には SHA256SUMS.sig と自分自身を除く全ファイルが載っています）。
     失敗したときの意味:
       1 が違う値: 別の鍵で署名されたバンドルです（作り直された可能性）。証拠として使わず、
                   送付元に連絡してください。
       2 が失敗（Signature Verification Failure）: SHA256SUMS が書き換えられたか、鍵が違います。
       3 に FAILED の行: そのファイルが書き換えられています。「No such file」: 欠落しています。
       SHA256SUMS に載っていないファイルがフォルダにある: 後から追加されたものです。
  C. Windows のコマンド プロンプト: ファイルごとに
        > certutil -hashfile {win_file} SHA256
     を実行し、表示された値が SHA256SUMS の同じファイルの行と一致することを確認します。
     （PowerShell: Get-FileHash -Algorithm SHA256 {win_file}）署名の確認は A か B で行います。
  D. 録音ごとの確認（録音時・取り込み時に端末が署名した録音マニフェストとの照合）:
{checks_ja}
{ts_ja}
【English】
■ Contents
  README.txt              this file
  SHA256SUMS              SHA-256 of every file but itself and SHA256SUMS.sig (coreutils format)
  SHA256SUMS.sig          Ed25519 signature of SHA256SUMS (key {signing_key_file}, 64 bytes)
  manifest.json           the bundle's inventory (every file with size and SHA-256, keys used,
                          the kind of each recording)
  manifest.json.sig       Ed25519 signature of manifest.json by the exporting workstation
  keys/*.pem              public keys to check the signatures
  incident/incident.json  the incident record
  incident/report.pdf     the incident report (Japanese)
  recordings/             recordings (captured: the WAV audio data is bit-identical to what was
                          captured; imported originals: byte for byte the original file)
  recordings/*.json(.sig) the recording manifests signed by the workstation at capture/import
  attachments/            attachments, as the original files
  custody/audit.jsonl     the audit-log entries about this incident (chain of custody)
  verify.html             an offline verification page (no network)
  Recordings:
{rec_list_en}

■ How to verify
  A. Browser (the easy way on Windows): unzip, open verify.html, select the ZIP file (or the
     unzipped folder). All green means nothing was altered; a red row names a file that was
     altered or is missing. Compare the fingerprint and the ZIP's SHA-256 it shows with the
     values you were told. Browsers: Microsoft Edge / Google Chrome 103 or later, Firefox 113
     or later, Safari 16.4 or later; an older one says it cannot check (it never shows red
     for that).
  B. Commands (OpenSSL 3.0 or later; a Linux or macOS terminal): in the unzipped folder run
     1. the signing key's fingerprint (must equal the value you were told):
        $ {fp_cmd}
        → {signing_fingerprint}
     2. the signature of SHA256SUMS:
        $ {sums_cmd}
        → Signature Verified Successfully
     3. every file's SHA-256 (macOS: shasum -a 256 -c SHA256SUMS):
        $ sha256sum -c SHA256SUMS
        → every line "OK"
     When all three give what is expected, every file is byte for byte as it was when the key
     of step 1 signed it (SHA256SUMS lists every file except itself and SHA256SUMS.sig).
     What a failure means:
       1 differs:  the bundle was signed by another key (possibly remade): do not use it as
                   evidence; contact the sender.
       2 fails ("Signature Verification Failure"): SHA256SUMS was changed, or the key differs.
       3 prints FAILED for a file: that file was altered; "No such file": it is missing.
       a file in the folder that SHA256SUMS does not list: it was added afterwards.
  C. Windows Command Prompt: for each file run
        > certutil -hashfile {win_file} SHA256
     and compare the value with that file's line in SHA256SUMS
     (PowerShell: Get-FileHash -Algorithm SHA256 {win_file}); check the signature with A or B.
  D. Each recording against the manifest the workstation signed at capture or import:
{checks_en}
{ts_en}"""
    return text.replace("\n", "\r\n").encode("utf-8")  # CRLF: readable in Windows Notepad too
