<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Qt's own strings that qtbase_ja.qm (shipped with PySide6) lacks: the file dialog's labels
     with their mnemonics. Loaded after qtbase_ja by kasuhara_recorder/ui/i18n.py, so Qt's
     standard dialogs are wholly Japanese. tests/ui/test_file_dialog.py checks the dialog. -->
<TS version="2.1" language="ja_JP" sourcelanguage="en_US">
<context>
    <name>QFileDialog</name>
    <message>
        <source>&amp;Look in:</source>
        <translation>場所(&amp;L):</translation>
    </message>
    <message>
        <source>Files of &amp;type:</source>
        <translation>ファイルの種類(&amp;T):</translation>
    </message>
    <message>
        <source>File &amp;name:</source>
        <translation>ファイル名(&amp;N):</translation>
    </message>
</context>
</TS>
