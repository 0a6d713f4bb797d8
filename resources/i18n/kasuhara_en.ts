<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="ja_JP">
<context>
    <name>AfterStopDialog</name>
    <message>
        <source>録音を保存しました</source>
        <translation>Recording saved</translation>
    </message>
    <message>
        <source>録音は暗号化して封印しました。この録音をどうしますか？</source>
        <translation>The recording is encrypted and sealed. What should happen to it?</translation>
    </message>
    <message>
        <source>新しい事案として記録する（事案票を開く）</source>
        <translation>Record as a new incident (opens the incident form)</translation>
    </message>
    <message>
        <source>選んだ既存の事案に追加する</source>
        <translation>Add to the selected existing incident</translation>
    </message>
    <message>
        <source>（未完了の事案はありません）</source>
        <translation>(no open incidents)</translation>
    </message>
    <message>
        <source>通常の録音として保存する（保存期間後に削除）</source>
        <translation>Keep as a routine recording (deleted after the retention period)</translation>
    </message>
</context>
<context>
    <name>AnnouncementDialog</name>
    <message>
        <source>電話の録音告知を録音</source>
        <translation>Record the phone announcement</translation>
    </message>
    <message>
        <source>電話の録音開始時に相手へ流す告知を録音します。下の文を読み上げてください（文は変更できます）。</source>
        <translation>Record the notice played to the caller when a phone recording starts. Read the sentence below aloud (you may change it).</translation>
    </message>
    <message>
        <source>既定の入力装置</source>
        <translation>Default input device</translation>
    </message>
    <message>
        <source>入力装置: %1</source>
        <translation>Input device: %1</translation>
    </message>
    <message>
        <source>● 録音</source>
        <translation>● Record</translation>
    </message>
    <message>
        <source>▶ 再生</source>
        <translation>▶ Play</translation>
    </message>
    <message>
        <source>告知音声として保存</source>
        <translation>Save as the announcement</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>告知音声を保存しました: %1</source>
        <translation>Announcement saved: %1</translation>
    </message>
    <message>
        <source>%1 秒</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>■ 停止</source>
        <translation>■ Stop</translation>
    </message>
</context>
<context>
    <name>AttachmentsSection</name>
    <message>
        <source>添付（画像・PDF・SNS投稿のスクリーンショット・URL）と録音</source>
        <translation>Attachments (images, PDFs, SNS screenshots, URLs) and recordings</translation>
    </message>
    <message>
        <source>ファイルを添付…</source>
        <translation>Attach file…</translation>
    </message>
    <message>
        <source>URLを追加…</source>
        <translation>Add URL…</translation>
    </message>
    <message>
        <source>添付ファイルは録音と同じく暗号化して封印されます。</source>
        <translation>Attached files are encrypted and sealed like recordings.</translation>
    </message>
    <message>
        <source>録音を追加…</source>
        <translation>Add recording…</translation>
    </message>
    <message>
        <source>通常の録音として保存した録音や、復旧した録音を後から追加できます。</source>
        <translation>Recordings kept as routine, or recovered after a crash, can be added here later.</translation>
    </message>
    <message>
        <source>この事案の録音</source>
        <translation>Recordings of this incident</translation>
    </message>
    <message>
        <source>【提出後に追加 %1 %2】</source>
        <translation>[Added after submission %1 %2]</translation>
    </message>
    <message>
        <source>録音 %1</source>
        <translation>Recording %1</translation>
    </message>
    <message>
        <source>完了した事案には録音を追加できません。</source>
        <translation>Recordings cannot be added to a closed incident.</translation>
    </message>
</context>
<context>
    <name>AuditModel</name>
    <message>
        <source>番号</source>
        <translation>No.</translation>
    </message>
    <message>
        <source>日時</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>操作者</source>
        <translation>Actor</translation>
    </message>
    <message>
        <source>種類</source>
        <translation>Event</translation>
    </message>
    <message>
        <source>対象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>内容</source>
        <translation>Details</translation>
    </message>
</context>
<context>
    <name>AuditViewer</name>
    <message>
        <source>監査記録</source>
        <translation>Audit trail</translation>
    </message>
    <message>
        <source>事案 %1 とその録音・添付ファイルの記録</source>
        <translation>Entries of incident %1, its recordings and attachments</translation>
    </message>
    <message>
        <source>この端末のすべての記録</source>
        <translation>Every entry of this workstation</translation>
    </message>
    <message>
        <source>種類:</source>
        <translation>Event:</translation>
    </message>
    <message>
        <source>操作者:</source>
        <translation>Actor:</translation>
    </message>
    <message>
        <source>改ざんがないか確認する</source>
        <translation>Check for tampering</translation>
    </message>
    <message>
        <source>中央保管庫の記録も確認する</source>
        <translation>Check the central store too</translation>
    </message>
    <message>
        <source>すべての端末の記録・録音・中央の署名を中央保管庫で確認します。</source>
        <translation>Checks every workstation&apos;s entries, recordings and the central signatures in the central store.</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>すべての種類</source>
        <translation>All events</translation>
    </message>
    <message>
        <source>すべての人</source>
        <translation>Everyone</translation>
    </message>
    <message>
        <source>監査記録を読めませんでした。詳しくはログを確認してください。</source>
        <translation>Could not read the audit trail. See the log for details.</translation>
    </message>
    <message>
        <source>%1 件中 %2 件を表示</source>
        <translation>Showing %2 of %1</translation>
    </message>
    <message>
        <source>確認しています…</source>
        <translation>Checking…</translation>
    </message>
    <message>
        <source>問題の記録はこの一覧にありません（別の事案の記録か、削除された記録です）。</source>
        <translation>The entry at fault is not in this list (it belongs to another incident, or was deleted).</translation>
    </message>
    <message>
        <source>確認できませんでした。詳しくはログを確認してください。</source>
        <translation>Could not check. See the log for details.</translation>
    </message>
    <message>
        <source>中央保管庫を確認しています…</source>
        <translation>Checking the central store…</translation>
    </message>
</context>
<context>
    <name>CategoriesSection</name>
    <message>
        <source>手段・態様（方針 3(2)）：録音中のタグから選択済み</source>
        <translation>Means and manner (§3(2)): pre-selected from the live tags</translation>
    </message>
</context>
<context>
    <name>CentralPage</name>
    <message>
        <source>中央保管庫</source>
        <translation>Central store</translation>
    </message>
    <message>
        <source>情報システム担当者から中央保管庫の接続先を受け取っている場合だけ入力します。空欄のままなら、この端末は単独で動作します（後から参加できます）。</source>
        <translation>Enter this only if IT gave you the address of a central store. Left empty, this workstation works alone (it can join later).</translation>
    </message>
    <message>
        <source>中央保管庫には後で参加する（それまでこの端末は単独で動作します）</source>
        <translation>Join the central store later (until then this workstation works alone)</translation>
    </message>
    <message>
        <source>接続先:</source>
        <translation>Address:</translation>
    </message>
</context>
<context>
    <name>DemandSection</name>
    <message>
        <source>要求の内容と妥当性（方針 3(1)）</source>
        <translation>The demand and its validity (§3(1))</translation>
    </message>
    <message>
        <source>相手方が何を求めたか</source>
        <translation>What the person demanded</translation>
    </message>
    <message>
        <source>要求の内容</source>
        <translation>The demand</translation>
    </message>
    <message>
        <source>要求の内容が妥当性を欠く場合（該当するものを選択）</source>
        <translation>The demand lacks validity because (tick what applies)</translation>
    </message>
    <message>
        <source>妥当性についての補足（例：要求には一部正当な点がある）</source>
        <translation>Note on validity (e.g. part of the demand was justified)</translation>
    </message>
</context>
<context>
    <name>DestinationPage</name>
    <message>
        <source>保存先</source>
        <translation>Destination</translation>
    </message>
    <message>
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>証拠パッケージ（ZIP ファイル）の保存先を選んでください。</source>
        <translation>Choose where to save the evidence bundle (a ZIP file).</translation>
    </message>
    <message>
        <source>USB メモリなど、渡す媒体に直接保存できます。書き出したファイルには録音の音声がそのまま入ります。渡す相手以外の目に触れない場所に保存してください。</source>
        <translation>You can save it straight onto the medium you will hand over, such as a USB stick. The exported file contains the recorded audio in plain form: save it where nobody but the recipient can see it.</translation>
    </message>
    <message>
        <source>書き出す</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>証拠パッケージの保存先</source>
        <translation>Save the evidence bundle as</translation>
    </message>
    <message>
        <source>ZIP ファイル (*.zip)</source>
        <translation>ZIP files (*.zip)</translation>
    </message>
    <message>
        <source>保存先のフォルダ %1 がありません。別の保存先を選んでください。</source>
        <translation>The folder %1 does not exist. Choose another destination.</translation>
    </message>
    <message>
        <source>フォルダではなく、ファイル名を指定してください。</source>
        <translation>Enter a file name, not a folder.</translation>
    </message>
    <message>
        <source>上書きの確認</source>
        <translation>Replace the file?</translation>
    </message>
    <message>
        <source>保存先に同じ名前のファイル「%1」がすでにあります。
置き換えますか？ 置き換えた元のファイルは元に戻せません。</source>
        <translation>A file named &quot;%1&quot; is already at the destination.
Replace it? The file it replaces cannot be brought back.</translation>
    </message>
    <message>
        <source>置き換える</source>
        <translation>Replace</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>「%1」は置き換えずにそのまま残しています。別のファイル名を指定してください。</source>
        <translation>&quot;%1&quot; was not replaced and is kept as it is. Choose another file name.</translation>
    </message>
</context>
<context>
    <name>DeviceCheck</name>
    <message>
        <source>既定の入力装置</source>
        <translation>Default input device</translation>
    </message>
    <message>
        <source>既定</source>
        <translation>Default</translation>
    </message>
    <message>
        <source>テスト</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>装置:</source>
        <translation>Device:</translation>
    </message>
    <message>
        <source>チャンネル数:</source>
        <translation>Channels:</translation>
    </message>
    <message>
        <source>サンプリング周波数:</source>
        <translation>Sample rate:</translation>
    </message>
    <message>
        <source>%1（接続されていません）</source>
        <translation>%1 (not connected)</translation>
    </message>
    <message>
        <source>装置を開いています…</source>
        <translation>Opening the device…</translation>
    </message>
    <message>
        <source>話しかけてください。レベルを測っています…</source>
        <translation>Speak now. Measuring the level…</translation>
    </message>
    <message>
        <source>音声が届いています（最大 %1 dBFS）。</source>
        <translation>Audio arrives (loudest %1 dBFS).</translation>
    </message>
    <message>
        <source>音声が届いていません。マイクの接続と音量、装置の選択を確認してください。</source>
        <translation>No audio arrives. Check the microphone&apos;s connection and volume, and the device chosen.</translation>
    </message>
    <message>
        <source>装置を開けませんでした。詳しくはログを確認してください。</source>
        <translation>Could not open the device. See the log for details.</translation>
    </message>
</context>
<context>
    <name>DevicesPage</name>
    <message>
        <source>録音装置</source>
        <translation>Recording devices</translation>
    </message>
    <message>
        <source>窓口と電話で使う入力装置を選び、「テスト」で音声が届くか確かめてください（テストの音声は保存しません）。</source>
        <translation>Choose the input devices for the counter and the phone, and check with Test that audio arrives (nothing of the test is saved).</translation>
    </message>
    <message>
        <source>窓口</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>電話</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>入力装置が見つかりません。マイクをつないでください。</source>
        <translation>No input device found. Connect a microphone.</translation>
    </message>
    <message>
        <source>入力装置を調べられませんでした。</source>
        <translation>Could not list the input devices.</translation>
    </message>
    <message>
        <source>テストが終わるまでお待ちください。</source>
        <translation>Wait until the test has finished.</translation>
    </message>
</context>
<context>
    <name>EventsSection</name>
    <message>
        <source>経過</source>
        <translation>Course of events</translation>
    </message>
    <message>
        <source>何があったかを時間の順に書いてください</source>
        <translation>Describe what happened, in order</translation>
    </message>
    <message>
        <source>録音中のタグ（メモは編集できます）</source>
        <translation>Live tags (notes can be edited)</translation>
    </message>
    <message>
        <source>時刻</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>区分</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>メモ</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>けが・物の損害</source>
        <translation>Injuries or damage</translation>
    </message>
    <message>
        <source>なければ空欄</source>
        <translation>Leave empty if none</translation>
    </message>
</context>
<context>
    <name>ExceptHook</name>
    <message>
        <source>予期しないエラー</source>
        <translation>Unexpected error</translation>
    </message>
    <message>
        <source>予期しないエラーが発生しました。録音済みのデータは保存されています。
情報システム担当者にログファイルを渡してください:
%1</source>
        <translation>An unexpected error occurred. What was recorded is saved.
Please give the IT staff the log file:
%1</translation>
    </message>
</context>
<context>
    <name>ExportWizard</name>
    <message>
        <source>証拠パッケージを書き出す</source>
        <translation>Export evidence bundle</translation>
    </message>
    <message>
        <source>&lt; 戻る</source>
        <translation>&lt; Back</translation>
    </message>
    <message>
        <source>次へ &gt;</source>
        <translation>Next &gt;</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>FirstRunWizard</name>
    <message>
        <source>初期設定</source>
        <translation>First-run setup</translation>
    </message>
    <message>
        <source>&lt; 戻る</source>
        <translation>&lt; Back</translation>
    </message>
    <message>
        <source>次へ &gt;</source>
        <translation>Next &gt;</translation>
    </message>
    <message>
        <source>完了して録音を使えるようにする</source>
        <translation>Finish and enable recording</translation>
    </message>
    <message>
        <source>後で設定する</source>
        <translation>Set up later</translation>
    </message>
    <message>
        <source>設定しています…</source>
        <translation>Setting up…</translation>
    </message>
    <message>
        <source>設定し、中央保管庫に接続しています…</source>
        <translation>Setting up and connecting to the central store…</translation>
    </message>
    <message>
        <source>この端末は設定しましたが、中央保管庫に参加できませんでした。</source>
        <translation>This workstation is set up, but it could not join the central store.</translation>
    </message>
    <message>
        <source>接続先を直して「完了」を押すか、下の「後で参加する」を選んで完了してください。</source>
        <translation>Correct the address and press Finish, or choose &quot;join later&quot; below and finish.</translation>
    </message>
    <message>
        <source>設定できませんでした。何も録音できる状態にはなっていません。</source>
        <translation>Setup failed. The workstation cannot record yet.</translation>
    </message>
    <message>
        <source>詳しくはログを確認してください。</source>
        <translation>See the log file for details.</translation>
    </message>
</context>
<context>
    <name>IncidentDetail</name>
    <message>
        <source>事案 %1</source>
        <translation>Incident %1</translation>
    </message>
    <message>
        <source>開始</source>
        <translation>Start</translation>
    </message>
    <message>
        <source>種別</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>長さ</source>
        <translation>Length</translation>
    </message>
    <message>
        <source>タグ</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>録音番号</source>
        <translation>Recording</translation>
    </message>
    <message>
        <source>位置</source>
        <translation>Offset</translation>
    </message>
    <message>
        <source>分類</source>
        <translation>Categories</translation>
    </message>
    <message>
        <source>記録者</source>
        <translation>By</translation>
    </message>
    <message>
        <source>録音</source>
        <translation>Recordings</translation>
    </message>
    <message>
        <source>メモ</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>日時</source>
        <translation>When</translation>
    </message>
    <message>
        <source>対応</source>
        <translation>Response</translation>
    </message>
    <message>
        <source>対応者</source>
        <translation>By</translation>
    </message>
    <message>
        <source>追加日時</source>
        <translation>Added</translation>
    </message>
    <message>
        <source>追加者</source>
        <translation>Added by</translation>
    </message>
    <message>
        <source>種類</source>
        <translation>Kind</translation>
    </message>
    <message>
        <source>名前</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>操作者</source>
        <translation>Actor</translation>
    </message>
    <message>
        <source>記録</source>
        <translation>Event</translation>
    </message>
    <message>
        <source>対象</source>
        <translation>Subject</translation>
    </message>
    <message>
        <source>内容</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>記録内容</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>対応（§4）</source>
        <translation>Responses (§4)</translation>
    </message>
    <message>
        <source>添付</source>
        <translation>Attachments</translation>
    </message>
    <message>
        <source>管理履歴</source>
        <translation>Custody</translation>
    </message>
    <message>
        <source>状態を変更</source>
        <translation>Change status</translation>
    </message>
    <message>
        <source>対応を記録…</source>
        <translation>Record a response…</translation>
    </message>
    <message>
        <source>監査記録…</source>
        <translation>Audit trail…</translation>
    </message>
    <message>
        <source>事案票を開く</source>
        <translation>Open incident form</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>事案 %1 ・ %2</source>
        <translation>Incident %1 · %2</translation>
    </message>
    <message>
        <source>保全中</source>
        <translation>On legal hold</translation>
    </message>
    <message>
        <source>端末 %1 で作成された事案です（中央保管庫の最新版）。変更はその端末で行われ、同期で届きます。</source>
        <translation>Made on workstation %1 (its latest version in the central store). It is changed on that PC and arrives by its sync.</translation>
    </message>
    <message>
        <source>ファイル</source>
        <translation>File</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>URL</translation>
    </message>
    <message>
        <source>（提出後に追加）</source>
        <translation> (added after submission)</translation>
    </message>
    <message>
        <source>§4(1) の時間を超過</source>
        <translation>over the §4(1) limit</translation>
    </message>
    <message>
        <source>発生日時</source>
        <translation>Occurred</translation>
    </message>
    <message>
        <source>時間</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>場所</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>所属</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>対応職員</source>
        <translation>Staff</translation>
    </message>
    <message>
        <source>相手方</source>
        <translation>Other party</translation>
    </message>
    <message>
        <source>要求内容</source>
        <translation>Demand</translation>
    </message>
    <message>
        <source>要求の正当性</source>
        <translation>Validity of the demand</translation>
    </message>
    <message>
        <source>言動の分類</source>
        <translation>Conduct</translation>
    </message>
    <message>
        <source>経過</source>
        <translation>Course of events</translation>
    </message>
    <message>
        <source>負傷等</source>
        <translation>Injuries</translation>
    </message>
    <message>
        <source>提出日時</source>
        <translation>Submitted</translation>
    </message>
    <message>
        <source>再生</source>
        <translation>Play</translation>
    </message>
    <message>
        <source>保全を解除…</source>
        <translation>Lift legal hold…</translation>
    </message>
    <message>
        <source>保全を設定…</source>
        <translation>Set legal hold…</translation>
    </message>
    <message>
        <source>詳しくはログを確認してください。</source>
        <translation>See the log for details.</translation>
    </message>
    <message>
        <source>事案</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>事案票の作成</source>
        <translation>Incident form made</translation>
    </message>
    <message>
        <source>下書きの保存</source>
        <translation>Draft saved</translation>
    </message>
    <message>
        <source>提出</source>
        <translation>Submitted</translation>
    </message>
    <message>
        <source>状態の変更</source>
        <translation>Status changed</translation>
    </message>
    <message>
        <source>保全の設定・解除</source>
        <translation>Legal hold set or lifted</translation>
    </message>
    <message>
        <source>対応の記録</source>
        <translation>Response recorded</translation>
    </message>
    <message>
        <source>添付の追加</source>
        <translation>Attachment added</translation>
    </message>
    <message>
        <source>録音の追加</source>
        <translation>Recording attached</translation>
    </message>
    <message>
        <source>録音開始</source>
        <translation>Recording started</translation>
    </message>
    <message>
        <source>録音停止（封印）</source>
        <translation>Recording stopped (sealed)</translation>
    </message>
    <message>
        <source>タグ付け</source>
        <translation>Tagged</translation>
    </message>
    <message>
        <source>通常の録音として保存</source>
        <translation>Kept as a routine recording</translation>
    </message>
    <message>
        <source>録音の復旧</source>
        <translation>Recording recovered</translation>
    </message>
    <message>
        <source>録音の取り込み</source>
        <translation>Recording imported</translation>
    </message>
    <message>
        <source>録音の再生</source>
        <translation>Recording played</translation>
    </message>
    <message>
        <source>証拠パッケージの書き出し</source>
        <translation>Evidence bundle exported</translation>
    </message>
    <message>
        <source>書きかけの書き出しの削除</source>
        <translation>Partial export removed</translation>
    </message>
    <message>
        <source>保全を設定</source>
        <translation>legal hold set</translation>
    </message>
    <message>
        <source>保全を解除</source>
        <translation>legal hold lifted</translation>
    </message>
</context>
<context>
    <name>IncidentFilterBar</name>
    <message>
        <source>事案番号・要求・経過・場所・相手の特徴で検索</source>
        <translation>Search incident number, demand, events, place, other party</translation>
    </message>
    <message>
        <source>§4(1) の時間超過（%1 分超）</source>
        <translation>Over the §4(1) limit (more than %1 min)</translation>
    </message>
    <message>
        <source>保全中のみ</source>
        <translation>On legal hold only</translation>
    </message>
    <message>
        <source>条件をクリア</source>
        <translation>Clear filters</translation>
    </message>
    <message>
        <source>状態</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>分類</source>
        <translation>Categories</translation>
    </message>
    <message>
        <source>所属</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>場所</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>発生日</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>〜</source>
        <translation>to</translation>
    </message>
    <message>
        <source>すべて</source>
        <translation>All</translation>
    </message>
    <message>
        <source>指定なし</source>
        <translation>Any</translation>
    </message>
</context>
<context>
    <name>IncidentForm</name>
    <message>
        <source>下書き保存</source>
        <translation>Save draft</translation>
    </message>
    <message>
        <source>提出</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>前回閉じたときの入力内容（自動保存）を復元しました。</source>
        <translation>Restored what you had typed before the form was closed (autosave).</translation>
    </message>
    <message>
        <source>事案 %1（%2）</source>
        <translation>Incident %1 (%2)</translation>
    </message>
    <message>
        <source> ・法的保全中</source>
        <translation> · legal hold</translation>
    </message>
    <message>
        <source>入力中…</source>
        <translation>Typing…</translation>
    </message>
    <message>
        <source>自動保存しました</source>
        <translation>Autosaved</translation>
    </message>
    <message>
        <source>自動保存できませんでした。下書き保存を押してください。</source>
        <translation>Autosave failed. Press Save draft.</translation>
    </message>
    <message>
        <source>提出できません。赤字の項目を直してください（%1 件）。</source>
        <translation>Cannot submit yet. Fix the items in red (%1).</translation>
    </message>
    <message>
        <source>保存できません</source>
        <translation>Cannot save</translation>
    </message>
    <message>
        <source>下書きを保存しました</source>
        <translation>Draft saved</translation>
    </message>
    <message>
        <source>提出していません。下書きのままです。</source>
        <translation>Not submitted. The form is still a draft.</translation>
    </message>
    <message>
        <source>提出できません</source>
        <translation>Cannot submit</translation>
    </message>
    <message>
        <source>提出しました</source>
        <translation>Submitted</translation>
    </message>
    <message>
        <source>添付するファイル</source>
        <translation>File to attach</translation>
    </message>
    <message>
        <source>画像・PDF (*.png *.jpg *.jpeg *.gif *.webp *.pdf);;すべてのファイル (*)</source>
        <translation>Images and PDFs (*.png *.jpg *.jpeg *.gif *.webp *.pdf);;All files (*)</translation>
    </message>
    <message>
        <source>添付ファイルを封印しています…</source>
        <translation>Sealing the attachment…</translation>
    </message>
    <message>
        <source>URLを追加</source>
        <translation>Add URL</translation>
    </message>
    <message>
        <source>SNS投稿などのURL:</source>
        <translation>URL of an SNS post or page:</translation>
    </message>
    <message>
        <source>添付しました</source>
        <translation>Attached</translation>
    </message>
    <message>
        <source>添付できませんでした。もう一度選んでください。続く場合は情報システム担当者にログを渡してください。</source>
        <translation>Could not attach the file. Choose it again; if it keeps failing, give the IT staff the log file.</translation>
    </message>
    <message>
        <source>録音を追加しました</source>
        <translation>Recording added</translation>
    </message>
</context>
<context>
    <name>IncidentListWindow</name>
    <message>
        <source>事案一覧</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>この端末の事案</source>
        <translation>This PC&apos;s incidents</translation>
    </message>
    <message>
        <source>中央保管庫（全端末）</source>
        <translation>Central store (every PC)</translation>
    </message>
    <message>
        <source>%1 さん（%2）</source>
        <translation>%1 (%2)</translation>
    </message>
    <message>
        <source>開く</source>
        <translation>Open</translation>
    </message>
    <message>
        <source>再読み込み</source>
        <translation>Reload</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>読み込み中…</source>
        <translation>Loading…</translation>
    </message>
    <message>
        <source>%1 件（%2 件を表示）</source>
        <translation>%1 incidents (%2 shown)</translation>
    </message>
    <message>
        <source>事案一覧を読み込めませんでした。詳しくはログを確認してください。</source>
        <translation>Could not load the incidents. See the log for details.</translation>
    </message>
</context>
<context>
    <name>IncidentPage</name>
    <message>
        <source>事案を選ぶ</source>
        <translation>Choose the incident</translation>
    </message>
    <message>
        <source>証拠パッケージに書き出す事案を選んでください。</source>
        <translation>Choose the incident to export as an evidence bundle.</translation>
    </message>
    <message>
        <source>事案はまだありません。</source>
        <translation>There are no incidents yet.</translation>
    </message>
</context>
<context>
    <name>IncidentTableModel</name>
    <message>
        <source>発生日時</source>
        <translation>Occurred</translation>
    </message>
    <message>
        <source>事案番号</source>
        <translation>Incident</translation>
    </message>
    <message>
        <source>状態</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>所属</source>
        <translation>Department</translation>
    </message>
    <message>
        <source>場所</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>分類</source>
        <translation>Categories</translation>
    </message>
    <message>
        <source>時間</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>保全</source>
        <translation>Hold</translation>
    </message>
    <message>
        <source>録音</source>
        <translation>Recordings</translation>
    </message>
    <message>
        <source>概要</source>
        <translation>Summary</translation>
    </message>
    <message>
        <source>端末</source>
        <translation>Workstation</translation>
    </message>
    <message>
        <source>§4(1) の時間（%1 分）を超えています</source>
        <translation>Longer than the §4(1) limit (%1 min)</translation>
    </message>
    <message>
        <source>保全中</source>
        <translation>On legal hold</translation>
    </message>
</context>
<context>
    <name>LegalHoldDialog</name>
    <message>
        <source>保全を設定</source>
        <translation>Set legal hold</translation>
    </message>
    <message>
        <source>事案 %1 を保全します（保存期間が過ぎても削除されません）。訴訟・捜査・照会など、保全する理由を入力してください。理由は監査記録に残ります。</source>
        <translation>Incident %1 will be kept on legal hold (not deleted when its retention period ends). Enter the reason — a lawsuit, an investigation, an inquiry. The reason is kept in the audit trail.</translation>
    </message>
    <message>
        <source>保全を解除</source>
        <translation>Lift legal hold</translation>
    </message>
    <message>
        <source>事案 %1 の保全を解除します（保存期間が過ぎると削除の対象になります）。解除する理由を入力してください。理由は監査記録に残ります。</source>
        <translation>Legal hold on incident %1 will be lifted (it may be deleted once its retention period ends). Enter the reason. The reason is kept in the audit trail.</translation>
    </message>
    <message>
        <source>理由（必須）</source>
        <translation>Reason (required)</translation>
    </message>
    <message>
        <source>保全する</source>
        <translation>Set hold</translation>
    </message>
    <message>
        <source>保全を解除する</source>
        <translation>Lift hold</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <source>入力レベル</source>
        <translation>Input level</translation>
    </message>
</context>
<context>
    <name>LimitBar</name>
    <message>
        <source>面談・電話の目安時間 %1 を超えました（方針 4(1)）。対応の終了を検討してください。</source>
        <translation>Past the %1 limit for meetings and calls (§4(1)). Consider ending the interaction.</translation>
    </message>
    <message>
        <source>目安時間 %1 まで残り %2（方針 4(1)）</source>
        <translation>%2 left of the %1 limit (§4(1))</translation>
    </message>
    <message>
        <source>面談・電話は原則 %1 以内（方針 4(1)）</source>
        <translation>Meetings and calls: within %1 in principle (§4(1))</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>カスハラ録音</source>
        <translation>Kasuhara Recorder</translation>
    </message>
    <message>
        <source>ファイル(&amp;F)</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>端末設定…</source>
        <translation>Workstation setup…</translation>
    </message>
    <message>
        <source>設定…</source>
        <translation>Settings…</translation>
    </message>
    <message>
        <source>録音告知のポスターを書き出す（PDF）…</source>
        <translation>Save the recording-notice poster (PDF)…</translation>
    </message>
    <message>
        <source>電話の録音告知を録音…</source>
        <translation>Record the phone announcement…</translation>
    </message>
    <message>
        <source>終了(&amp;Q)</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>事案(&amp;I)</source>
        <translation>&amp;Incidents</translation>
    </message>
    <message>
        <source>新しい事案票（録音なし）</source>
        <translation>New incident form (no recording)</translation>
    </message>
    <message>
        <source>事案一覧…</source>
        <translation>Incidents…</translation>
    </message>
    <message>
        <source>証拠パッケージを書き出す…</source>
        <translation>Export evidence bundle…</translation>
    </message>
    <message>
        <source>証拠パッケージを検証する…</source>
        <translation>Verify evidence bundle…</translation>
    </message>
    <message>
        <source>録音を再生…</source>
        <translation>Play a recording…</translation>
    </message>
    <message>
        <source>統計…</source>
        <translation>Statistics…</translation>
    </message>
    <message>
        <source>監査記録…</source>
        <translation>Audit trail…</translation>
    </message>
    <message>
        <source>表示(&amp;V)</source>
        <translation>&amp;View</translation>
    </message>
    <message>
        <source>言語 / Language</source>
        <translation>Language / 言語</translation>
    </message>
    <message>
        <source>録音告知のポスターの保存先</source>
        <translation>Save the recording-notice poster as</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>ポスターを保存しました: %1</source>
        <translation>Poster saved: %1</translation>
    </message>
    <message>
        <source>ポスターを保存できませんでした: %1</source>
        <translation>The poster could not be saved: %1</translation>
    </message>
    <message>
        <source>言語の切り替え</source>
        <translation>Change language</translation>
    </message>
    <message>
        <source>録音中は言語を切り替えられません。停止してから切り替えてください。</source>
        <translation>The language cannot be changed while recording. Stop first.</translation>
    </message>
    <message>
        <source>職員: %1</source>
        <translation>Staff: %1</translation>
    </message>
    <message>
        <source>所属: %1</source>
        <translation>Department: %1</translation>
    </message>
    <message>
        <source>既定の入力装置</source>
        <translation>Default input device</translation>
    </message>
    <message>
        <source>この端末は未設定です。録音はまだできません。情報システム担当者が「初期設定」で組織の公開鍵を登録すると、録音できるようになります。</source>
        <translation>This workstation is not set up yet, so it cannot record. Recording becomes possible once IT registers the organisation&apos;s public key in the first-run setup.</translation>
    </message>
    <message>
        <source>初期設定…</source>
        <translation>First-run setup…</translation>
    </message>
    <message>
        <source>この端末は未設定です。初期設定を行ってください。</source>
        <translation>This workstation is not set up. Run the first-run setup first.</translation>
    </message>
    <message>
        <source>前回の録音を確認しています。少しお待ちください。</source>
        <translation>Checking for an unfinished recording from last time. One moment, please.</translation>
    </message>
    <message>
        <source>中断した書き出しが残したファイルを削除しました（%1 件）</source>
        <translation>Removed what an interrupted export left behind (%1)</translation>
    </message>
    <message>
        <source>書きかけの証拠パッケージ</source>
        <translation>Partial evidence bundle</translation>
    </message>
    <message>
        <source>前回中断した書き出しの書きかけのファイル（録音の音声を含みます）が、次の保存先に残っている可能性があります。その USB メモリや共有フォルダをつないで、アプリを起動し直してください（自動で削除します）。

%1</source>
        <translation>An export that was cut off last time may have left a partial file (with the recorded audio) at this destination. Connect that USB stick or shared folder and start the app again (the file is then removed by itself).

%1</translation>
    </message>
    <message>
        <source>保存期間を過ぎた録音・添付 %1 件を削除しました（監査記録に記載）</source>
        <translation>Deleted %1 recording(s)/attachment(s) past their retention period (in the audit trail)</translation>
    </message>
    <message>
        <source>復旧した録音は保存されています（%1 件）</source>
        <translation>The recovered recordings are kept (%1)</translation>
    </message>
    <message>
        <source>詳しくはログを確認してください。</source>
        <translation>See the log file for details.</translation>
    </message>
    <message>
        <source>前回の録音を復旧できませんでした</source>
        <translation>Could not recover the last recording</translation>
    </message>
    <message>
        <source>前回途中で終わった録音の復旧に失敗しました。新しい録音はこのまま行えます。
録音ファイルは消さずに残しています。情報システム担当者に連絡してください。</source>
        <translation>A recording that ended abnormally last time could not be recovered. You can still make new recordings.
The recording file has been left in place. Please contact your IT staff.</translation>
    </message>
    <message>
        <source>端末設定</source>
        <translation>Workstation setup</translation>
    </message>
    <message>
        <source>録音中は端末設定を変更できません。停止してから行ってください。</source>
        <translation>The workstation setup cannot be changed while recording. Stop the recording first.</translation>
    </message>
    <message>
        <source>端末設定を保存しました。録音できます。（端末名: %1）</source>
        <translation>Workstation setup saved. Recording is now possible. (Workstation: %1)</translation>
    </message>
    <message>
        <source>設定</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>録音中は設定を変更できません。停止してから行ってください。</source>
        <translation>Settings cannot be changed while recording. Stop the recording first.</translation>
    </message>
    <message>
        <source>設定を保存しました。</source>
        <translation>Settings saved.</translation>
    </message>
    <message>
        <source>対応方針はアプリを起動し直すと切り替わります。</source>
        <translation> The policy profile changes when the app is started again.</translation>
    </message>
    <message>
        <source>監査記録</source>
        <translation>Audit trail</translation>
    </message>
    <message>
        <source>● 録音中 — カスハラ録音</source>
        <translation>● Recording — Kasuhara Recorder</translation>
    </message>
    <message>
        <source>録音 %1 ・ 長さ %2 ・ タグ %3 件</source>
        <translation>Recording %1 · length %2 · %3 tags</translation>
    </message>
    <message>
        <source>録音装置が使えなくなったため、録音は途中で止まりました。止まるまでの録音は保存されています。マイクの接続を確認してください。</source>
        <translation>The recording stopped early because the recording device became unavailable. Everything up to that moment is saved. Check the microphone connection.</translation>
    </message>
    <message>
        <source>ディスクの空き容量がなくなったため、録音は途中で止まりました。保存できた部分までを封印しました。空き容量を確保してから、新しい録音を始めてください。</source>
        <translation>The recording stopped early because the disk is full. What fitted has been sealed. Free some disk space, then start a new recording.</translation>
    </message>
    <message>
        <source>（前回途中で終わったため復旧した録音です。開始 %1）</source>
        <translation>(Recovered: this recording was cut off last time. Started %1)</translation>
    </message>
    <message>
        <source>通常の録音として保存しました</source>
        <translation>Kept as a routine recording</translation>
    </message>
    <message>
        <source>事案に登録できません</source>
        <translation>Cannot add to the incident</translation>
    </message>
    <message>
        <source>録音は保存されています。事案票の「録音を追加…」から後で事案に追加できます。</source>
        <translation>The recording is saved. You can add it to an incident later with &quot;Add recording…&quot; in the incident form.</translation>
    </message>
    <message>
        <source>録音中です</source>
        <translation>Recording in progress</translation>
    </message>
    <message>
        <source>録音中です。録音を停止して封印（保存）してから終了しますか？</source>
        <translation>Recording is in progress. Stop, seal (save) the recording and quit?</translation>
    </message>
</context>
<context>
    <name>NoticePrompt</name>
    <message>
        <source>録音の告知（相手に伝えてください）:</source>
        <translation>Recording notice (say this to the visitor):</translation>
    </message>
    <message>
        <source>告知しました  (%1)</source>
        <translation>Notice given  (%1)</translation>
    </message>
    <message>
        <source>告知した時刻を録音に記録します（クリックするか %1 キー）</source>
        <translation>Stamps the moment the notice was given into the recording (click or press %1)</translation>
    </message>
    <message>
        <source>告知を記録しました（%1）</source>
        <translation>Notice stamped (%1)</translation>
    </message>
</context>
<context>
    <name>OrgCreatedPage</name>
    <message>
        <source>組織の鍵を作成しました</source>
        <translation>Organisation key created</translation>
    </message>
    <message>
        <source>この秘密鍵ファイルは証拠管理担当者が保管するものです。窓口の端末に置いたままにしないでください。評価が終わったら証拠管理担当者に渡し（USB メモリなど）、この端末からは削除してください。パスフレーズを忘れると、録音は誰にも開けません。</source>
        <translation>This private key file belongs with the evidence officer. Do not leave it on the counter PC: when the evaluation is over, hand it to the evidence officer (on a USB stick, say) and delete it from this PC. If the passphrase is forgotten, nobody can open the recordings.</translation>
    </message>
    <message>
        <source>秘密鍵のフォルダを開く</source>
        <translation>Open the private key&apos;s folder</translation>
    </message>
    <message>
        <source>秘密鍵（パスフレーズで保護）を次の場所に保存しました:
%1

各端末に登録する公開鍵（受取人）:
%2
%3</source>
        <translation>The private key (protected by the passphrase) was saved here:
%1

The public key (recipient) to register on each workstation:
%2
%3</translation>
    </message>
</context>
<context>
    <name>PeopleSection</name>
    <message>
        <source>対応した職員と相手方</source>
        <translation>Staff present and the other party</translation>
    </message>
    <message>
        <source>氏名</source>
        <translation>Name</translation>
    </message>
    <message>
        <source>役割</source>
        <translation>Role</translation>
    </message>
    <message>
        <source>職員の氏名</source>
        <translation>Staff member&apos;s name</translation>
    </message>
    <message>
        <source>職員を追加</source>
        <translation>Add staff member</translation>
    </message>
    <message>
        <source>選択した職員を削除</source>
        <translation>Remove selected</translation>
    </message>
    <message>
        <source>対応した職員（面談は原則として複数の職員で対応）</source>
        <translation>Staff present (meetings are handled by several staff in principle)</translation>
    </message>
    <message>
        <source>分かる場合のみ</source>
        <translation>Only if known</translation>
    </message>
    <message>
        <source>年代、外見、用件、これまでの来庁・電話の有無など</source>
        <translation>Age range, appearance, business, earlier visits or calls…</translation>
    </message>
    <message>
        <source>相手方の氏名</source>
        <translation>Other party&apos;s name</translation>
    </message>
    <message>
        <source>相手方の特徴</source>
        <translation>Description</translation>
    </message>
    <message>
        <source>「%1」は既に一覧にあります。</source>
        <translation>%1 is already in the list.</translation>
    </message>
    <message>
        <source>面談は原則として %1 人以上の職員で対応します（方針 4(2)）。現在 %2 人です。</source>
        <translation>Meetings are handled by at least %1 staff in principle (§4(2)); now %2.</translation>
    </message>
</context>
<context>
    <name>PlayerLauncher</name>
    <message>
        <source>録音を開けませんでした。詳しくはログを確認してください。</source>
        <translation>The recording could not be opened. See the log for details.</translation>
    </message>
    <message>
        <source>録音の再生</source>
        <translation>Playback</translation>
    </message>
    <message>
        <source>組織の鍵を閉じました（%1）。</source>
        <translation>The organisation key was locked (%1).</translation>
    </message>
</context>
<context>
    <name>PlayerWindow</name>
    <message>
        <source>録音の再生 — %1</source>
        <translation>Playback — %1</translation>
    </message>
    <message>
        <source>録音 %1 ・ %2 ・ %3 ・ 長さ %4</source>
        <translation>Recording %1 · %2 · %3 · length %4</translation>
    </message>
    <message>
        <source>−10秒</source>
        <translation>−10 s</translation>
    </message>
    <message>
        <source>再生</source>
        <translation>Play</translation>
    </message>
    <message>
        <source>+10秒</source>
        <translation>+10 s</translation>
    </message>
    <message>
        <source>速度:</source>
        <translation>Speed:</translation>
    </message>
    <message>
        <source>再生装置:</source>
        <translation>Output:</translation>
    </message>
    <message>
        <source>音声はこのパソコンのメモリ内だけで復号しています（ファイルには書き出しません）。再生した範囲は監査ログに記録されます。</source>
        <translation>The audio is decrypted in this PC&apos;s memory only (never written to a file). What you play is recorded in the audit log.</translation>
    </message>
    <message>
        <source>（後から追加）</source>
        <translation>(added later)</translation>
    </message>
    <message>
        <source>既定の再生装置</source>
        <translation>Default output device</translation>
    </message>
    <message>
        <source>一時停止</source>
        <translation>Pause</translation>
    </message>
    <message>
        <source>再生の記録（監査ログ）を書き込めませんでした。詳しくはログを確認してください。</source>
        <translation>The playback could not be entered in the audit log. See the log for details.</translation>
    </message>
    <message>
        <source>封印時の記録と一致することを確認しました。</source>
        <translation>Checked: the audio matches what was sealed at capture.</translation>
    </message>
    <message>
        <source>復号しています… %1%</source>
        <translation>Decrypting… %1%</translation>
    </message>
    <message>
        <source>封印時の記録と照合しています…</source>
        <translation>Checking against what was sealed at capture…</translation>
    </message>
</context>
<context>
    <name>RecipientPage</name>
    <message>
        <source>渡す相手</source>
        <translation>Recipient</translation>
    </message>
    <message>
        <source>証拠パッケージを渡す相手の種類を選んでください（報告書に記載されます）。</source>
        <translation>Choose who will receive the evidence bundle (this is stated in the report).</translation>
    </message>
    <message>
        <source>警察</source>
        <translation>Police</translation>
    </message>
    <message>
        <source>弁護士</source>
        <translation>Lawyer</translation>
    </message>
    <message>
        <source>その他</source>
        <translation>Other</translation>
    </message>
    <message>
        <source>組織の公開鍵</source>
        <translation>Organisation public key</translation>
    </message>
    <message>
        <source>録音は組織の公開鍵（受取人）あてに暗号化され、この端末では復号できません。証拠管理担当から受け取った公開鍵を登録してください。</source>
        <translation>Recordings are encrypted to the organisation&apos;s public key (recipient) and cannot be decrypted on this PC. Register the public key the evidence officer gave you.</translation>
    </message>
    <message>
        <source>録音は組織の公開鍵（受取人）あてに暗号化され、この端末では復号できません。この端末の公開鍵は情報システム担当が設定済みです。「次へ」を押してください。</source>
        <translation>Recordings are encrypted to the organisation&apos;s public key (recipient) and cannot be decrypted on this workstation. IT has already set this workstation&apos;s public key: press Next.</translation>
    </message>
    <message>
        <source>受け取った公開鍵を登録する（通常はこちら）</source>
        <translation>Register the public key you were given (the usual way)</translation>
    </message>
    <message>
        <source>評価用に、新しい組織の鍵をこの場で作る（本番では使わないでください）</source>
        <translation>For an evaluation only: create a new organisation key here (never for real use)</translation>
    </message>
    <message>
        <source>age1… で始まる公開鍵を 1 行に 1 つ</source>
        <translation>Public keys starting with age1…, one per line</translation>
    </message>
    <message>
        <source>org-recipient.txt を読み込む…</source>
        <translation>Read org-recipient.txt…</translation>
    </message>
    <message>
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>パスフレーズは 12 文字以上。関係のない単語を 4 つ以上、空白で区切って並べると、覚えやすく強くなります。忘れると録音を開けません。</source>
        <translation>At least 12 characters. Four or more unrelated words separated by spaces are easy to remember and strong. If it is forgotten, the recordings cannot be opened.</translation>
    </message>
    <message>
        <source>パスフレーズ:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>もう一度:</source>
        <translation>Again:</translation>
    </message>
    <message>
        <source>秘密鍵の保存先:</source>
        <translation>Save the private key in:</translation>
    </message>
    <message>
        <source>情報システム担当が設定した組織の公開鍵</source>
        <translation>The organisation&apos;s public keys, set by IT</translation>
    </message>
    <message>
        <source>この端末の録音は、情報システム担当が端末共通の設定で指定した次の公開鍵あてに暗号化されます。入力は不要です。</source>
        <translation>Recordings on this PC are encrypted to these public keys, which IT set for every user of the PC. Nothing to enter here.</translation>
    </message>
    <message>
        <source>受取人ファイルを選ぶ</source>
        <translation>Choose a recipient file</translation>
    </message>
    <message>
        <source>受取人ファイル (*.txt);;すべてのファイル (*)</source>
        <translation>Recipient files (*.txt);;All files (*)</translation>
    </message>
    <message>
        <source>組織の公開鍵が正しくありません。age1 で始まる公開鍵（org-recipient.txt の中身）をそのまま貼り付けてください。</source>
        <translation>The organisation public key is not valid. Paste the public key starting with age1 (the content of org-recipient.txt) as it is.</translation>
    </message>
    <message>
        <source>秘密鍵の保存先</source>
        <translation>Folder for the private key</translation>
    </message>
    <message>
        <source>組織の公開鍵（age1…）を 1 つ以上入力してください。</source>
        <translation>Enter at least one organisation public key (age1…).</translation>
    </message>
    <message>
        <source>パスフレーズを入力してください。</source>
        <translation>Enter a passphrase.</translation>
    </message>
    <message>
        <source>2 回入力したパスフレーズが一致しません。もう一度入力してください。</source>
        <translation>The two passphrases differ. Enter it again.</translation>
    </message>
    <message>
        <source>パスフレーズの前後に空白があります。取り除いてください。</source>
        <translation>The passphrase begins or ends with a space. Remove it.</translation>
    </message>
    <message>
        <source>秘密鍵の保存先のフォルダを入力してください。</source>
        <translation>Enter the folder for the private key.</translation>
    </message>
    <message>
        <source>秘密鍵をデータフォルダの中に置くことはできません。別のフォルダ（USB メモリなど）を選んでください。</source>
        <translation>The private key cannot go into the data folder. Choose another folder (a USB stick, say).</translation>
    </message>
    <message>
        <source>%1 はフォルダではありません。</source>
        <translation>%1 is not a folder.</translation>
    </message>
    <message>
        <source>鍵を作れませんでした。詳しくはログを確認してください。</source>
        <translation>Could not create the key. See the log for details.</translation>
    </message>
</context>
<context>
    <name>RecordPanel</name>
    <message>
        <source>窓口</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>電話</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>録音の種類:</source>
        <translation>Channel:</translation>
    </message>
    <message>
        <source>入力装置:</source>
        <translation>Input device:</translation>
    </message>
    <message>
        <source>マイクを準備しています…（数秒かかることがあります）</source>
        <translation>Getting the microphone ready… (this can take a few seconds)</translation>
    </message>
    <message>
        <source>マイクは待機中も開いています（録音開始の瞬間から録音するため。音声はメモリ内だけで扱い、録音開始まで保存しません）。</source>
        <translation>The microphone stays open while idle, so recording starts the moment you press Start. The sound is only held in memory and nothing is saved until you press Start.</translation>
    </message>
    <message>
        <source>録音開始を押すと、その前の %1 秒間もさかのぼって録音に含めます。</source>
        <translation>When you press Start, the %1 seconds before it are included in the recording.</translation>
    </message>
    <message>
        <source>● 録音開始  (%1)</source>
        <translation>● Start recording  (%1)</translation>
    </message>
    <message>
        <source>クリックするか %1 キーで録音を始めます</source>
        <translation>Click or press %1 to start recording</translation>
    </message>
    <message>
        <source>待機中</source>
        <translation>Ready</translation>
    </message>
    <message>
        <source>■ 停止して保存  (%1)</source>
        <translation>■ Stop and save  (%1)</translation>
    </message>
    <message>
        <source>録音を止めて封印（暗号化・署名）します</source>
        <translation>Stops the recording and seals it (encrypted and signed)</translation>
    </message>
    <message>
        <source>録音中</source>
        <translation>Recording</translation>
    </message>
</context>
<context>
    <name>RecordingController</name>
    <message>
        <source>録音装置で予期しないエラーが発生しました。もう一度録音開始を押してください。続く場合は情報システム担当者にログを渡してください。</source>
        <translation>Unexpected error in the recording engine. Press Start recording again; if it keeps happening, give the IT staff the log file.</translation>
    </message>
    <message>
        <source>
空き容量を確保してから、新しい録音を始めてください。</source>
        <translation>
Free some disk space, then start a new recording.</translation>
    </message>
    <message>
        <source>
マイクの接続を確認してから、もう一度録音開始を押してください。</source>
        <translation>
Check the microphone connection, then press Start recording again.</translation>
    </message>
    <message>
        <source>
対応を終了し退去等を求めることができます（方針 4）。</source>
        <translation>
You may end the interaction and ask the person to leave (§4).</translation>
    </message>
    <message>
        <source>
ここまでの録音は保存されています。</source>
        <translation>
Everything recorded so far is saved.</translation>
    </message>
</context>
<context>
    <name>RecordingPicker</name>
    <message>
        <source>窓口</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>電話</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>取込</source>
        <translation>Imported</translation>
    </message>
    <message>
        <source>タグ%1件</source>
        <translation>Tags: %1</translation>
    </message>
    <message>
        <source>（復旧）</source>
        <translation>(recovered)</translation>
    </message>
    <message>
        <source>録音を追加</source>
        <translation>Add recording</translation>
    </message>
    <message>
        <source>録音を再生</source>
        <translation>Play a recording</translation>
    </message>
    <message>
        <source>開始</source>
        <translation>Started</translation>
    </message>
    <message>
        <source>種別</source>
        <translation>Channel</translation>
    </message>
    <message>
        <source>長さ</source>
        <translation>Length</translation>
    </message>
    <message>
        <source>タグ</source>
        <translation>Tags</translation>
    </message>
    <message>
        <source>備考</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>復旧</source>
        <translation>Recovered</translation>
    </message>
    <message>
        <source>録音 %1</source>
        <translation>Recording %1</translation>
    </message>
    <message>
        <source>アプリが途中で終了したため、止まる直前まで復旧した録音です。</source>
        <translation>The app stopped unexpectedly; this recording was recovered up to just before that.</translation>
    </message>
    <message>
        <source>この事案に追加</source>
        <translation>Add to this incident</translation>
    </message>
    <message>
        <source>再生する</source>
        <translation>Play</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>再生する録音を選んでください（新しい順）。</source>
        <translation>Choose the recording to play (newest first).</translation>
    </message>
    <message>
        <source>録音はまだありません。</source>
        <translation>There are no recordings yet.</translation>
    </message>
    <message>
        <source>この事案に追加する録音を選んでください。事案に登録されていない録音（通常の録音として保存したもの、復旧したもの）を新しい順に表示しています。</source>
        <translation>Choose the recording to add to this incident. Shown newest first are the recordings no incident holds yet (kept as routine, or recovered after a crash).</translation>
    </message>
    <message>
        <source>追加できる録音はありません。通常の録音として保存した録音や、復旧した録音がここに表示されます。</source>
        <translation>There are no recordings to add. Recordings kept as routine, or recovered after a crash, appear here.</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>RecoveryNotice</name>
    <message>
        <source>前回の録音を復旧しました</source>
        <translation>Recording recovered</translation>
    </message>
    <message>
        <source>前回、アプリが途中で終了したため、停止されていない録音が %1 件ありました。止まる直前までの録音を復旧し、暗号化して封印しました。</source>
        <translation>The app ended unexpectedly last time, leaving %1 recording(s) that were never stopped. Everything up to the moment it stopped has been recovered, encrypted and sealed.</translation>
    </message>
    <message>
        <source>・開始 %1 ／ 復旧した長さ %2</source>
        <translation>• Started %1 / recovered length %2</translation>
    </message>
    <message>
        <source>録音は消えずに保存されています。事案に関係する録音なら、「事案に登録する」から新しい事案または既存の事案に追加できます。</source>
        <translation>The recordings are kept. If one belongs to an incident, use “Attach to an incident” to add it to a new or an existing incident.</translation>
    </message>
    <message>
        <source>事案に登録する…</source>
        <translation>Attach to an incident…</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
</context>
<context>
    <name>ResponseDialog</name>
    <message>
        <source>対応を記録</source>
        <translation>Record a response</translation>
    </message>
    <message>
        <source>メモ（相手先、文書番号など）</source>
        <translation>Note (to whom, document number, …)</translation>
    </message>
    <message>
        <source>対応</source>
        <translation>Response</translation>
    </message>
    <message>
        <source>日時</source>
        <translation>When</translation>
    </message>
    <message>
        <source>対応者</source>
        <translation>By</translation>
    </message>
    <message>
        <source>メモ</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>記録する</source>
        <translation>Record</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>ResponsesSection</name>
    <message>
        <source>対応者</source>
        <translation>Handled by</translation>
    </message>
    <message>
        <source>メモ</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>現在時刻</source>
        <translation>Now</translation>
    </message>
    <message>
        <source>この対応の時刻を今にします</source>
        <translation>Set this response&apos;s time to now</translation>
    </message>
    <message>
        <source>対応（方針 4）：行ったものにチェックし、時刻と対応者を入力</source>
        <translation>Responses (§4): tick what was done, with the time and who</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <source>書き出し</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>中止</source>
        <translation>Stop</translation>
    </message>
    <message>
        <source>保存先のフォルダを開く</source>
        <translation>Open the destination folder</translation>
    </message>
    <message>
        <source>保存先を選び直す</source>
        <translation>Choose the destination again</translation>
    </message>
    <message>
        <source>事案 %1 を証拠パッケージに書き出します。</source>
        <translation>Exporting incident %1 as an evidence bundle.</translation>
    </message>
    <message>
        <source>準備しています…</source>
        <translation>Preparing…</translation>
    </message>
    <message>
        <source>書き出し中: %1</source>
        <translation>Exporting: %1</translation>
    </message>
    <message>
        <source>中止しています…</source>
        <translation>Stopping…</translation>
    </message>
    <message>
        <source>書き出しが完了しました。</source>
        <translation>Export finished.</translation>
    </message>
    <message>
        <source>証拠パッケージを書き出しました。渡すときは、下の 2 つの値を、パッケージとは別の手段（電話・文書など）で相手に伝えてください。相手は verify.html や README.txt で同じ 2 つの値を確かめ、受け取ったファイルがこの署名鍵で作られたそのものであることを確認できます。</source>
        <translation>The evidence bundle was written. When you hand it over, tell the recipient the two values below by another channel than the bundle (phone, letter): with verify.html or README.txt they check the same two values and so that the file they received is the very one made with this signing key.</translation>
    </message>
    <message>
        <source>署名鍵のフィンガープリント:
%1</source>
        <translation>Signing key fingerprint:
%1</translation>
    </message>
    <message>
        <source>ZIP ファイルの SHA-256:
%1</source>
        <translation>SHA-256 of the ZIP file:
%1</translation>
    </message>
    <message>
        <source>ファイル: %1</source>
        <translation>File: %1</translation>
    </message>
    <message>
        <source>中止しました。</source>
        <translation>Stopped.</translation>
    </message>
    <message>
        <source>書き出しを中止しました。ファイルは作成されていません。</source>
        <translation>The export was stopped. No file was created.</translation>
    </message>
    <message>
        <source>書き出せませんでした。</source>
        <translation>The export failed.</translation>
    </message>
    <message>
        <source>%1 の確認に失敗したため、書き出しを中止しました（ファイルは作成されていません）。
証拠のデータが改ざんされたか壊れている可能性があります。この端末のデータを変更せずに、情報システム担当者と証拠管理担当者に連絡してください。</source>
        <translation>%1 failed its check, so the export was stopped (no file was created).
The evidence may have been altered or damaged. Do not change anything on this workstation; contact IT and the evidence officer.</translation>
    </message>
    <message>
        <source>保存先に同じ名前のファイル「%1」ができていたため、置き換えずに中止しました。そのファイルはそのままです。保存先を選び直してください。</source>
        <translation>A file named &quot;%1&quot; appeared at the destination, so the export stopped without replacing it. That file is kept as it is. Choose the destination again.</translation>
    </message>
    <message>
        <source>保存先に書き込めませんでした（%1）。ファイルは作成されていません。
空き容量や書き込み禁止を確かめるか、別の保存先を選んで、もう一度書き出してください。</source>
        <translation>Could not write to the destination (%1). No file was created.
Check the free space and write protection, or choose another destination, and export again.</translation>
    </message>
    <message>
        <source>予期しないエラーで書き出せませんでした。ファイルは作成されていません。詳しくはログを確認してください。</source>
        <translation>The export failed with an unexpected error. No file was created. See the log for details.</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>設定</source>
        <translation>Settings</translation>
    </message>
    <message>
        <source>録音装置</source>
        <translation>Recording devices</translation>
    </message>
    <message>
        <source>端末</source>
        <translation>Workstation</translation>
    </message>
    <message>
        <source>役割</source>
        <translation>Roles</translation>
    </message>
    <message>
        <source>組織</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>保存</source>
        <translation>Save</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>窓口</source>
        <translation>Counter</translation>
    </message>
    <message>
        <source>電話</source>
        <translation>Phone</translation>
    </message>
    <message>
        <source>待機中もマイクを開いておく</source>
        <translation>Keep the microphone open while idle</translation>
    </message>
    <message>
        <source>録音開始の瞬間から録音できます。音声はメモリ内だけで扱い保存しませんが、パソコンのマイク使用中の表示は点灯したままになります。</source>
        <translation>Recording then starts the moment you press Record. The audio stays in memory only and is not saved, but the PC&apos;s microphone-in-use indicator stays on.</translation>
    </message>
    <message>
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <source>しない</source>
        <translation>Off</translation>
    </message>
    <message>
        <source>マイク:</source>
        <translation>Microphone:</translation>
    </message>
    <message>
        <source>事前録音:</source>
        <translation>Pre-event recording:</translation>
    </message>
    <message>
        <source>フォルダを開く</source>
        <translation>Open folder</translation>
    </message>
    <message>
        <source>録音・鍵・監査記録はこのフォルダにあります。別のフォルダを使うには、アプリを終了し、--data-dir フォルダ を付けて起動するか、環境変数 KASUHARA_DATA_DIR を設定してから起動します（情報システム担当者がショートカットで設定します）。</source>
        <translation>Recordings, keys and the audit trail are in this folder. To use another folder, quit the app and start it with --data-dir FOLDER, or with the environment variable KASUHARA_DATA_DIR set (IT sets this in the shortcut).</translation>
    </message>
    <message>
        <source>同梱の対応方針（坂出市の基本方針）</source>
        <translation>The bundled policy (Sakaide City&apos;s basic policy)</translation>
    </message>
    <message>
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>同梱のものに戻す</source>
        <translation>Use the bundled one</translation>
    </message>
    <message>
        <source> 分</source>
        <translation> min</translation>
    </message>
    <message>
        <source>なし（この端末は単独で動作します）</source>
        <translation>None (this workstation works alone)</translation>
    </message>
    <message>
        <source> 時間</source>
        <translation> h</translation>
    </message>
    <message>
        <source>職員名:</source>
        <translation>Staff name:</translation>
    </message>
    <message>
        <source>所属:</source>
        <translation>Department:</translation>
    </message>
    <message>
        <source>データフォルダ:</source>
        <translation>Data folder:</translation>
    </message>
    <message>
        <source>言語:</source>
        <translation>Language:</translation>
    </message>
    <message>
        <source>対応方針ファイル:</source>
        <translation>Policy profile:</translation>
    </message>
    <message>
        <source>鍵の自動ロック:</source>
        <translation>Key locks itself after:</translation>
    </message>
    <message>
        <source>中央保管庫:</source>
        <translation>Central store:</translation>
    </message>
    <message>
        <source>未接続の警告まで:</source>
        <translation>Warn when not reached for:</translation>
    </message>
    <message>
        <source>対応方針ファイルを選ぶ</source>
        <translation>Choose a policy profile</translation>
    </message>
    <message>
        <source>対応方針 (*.toml);;すべてのファイル (*)</source>
        <translation>Policy profiles (*.toml);;All files (*)</translation>
    </message>
    <message>
        <source>対応方針の団体名（坂出市）</source>
        <translation>The policy&apos;s organisation (Sakaide City)</translation>
    </message>
    <message>
        <source> 日</source>
        <translation> days</translation>
    </message>
    <message>
        <source>保存期間を過ぎたものは起動時と同期の前に削除され、1 件ずつ監査記録に残ります。リーガルホールド中の事案のものは、期間にかかわらず削除されません。</source>
        <translation>What is past its period is deleted at start and before a sync, each item entered in the audit trail. Nothing of an incident under legal hold is deleted, whatever the period.</translation>
    </message>
    <message>
        <source>なし（https://… 認定タイムスタンプ局の URL）</source>
        <translation>None (https://… an accredited time-stamping authority&apos;s URL)</translation>
    </message>
    <message>
        <source>団体名（ポスター）:</source>
        <translation>Organisation name (poster):</translation>
    </message>
    <message>
        <source>添付されていない録音の保存:</source>
        <translation>Keep recordings no incident holds:</translation>
    </message>
    <message>
        <source>完了した事案の録音・添付の保存:</source>
        <translation>Keep a closed incident&apos;s recordings and attachments:</translation>
    </message>
    <message>
        <source>タイムスタンプ局:</source>
        <translation>Time-stamping authority:</translation>
    </message>
    <message>
        <source>タイムスタンプ局の CA 証明書:</source>
        <translation>TSA CA certificates:</translation>
    </message>
    <message>
        <source>端末の時計のずれの警告:</source>
        <translation>Warn when the PC clock is off by:</translation>
    </message>
    <message>
        <source>組織の設定は証拠管理担当者だけが変更できます。</source>
        <translation>Only an evidence officer can change the organisation&apos;s settings.</translation>
    </message>
    <message>
        <source>タイムスタンプ局の CA 証明書を選ぶ</source>
        <translation>Choose the TSA&apos;s CA certificates</translation>
    </message>
    <message>
        <source>証明書 (*.pem *.crt);;すべてのファイル (*)</source>
        <translation>Certificates (*.pem *.crt);;All files (*)</translation>
    </message>
    <message>
        <source>この端末には役割がまだ設定されていないため、誰でもすべての操作ができます。所属長と証拠管理担当の OS ユーザーを登録してください。登録後は証拠管理担当だけが変更できます。</source>
        <translation>No roles are set up on this workstation yet, so everyone may do everything. List the OS users of the supervisors and evidence officers. Once listed, only an evidence officer can change them.</translation>
    </message>
    <message>
        <source>所属長と証拠管理担当の OS ユーザーです。一覧にない人は窓口の職員です。</source>
        <translation>The OS users of the supervisors and evidence officers. Anyone not listed is counter staff.</translation>
    </message>
    <message>
        <source>役割は証拠管理担当だけが変更できます。</source>
        <translation>Only an evidence officer can change the roles.</translation>
    </message>
    <message>
        <source>OS ユーザー</source>
        <translation>OS user</translation>
    </message>
    <message>
        <source>担当の所属（、で区切る）</source>
        <translation>Departments (separated by 、 or ,)</translation>
    </message>
    <message>
        <source>追加</source>
        <translation>Add</translation>
    </message>
    <message>
        <source>削除</source>
        <translation>Remove</translation>
    </message>
    <message>
        <source>設定を保存できませんでした。詳しくはログを確認してください。</source>
        <translation>Could not save the settings. See the log for details.</translation>
    </message>
</context>
<context>
    <name>SetupDialog</name>
    <message>
        <source>端末設定</source>
        <translation>Workstation setup</translation>
    </message>
    <message>
        <source>情報システム担当者が、この端末で録音を始める前に一度だけ設定します。録音は下の公開鍵（受取人）あてに暗号化され、この端末では復号できません。</source>
        <translation>IT sets this up once, before anyone records on this workstation. Recordings are encrypted to the public keys (recipients) below and cannot be decrypted on this workstation.</translation>
    </message>
    <message>
        <source>age1… で始まる公開鍵を 1 行に 1 つ</source>
        <translation>One public key starting with age1… per line</translation>
    </message>
    <message>
        <source>ファイルから読み込む…</source>
        <translation>Read from a file…</translation>
    </message>
    <message>
        <source>証拠管理担当から受け取った org-recipient.txt を選べます。</source>
        <translation>You can choose the org-recipient.txt received from the evidence officer.</translation>
    </message>
    <message>
        <source>待機中もマイクを開いておく</source>
        <translation>Keep the microphone open while idle</translation>
    </message>
    <message>
        <source>録音開始の瞬間から録音できます。音声はメモリ内だけで扱い保存しませんが、パソコンのマイク使用中の表示は点灯したままになります。</source>
        <translation>Recording starts the moment Start is pressed. The sound is only held in memory and never saved, but the PC shows the microphone as in use the whole time.</translation>
    </message>
    <message>
        <source> 秒</source>
        <translation> s</translation>
    </message>
    <message>
        <source>しない</source>
        <translation>Off</translation>
    </message>
    <message>
        <source>録音開始を押す前の数秒間（最大 60 秒）も録音の初めに含めます。待機中の音声はメモリ内だけにあり、録音しなければ消えます。</source>
        <translation>Include the seconds before Start is pressed (up to 60) at the beginning of the recording. While idle the sound is only in memory and is gone unless a recording starts.</translation>
    </message>
    <message>
        <source>組織の公開鍵（受取人）:</source>
        <translation>Organisation public keys (recipients):</translation>
    </message>
    <message>
        <source>端末名:</source>
        <translation>Workstation name:</translation>
    </message>
    <message>
        <source>職員名:</source>
        <translation>Staff name:</translation>
    </message>
    <message>
        <source>所属:</source>
        <translation>Department:</translation>
    </message>
    <message>
        <source>マイク:</source>
        <translation>Microphone:</translation>
    </message>
    <message>
        <source>事前録音:</source>
        <translation>Pre-event buffer:</translation>
    </message>
    <message>
        <source>保存して録音を使えるようにする</source>
        <translation>Save and enable recording</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>受取人ファイルを選ぶ</source>
        <translation>Choose a recipient file</translation>
    </message>
    <message>
        <source>受取人ファイル (*.txt);;すべてのファイル (*)</source>
        <translation>Recipient files (*.txt);;All files (*)</translation>
    </message>
    <message>
        <source>組織の公開鍵が正しくありません。age1 で始まる公開鍵（org-recipient.txt の中身）をそのまま貼り付けてください。何も保存していません。</source>
        <translation>The organisation public key is not valid. Paste the public key starting with age1 (the content of org-recipient.txt) exactly as it is. Nothing was saved.</translation>
    </message>
    <message>
        <source>組織の公開鍵（age1…）を 1 つ以上入力してください。何も保存していません。</source>
        <translation>Enter at least one organisation public key (age1…). Nothing was saved.</translation>
    </message>
    <message>
        <source>端末名を入力してください。何も保存していません。</source>
        <translation>Enter the workstation name. Nothing was saved.</translation>
    </message>
    <message>
        <source>設定を保存できませんでした（%1）。データフォルダの空き容量と権限を確かめてください。</source>
        <translation>The setup could not be saved (%1). Check the free space and permissions of the data folder.</translation>
    </message>
    <message>
        <source>設定を保存できませんでした。詳しくはログを確認してください。</source>
        <translation>The setup could not be saved. See the log for details.</translation>
    </message>
</context>
<context>
    <name>SingleInstance</name>
    <message>
        <source>カスハラ録音</source>
        <translation>Kasuhara Recorder</translation>
    </message>
    <message>
        <source>カスハラ録音はこのパソコンで既に起動しています。タスクバーのカスハラ録音のウィンドウを使ってください。見つからない場合は、少し待ってからもう一度起動してください。</source>
        <translation>Kasuhara Recorder is already running on this PC. Use its window in the taskbar. If you cannot find it, wait a moment and start it again.</translation>
    </message>
</context>
<context>
    <name>StatisticsView</name>
    <message>
        <source>統計（方針の見直し用）</source>
        <translation>Statistics (policy review)</translation>
    </message>
    <message>
        <source>すべての所属</source>
        <translation>All departments</translation>
    </message>
    <message>
        <source>集計</source>
        <translation>Count</translation>
    </message>
    <message>
        <source>発生日:</source>
        <translation>Occurred:</translation>
    </message>
    <message>
        <source>所属:</source>
        <translation>Department:</translation>
    </message>
    <message>
        <source>§3 分類別の件数</source>
        <translation>Incidents by §3 category</translation>
    </message>
    <message>
        <source>月別の件数</source>
        <translation>Incidents by month</translation>
    </message>
    <message>
        <source>画像をコピー</source>
        <translation>Copy image</translation>
    </message>
    <message>
        <source>グラフを画像としてクリップボードにコピーします</source>
        <translation>Copies the chart to the clipboard as an image</translation>
    </message>
    <message>
        <source>印刷/PDF…</source>
        <translation>Print/PDF…</translation>
    </message>
    <message>
        <source>事案一覧の書き出し（音声なし）</source>
        <translation>Incident list (no audio)</translation>
    </message>
    <message>
        <source>個人情報を含める（記録されます）</source>
        <translation>Include personal data (audited)</translation>
    </message>
    <message>
        <source>CSV / Excel に書き出す…</source>
        <translation>Write CSV / Excel…</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>終了日が開始日より前です。</source>
        <translation>The end date is before the start date.</translation>
    </message>
    <message>
        <source>中央保管庫（全端末）</source>
        <translation>central store (every PC)</translation>
    </message>
    <message>
        <source>この端末</source>
        <translation>this PC</translation>
    </message>
    <message>
        <source>発生日 %1 〜 %2 ／ %3 ／ 集計元: %4</source>
        <translation>Occurred %1 – %2 / %3 / counted from: %4</translation>
    </message>
    <message>
        <source>事案 %1 件</source>
        <translation>%1 incidents</translation>
    </message>
    <message>
        <source>件数</source>
        <translation>Incidents</translation>
    </message>
    <message>
        <source>統計を PDF に保存</source>
        <translation>Save the statistics as PDF</translation>
    </message>
    <message>
        <source>PDF (*.pdf)</source>
        <translation>PDF (*.pdf)</translation>
    </message>
    <message>
        <source>事案一覧の書き出し</source>
        <translation>Incident list</translation>
    </message>
    <message>
        <source>Excel (*.xlsx);;CSV (*.csv)</source>
        <translation>Excel (*.xlsx);;CSV (*.csv)</translation>
    </message>
    <message>
        <source>事案 %1 件を書き出しました: %2</source>
        <translation>Wrote %1 incidents: %2</translation>
    </message>
</context>
<context>
    <name>SubmitConfirm</name>
    <message>
        <source>事案票の提出</source>
        <translation>Submit the incident form</translation>
    </message>
    <message>
        <source>この事案票を提出しますか？</source>
        <translation>Submit this incident form?</translation>
    </message>
    <message>
        <source>提出すると所属長の確認に回り、この画面では内容を変更できなくなります（添付ファイルと録音はあとからでも追加できます）。
まだ書き足す場合は「キャンセル」を押してください。下書きのまま残ります。</source>
        <translation>Once submitted, the form goes to your supervisor for review and can no longer be changed here (attachments and recordings can still be added later).
If you still want to add something, press Cancel: the form stays a draft.</translation>
    </message>
    <message>
        <source>確認事項が %1 件あります（黄色の表示）。提出はできますが、内容を確かめてください。</source>
        <translation>There are %1 points to check (shown in yellow). You can submit, but please check them first.</translation>
    </message>
    <message>
        <source>提出する</source>
        <translation>Submit</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
</context>
<context>
    <name>SyncStatusLine</name>
    <message>
        <source>中央保管庫: 確認しています…</source>
        <translation>Central store: checking…</translation>
    </message>
    <message>
        <source>同期に失敗しました。詳しくはログを確認してください。</source>
        <translation>The sync failed. See the log for details.</translation>
    </message>
    <message>
        <source>まだ一度も接続していません</source>
        <translation>never connected yet</translation>
    </message>
    <message>
        <source>最後の接続から %1 時間</source>
        <translation>%1 h since the last contact</translation>
    </message>
    <message>
        <source>中央保管庫: 未接続 — %1。この端末の記録はこの PC のディスクにしかありません</source>
        <translation>Central store: not connected — %1. This PC&apos;s records are only on this PC&apos;s disk</translation>
    </message>
    <message>
        <source>まだ接続していません</source>
        <translation>not connected yet</translation>
    </message>
    <message>
        <source>最終接続 %1</source>
        <translation>last contact %1</translation>
    </message>
    <message>
        <source>中央保管庫: 送信待ち %1 件（%2）</source>
        <translation>Central store: %1 waiting to be sent (%2)</translation>
    </message>
    <message>
        <source>中央保管庫: 同期済み（%1）</source>
        <translation>Central store: synced (%1)</translation>
    </message>
    <message>
        <source>中央保管庫の警告</source>
        <translation>Central store warning</translation>
    </message>
    <message>
        <source>録音はこのまま続けられます。記録はこの端末に保存されています。</source>
        <translation>You can keep recording. The records are kept on this PC.</translation>
    </message>
</context>
<context>
    <name>TagPanel</name>
    <message>
        <source>時刻</source>
        <translation>Time</translation>
    </message>
    <message>
        <source>区分</source>
        <translation>Category</translation>
    </message>
    <message>
        <source>メモ</source>
        <translation>Note</translation>
    </message>
    <message>
        <source>メモ欄をダブルクリックすると書き込めます（停止後も編集できます）</source>
        <translation>Double-click a note to write it (editable after stopping too)</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message>
        <source>ウィンドウを表示</source>
        <translation>Show window</translation>
    </message>
    <message>
        <source>カスハラ録音：録音中</source>
        <translation>Kasuhara Recorder: recording</translation>
    </message>
    <message>
        <source>カスハラ録音：待機中</source>
        <translation>Kasuhara Recorder: ready</translation>
    </message>
</context>
<context>
    <name>UnlockDialog</name>
    <message>
        <source>組織の鍵を開く</source>
        <translation>Unlock the organisation key</translation>
    </message>
    <message>
        <source>録音を再生するには、証拠管理担当者が組織の鍵ファイルとパスフレーズを入力してください。鍵はこのアプリの中だけで開き、しばらく操作がないと自動で閉じます。</source>
        <translation>To play recordings, the evidence officer enters the organisation key file and its passphrase. The key is opened inside this app only and locks itself after a while without use.</translation>
    </message>
    <message>
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>鍵を開く</source>
        <translation>Unlock</translation>
    </message>
    <message>
        <source>キャンセル</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>組織の鍵ファイル:</source>
        <translation>Organisation key file:</translation>
    </message>
    <message>
        <source>パスフレーズ:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>組織の鍵ファイルを選ぶ</source>
        <translation>Choose the organisation key file</translation>
    </message>
    <message>
        <source>組織の鍵 (*.age);;すべてのファイル (*)</source>
        <translation>Organisation key (*.age);;All files (*)</translation>
    </message>
    <message>
        <source>鍵ファイルとパスフレーズを入力してください。</source>
        <translation>Enter the key file and the passphrase.</translation>
    </message>
    <message>
        <source>鍵を開いています…</source>
        <translation>Unlocking the key…</translation>
    </message>
</context>
<context>
    <name>UnlockFailure</name>
    <message>
        <source>パスフレーズが違います。入力し直してください。（大文字・小文字や、キーボードの入力モードを確かめてください。）</source>
        <translation>Wrong passphrase. Enter it again. (Check upper/lower case and the keyboard&apos;s input mode.)</translation>
    </message>
    <message>
        <source>失敗した解錠は監査ログに記録されます（このファイルで続けて %1 回目）。</source>
        <translation>Failed unlocks are recorded in the audit log (attempt %1 in a row on this file).</translation>
    </message>
    <message>
        <source>選んだファイルは組織の鍵ファイルではないか、壊れています。org-identity.age を選び直してください。</source>
        <translation>The chosen file is not an organisation key file, or it is damaged. Choose org-identity.age again.</translation>
    </message>
    <message>
        <source>鍵を開けませんでした。詳しくはログを確認してください。</source>
        <translation>The key could not be unlocked. See the log for details.</translation>
    </message>
</context>
<context>
    <name>UnlockPage</name>
    <message>
        <source>組織の鍵を開く</source>
        <translation>Unlock the organisation key</translation>
    </message>
    <message>
        <source>録音を復号するため、証拠管理担当者が組織の鍵ファイルとパスフレーズを入力してください。</source>
        <translation>To decrypt the recordings, the evidence officer enters the organisation key file and its passphrase.</translation>
    </message>
    <message>
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>組織の鍵ファイル:</source>
        <translation>Organisation key file:</translation>
    </message>
    <message>
        <source>パスフレーズ:</source>
        <translation>Passphrase:</translation>
    </message>
    <message>
        <source>組織の鍵ファイルを選ぶ</source>
        <translation>Choose the organisation key file</translation>
    </message>
    <message>
        <source>組織の鍵 (*.age);;すべてのファイル (*)</source>
        <translation>Organisation keys (*.age);;All files (*)</translation>
    </message>
    <message>
        <source>鍵を開いています…</source>
        <translation>Unlocking the key…</translation>
    </message>
    <message>
        <source>鍵を開きました。</source>
        <translation>The key is unlocked.</translation>
    </message>
</context>
<context>
    <name>VerifyDialog</name>
    <message>
        <source>証拠パッケージを検証する</source>
        <translation>Verify evidence bundle</translation>
    </message>
    <message>
        <source>受け取った、または書き出した証拠パッケージ（ZIP）が改ざんされていないか確かめます。ZIP は展開せずにそのまま調べます。</source>
        <translation>Checks that a received or exported evidence bundle (ZIP) has not been altered. The ZIP is read as it is, without unpacking it.</translation>
    </message>
    <message>
        <source>参照…</source>
        <translation>Browse…</translation>
    </message>
    <message>
        <source>検証する</source>
        <translation>Verify</translation>
    </message>
    <message>
        <source>ファイル</source>
        <translation>File</translation>
    </message>
    <message>
        <source>結果</source>
        <translation>Result</translation>
    </message>
    <message>
        <source>閉じる</source>
        <translation>Close</translation>
    </message>
    <message>
        <source>証拠パッケージを選ぶ</source>
        <translation>Choose an evidence bundle</translation>
    </message>
    <message>
        <source>ZIP ファイル (*.zip);;すべてのファイル (*)</source>
        <translation>ZIP files (*.zip);;All files (*)</translation>
    </message>
    <message>
        <source>検証しています…</source>
        <translation>Verifying…</translation>
    </message>
    <message>
        <source>問題はありません。%1 個のファイルすべてが一致し、署名も正しいことを確かめました（確認 %2 件）。</source>
        <translation>No problems found. All %1 files match and the signatures are valid (%2 checks).</translation>
    </message>
    <message>
        <source>改ざんまたは欠落が見つかりました。%3 個のファイルで確認に失敗しました。このパッケージを証拠として使わず、送り主に連絡してください。</source>
        <translation>Alterations or missing files found: %3 files failed a check. Do not use this bundle as evidence; contact the sender.</translation>
    </message>
    <message>
        <source>事案: %1</source>
        <translation>Incident: %1</translation>
    </message>
    <message>
        <source>次の 2 つの値を、送付元から別の手段（電話・文書など）で伝えられた値と照合してください。
署名鍵のフィンガープリント:
%1
ZIP ファイルの SHA-256:
%2</source>
        <translation>Compare these two values with those the sender told you by another channel (phone, letter).
Signing key fingerprint:
%1
SHA-256 of the ZIP file:
%2</translation>
    </message>
    <message>
        <source>OK</source>
        <translation>OK</translation>
    </message>
    <message>
        <source>このファイルは証拠パッケージとして検証できません。</source>
        <translation>This file cannot be verified as an evidence bundle.</translation>
    </message>
    <message>
        <source>ファイルを読み込めません（%1）。</source>
        <translation>Cannot read the file (%1).</translation>
    </message>
    <message>
        <source>予期しないエラーで検証できませんでした。詳しくはログを確認してください。</source>
        <translation>Verification failed with an unexpected error. See the log for details.</translation>
    </message>
</context>
<context>
    <name>WhenWhereSection</name>
    <message>
        <source>いつ・どこで</source>
        <translation>When and where</translation>
    </message>
    <message>
        <source>（選んでください）</source>
        <translation>(choose)</translation>
    </message>
    <message>
        <source>庁舎内（方針 4(2)：面談は原則として庁舎等で行う）</source>
        <translation>At the office (§4(2): meetings are held at the office in principle)</translation>
    </message>
    <message>
        <source>例：1階 市民課窓口 3番</source>
        <translation>e.g. 1st floor, Citizens&apos; Division counter 3</translation>
    </message>
    <message>
        <source>例：市民課 住民係</source>
        <translation>e.g. Citizens&apos; Division, Residents Section</translation>
    </message>
    <message>
        <source>開始から終了まで録音した（方針 4(2)）</source>
        <translation>Recorded from start to end (§4(2))</translation>
    </message>
    <message>
        <source>発生日時</source>
        <translation>Date and time</translation>
    </message>
    <message>
        <source>対応時間</source>
        <translation>Duration</translation>
    </message>
    <message>
        <source>場所</source>
        <translation>Place</translation>
    </message>
    <message>
        <source>場所の詳細</source>
        <translation>Place details</translation>
    </message>
    <message>
        <source>所属</source>
        <translation>Department</translation>
    </message>
</context>
<context>
    <name>WorkstationPage</name>
    <message>
        <source>端末</source>
        <translation>Workstation</translation>
    </message>
    <message>
        <source>この端末の名前と、使う職員の所属・名前を入力してください。</source>
        <translation>Enter this workstation&apos;s name, and the department and name of the staff who use it.</translation>
    </message>
    <message>
        <source>端末名:</source>
        <translation>Workstation name:</translation>
    </message>
    <message>
        <source>所属:</source>
        <translation>Department:</translation>
    </message>
    <message>
        <source>職員名:</source>
        <translation>Staff name:</translation>
    </message>
    <message>
        <source>端末名は録音の証明（署名）と監査記録に記録されます。所属は事案票に入ります。</source>
        <translation>The workstation name goes into each recording&apos;s signed proof and the audit trail. The department goes into incident forms.</translation>
    </message>
    <message>
        <source>端末名を入力してください。</source>
        <translation>Enter the workstation name.</translation>
    </message>
    <message>
        <source>所属を入力してください（例: 市民課 住民係）。</source>
        <translation>Enter the department (e.g. Citizens Division, Residents Section).</translation>
    </message>
</context>
</TS>
