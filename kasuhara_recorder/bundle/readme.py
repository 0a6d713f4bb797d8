"""README.txt of a bundle: what is inside and how to check it by hand, in Japanese and English."""

from __future__ import annotations

from collections.abc import Sequence


def readme_text(
    *,
    bundle_id: str,
    incident_id: str,
    exported_at: str,
    exported_by: str,
    recipient_ja: str,
    recipient_en: str,
    signing_key_file: str,
    signing_fingerprint: str,
    recordings: Sequence[tuple[str, str, str]],  # (audio file, capture manifest, key file)
) -> bytes:
    wav = next((a for a, _m, _k in recordings if a.endswith(".wav")), "recordings/<ID>.wav")
    cap = next((m for a, m, _k in recordings if a.endswith(".wav")), "recordings/<ID>.json")
    cap_key = next((k for _a, _m, k in recordings), signing_key_file)
    rec_lines = "\n".join(f"  {a}\n  {m}  (+ .sig)" for a, m, _k in recordings) or "  -"
    win_wav = wav.replace("/", "\\")
    sig_cmd = (
        f"openssl pkeyutl -verify -pubin -inkey {signing_key_file} -rawin "
        "-in manifest.json -sigfile manifest.json.sig"
    )
    text = f"""\
カスタマーハラスメント事案 証拠バンドル / Customer-harassment incident evidence bundle
==========================================================================================

バンドルID / bundle id : {bundle_id}
事案番号 / incident     : {incident_id}
作成日時 / exported at  : {exported_at}
作成者 / exported by    : {exported_by}
提出先 / recipient      : {recipient_ja} / {recipient_en}
署名鍵 / signing key    : {signing_key_file}
  フィンガープリント / fingerprint (SHA-256 of the raw Ed25519 public key):
  {signing_fingerprint}
  この値を、送付元から電話や文書など別の手段で伝えられた値と照合してください。
  Compare it with the value the sender gave you by another channel (phone, letter).

【日本語】
■ 内容
  README.txt              このファイル
  SHA256SUMS              このファイル以外の全ファイルの SHA-256（coreutils 形式）
  manifest.json           バンドルの目録（全ファイルのサイズと SHA-256、使用した鍵）
  manifest.json.sig       manifest.json の Ed25519 署名（作成した端末の鍵）
  keys/*.pem              署名の確認に使う公開鍵
  incident/incident.json  事案票のデータ
  incident/report.pdf     事案報告書（日本語）
  recordings/*.wav        録音（WAV の音声データは録音時のデータとビット単位で同一）
  recordings/*.json(.sig) 録音時に端末が署名した録音マニフェスト
  attachments/            添付資料（原本のまま）
  custody/audit.jsonl     この事案に関する監査ログ（証拠の管理記録）
  verify.html             ブラウザーで開く検証ページ（ネットワーク接続なし）
  録音:
{rec_lines}

■ 確認方法
  1. ブラウザー: ZIP を展開し verify.html を開いて、展開したフォルダ（または ZIP）を選択します。
     すべて緑になれば改ざんはありません。赤い行が改ざん・欠落したファイルです。
  2. Windows: コマンドプロンプトで展開したフォルダに移動し、ファイルごとに
       certutil -hashfile {win_wav} SHA256
     を実行して、表示された値が SHA256SUMS の同じファイルの行と一致することを確認します。
     （PowerShell: Get-FileHash -Algorithm SHA256 {win_wav}）
  3. macOS: 展開したフォルダで  shasum -a 256 -c SHA256SUMS   （すべて OK と表示されること）
     Linux:  展開したフォルダで  sha256sum -c SHA256SUMS
  4. 署名（OpenSSL 3.0 以降）:
       {sig_cmd}
     「Signature Verified Successfully」と表示されれば manifest.json は作成時のままです。
     録音マニフェストも同様に:
       openssl pkeyutl -verify -pubin -inkey {cap_key} -rawin -in {cap} -sigfile {cap}.sig
  5. 録音データ: WAV の先頭 44 バイトはヘッダーで、それ以降が録音時の音声データです。
       tail -c +45 {wav} | sha256sum
     の値が {cap} の "pcm_sha256" と一致します。

【English】
■ Contents
  README.txt              this file
  SHA256SUMS              SHA-256 of every other file (coreutils format)
  manifest.json           the bundle's inventory (every file with size and SHA-256, keys used)
  manifest.json.sig       Ed25519 signature of manifest.json by the exporting workstation
  keys/*.pem              public keys to check the signatures
  incident/incident.json  the incident record
  incident/report.pdf     the incident report (Japanese)
  recordings/*.wav        recordings (the WAV audio data is bit-identical to what was captured)
  recordings/*.json(.sig) the recording manifests signed by the workstation at capture time
  attachments/            attachments, as the original files
  custody/audit.jsonl     the audit-log entries about this incident (chain of custody)
  verify.html             an offline verification page for any current browser

■ How to verify
  1. Browser: unzip, open verify.html, select the unzipped folder (or the ZIP). All green means
     nothing was altered; a red row names a file that was altered or is missing.
  2. Windows: in the unzipped folder run, for each file,
       certutil -hashfile {win_wav} SHA256
     and compare the value with that file's line in SHA256SUMS.
  3. macOS: shasum -a 256 -c SHA256SUMS      Linux: sha256sum -c SHA256SUMS   (all "OK")
  4. Signatures (OpenSSL 3.0 or later):
       {sig_cmd}
       openssl pkeyutl -verify -pubin -inkey {cap_key} -rawin -in {cap} -sigfile {cap}.sig
     Each prints "Signature Verified Successfully".
  5. Audio: a WAV here has a 44-byte header followed by the captured audio, so
       tail -c +45 {wav} | sha256sum
     prints the "pcm_sha256" of {cap}.
"""
    return text.replace("\n", "\r\n").encode("utf-8")  # CRLF: readable in Windows Notepad too
