; Kasuhara Recorder — the Windows installer (Inno Setup 6.3 or later; packaging/windows/README.md).
;
; Per-machine: installed by an administrator (or IT's deployment tool, silently) into
; Program Files, for every user of the PC. IT's settings for the PC go into
; %ProgramData%\Kasuhara Recorder\machine.json through the installed CLI
; (kasuhara-recorder.exe machine-settings set), which checks them; a failure fails the install.
; The uninstaller removes the program only: each user's data (%LOCALAPPDATA%\kasuhara-recorder,
; the recordings and the audit chain) and machine.json are evidence and settings, never deleted.
;
; Build (from the repository root, after pyinstaller packaging/kasuhara-recorder.spec):
;   iscc /DAppVersion=0.1.0 packaging\windows\kasuhara-recorder.iss
; Silent install:
;   KasuharaRecorder-0.1.0-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /LOG="C:\Temp\kasuhara-setup.log"
;     /ORGRECIPIENT="age1…[;age1…]" /CENTRAL="postgresql://LOGIN@HOST/DB" /DEPARTMENT="市民課"
;     [/TSAURL="https://tsa.example/" /TSACA="C:\certs\tsa-ca.pem"]

#if Ver < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or later is needed (ExecAndLogOutput, x64compatible)
#endif

#ifndef DistDir
  #define DistDir "..\..\dist\kasuhara-recorder"
#endif
#ifndef AppVersion
  ; the version resource PyInstaller wrote into the CLI
  #define AppVersion GetVersionNumbersString(AddBackslash(SourcePath) + DistDir + "\kasuhara-recorder.exe")
#endif

[Setup]
; Fixed for ever: Windows knows the installed app (upgrade, uninstall) by this id.
AppId={{9A204D51-7461-4E96-8082-7100263B68A3}
AppName=Kasuhara Recorder
AppVerName=Kasuhara Recorder {#AppVersion}
AppVersion={#AppVersion}
AppPublisher=Kasuhara Recorder project
VersionInfoVersion={#AppVersion}
VersionInfoProductName=Kasuhara Recorder
VersionInfoDescription=Kasuhara Recorder Setup
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
DefaultDirName={autopf}\Kasuhara Recorder
DisableProgramGroupPage=yes
UninstallDisplayName=Kasuhara Recorder (カスハラ録音)
UninstallDisplayIcon={app}\KasuharaRecorder.exe
OutputDir=..\..\dist
OutputBaseFilename=KasuharaRecorder-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Always a log (%TEMP%\Setup Log *.txt, or /LOG="file"): IT reads why an install failed there.
SetupLogging=yes
UninstallLogging=yes
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "ja"; MessagesFile: "compiler:Languages\Japanese.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
ja.MachinePageTitle=端末共通の設定
en.MachinePageTitle=Settings for every user of this PC
ja.MachinePageDescription=情報システム担当が決める、この PC の全利用者に共通の設定です。
en.MachinePageDescription=What IT decides for every user of this PC.
ja.MachinePageText=証拠管理担当から受け取った組織の公開鍵（age1…、複数は ; で区切る）を入力してください。録音はこの公開鍵あてに暗号化され、この PC では復号できません。所属と中央保管庫は、決まっていなければ空欄のままにします。
en.MachinePageText=Enter the organisation recipient the evidence officer gave (age1…; several separated by ;). Recordings are encrypted to it and cannot be decrypted on this PC. Leave the department and central store empty if they are not decided.
ja.RecipientPrompt=組織の公開鍵（age1…）:
en.RecipientPrompt=Organisation recipient (age1…):
ja.DepartmentPrompt=所属（例: 市民課）:
en.DepartmentPrompt=Department (e.g. 市民課):
ja.CentralPrompt=中央保管庫（postgresql://LOGIN@HOST/DB、パスワードは書かない）:
en.CentralPrompt=Central store (postgresql://LOGIN@HOST/DB, no password):
ja.RecipientNeeded=組織の公開鍵（age1…）を入力してください。
en.RecipientNeeded=Enter the organisation recipient (age1…).
ja.BadSetting=設定 %1 が正しくありません: %2
en.BadSetting=Setting %1 is not valid: %2
ja.MachineSettingsFailed=端末共通の設定を書き込めませんでした（終了コード %1）。理由はセットアップのログにあります。
en.MachineSettingsFailed=The machine-wide settings could not be written (exit code %1); the reason is in the setup log.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Dirs]
; machine.json's folder: readable by every user, kept by the uninstaller
Name: "{commonappdata}\Kasuhara Recorder"; Flags: uninsneveruninstall

[Files]
Source: "{#DistDir}\*"; Excludes: "\kasuhara-recorder.exe"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs
; The CLI last: every file it needs is in place when it writes IT's settings. An error there
; aborts the install (rolled back, exit code 4).
Source: "{#DistDir}\kasuhara-recorder.exe"; DestDir: "{app}"; Flags: ignoreversion; AfterInstall: ApplyMachineSettings

[Icons]
Name: "{autoprograms}\カスハラ録音"; Filename: "{app}\KasuharaRecorder.exe"; WorkingDir: "{app}"; Comment: "Kasuhara Recorder"
Name: "{autodesktop}\カスハラ録音"; Filename: "{app}\KasuharaRecorder.exe"; WorkingDir: "{app}"; Tasks: desktopicon

[Run]
; as the person who ran the installer, not elevated: the data folder is theirs
Filename: "{app}\KasuharaRecorder.exe"; Description: "{cm:LaunchProgram,カスハラ録音}"; Flags: nowait postinstall skipifsilent runasoriginaluser

; No [UninstallDelete] and no [InstallDelete]: nothing of the users' data folders nor of
; machine.json is ever deleted (tests/packaging/test_inno_script.py checks it).

[Code]
var
  MachinePage: TInputQueryWizardPage;

function MachineJson: String;
begin
  Result := ExpandConstant('{commonappdata}\Kasuhara Recorder\machine.json');
end;

{ One command-line parameter of the silent install: /NAME="value" }
function SetupParam(const Name: String): String;
begin
  Result := Trim(ExpandConstant('{param:' + Name + '|}'));
end;

{ Why a value cannot be passed on, or '' when it can: a double quote would end the
  argument early, and a control character has no place in any of them. }
function ValueProblem(const Value: String): String;
var
  I: Integer;
begin
  Result := '';
  for I := 1 to Length(Value) do
  begin
    if Value[I] = #34 then
    begin
      Result := 'contains a double quote (")';
      Exit;
    end;
    if Ord(Value[I]) < 32 then
    begin
      Result := 'contains a control character';
      Exit;
    end;
  end;
end;

{ ORGRECIPIENT="age1…;age1…" as a list; empty parts (a trailing ;) are skipped. }
function SplitRecipients(const Value: String): TArrayOfString;
var
  Rest, Part: String;
  P, N: Integer;
begin
  SetArrayLength(Result, 0);
  Rest := Value;
  while Rest <> '' do
  begin
    P := Pos(';', Rest);
    if P = 0 then
    begin
      Part := Rest;
      Rest := '';
    end else
    begin
      Part := Copy(Rest, 1, P - 1);
      Rest := Copy(Rest, P + 1, Length(Rest));
    end;
    Part := Trim(Part);
    if Part <> '' then
    begin
      N := GetArrayLength(Result);
      SetArrayLength(Result, N + 1);
      Result[N] := Part;
    end;
  end;
end;

{ A first check of every value IT passed, before anything is installed (the CLI checks them
  fully): '' when fine, else the parameter and the reason. }
function SettingsProblem(const Recipients, Central, Department, TsaUrl, TsaCa: String): String;
var
  Parts: TArrayOfString;
  I: Integer;
begin
  Result := '';
  Parts := SplitRecipients(Recipients);
  for I := 0 to GetArrayLength(Parts) - 1 do
  begin
    if ValueProblem(Parts[I]) <> '' then
      Result := 'ORGRECIPIENT: ' + ValueProblem(Parts[I])
    else if (Pos('age1', Parts[I]) <> 1) or (Pos(' ', Parts[I]) > 0) then
      Result := 'ORGRECIPIENT: expected age1… recipients separated by ;';
    if Result <> '' then
      Exit;
  end;
  if ValueProblem(Central) <> '' then
    Result := 'CENTRAL: ' + ValueProblem(Central)
  else if (Central <> '') and (Pos('postgresql://', Central) <> 1) and (Pos('postgres://', Central) <> 1) then
    Result := 'CENTRAL: expected a postgresql:// URL'
  else if ValueProblem(Department) <> '' then
    Result := 'DEPARTMENT: ' + ValueProblem(Department)
  else if ValueProblem(TsaUrl) <> '' then
    Result := 'TSAURL: ' + ValueProblem(TsaUrl)
  else if (TsaUrl <> '') and (Pos('http://', TsaUrl) <> 1) and (Pos('https://', TsaUrl) <> 1) then
    Result := 'TSAURL: expected an http(s):// URL'
  else if ValueProblem(TsaCa) <> '' then
    Result := 'TSACA: ' + ValueProblem(TsaCa)
  else if (TsaUrl = '') <> (TsaCa = '') then
    Result := 'TSAURL/TSACA: give both'
  else if (TsaCa <> '') and not FileExists(TsaCa) then
    Result := 'TSACA: no such file: ' + TsaCa
  else if ((Central <> '') or (Department <> '') or (TsaUrl <> '')) and (GetArrayLength(Parts) = 0) then
    Result := 'ORGRECIPIENT: needed with CENTRAL, DEPARTMENT or TSAURL';
end;

{ One argument, quoted for the program's command line (CommandLineToArgvW rules): backslashes
  before the closing quote are doubled, so C:\certs\ stays C:\certs\ . ValueProblem has
  refused a double quote inside. }
function CmdArg(const Value: String): String;
var
  I: Integer;
  Tail: String;
begin
  Tail := '';
  I := Length(Value);
  while (I > 0) and (Value[I] = '\') do
  begin
    Tail := Tail + '\';
    I := I - 1;
  end;
  Result := '"' + Value + Tail + '"';
end;

{ The arguments of kasuhara-recorder.exe (English messages: the setup log is read by IT and
  is not always shown in the Japanese code page). }
function MachineSettingsArgs(const Recipients: TArrayOfString; const Central, Department, TsaUrl, TsaCa: String): String;
var
  I: Integer;
begin
  Result := '--lang en machine-settings set';
  for I := 0 to GetArrayLength(Recipients) - 1 do
    Result := Result + ' --org-recipient ' + CmdArg(Recipients[I]);
  if Central <> '' then
    Result := Result + ' --central ' + CmdArg(Central);
  if Department <> '' then
    Result := Result + ' --department ' + CmdArg(Department);
  if TsaUrl <> '' then
    Result := Result + ' --tsa-url ' + CmdArg(TsaUrl);
  if TsaCa <> '' then
    Result := Result + ' --tsa-ca ' + CmdArg(TsaCa);
end;

function InitializeSetup: Boolean;
var
  Problem: String;
begin
  Problem := SettingsProblem(SetupParam('ORGRECIPIENT'), SetupParam('CENTRAL'), SetupParam('DEPARTMENT'), SetupParam('TSAURL'), SetupParam('TSACA'));
  Result := Problem = '';
  if not Result then
  begin
    { exit code 1, nothing installed; the reason in the log and, unless suppressed, on screen }
    Log('Kasuhara Recorder: refused parameter ' + Problem);
    SuppressibleMsgBox(FmtMessage(CustomMessage('BadSetting'), [Copy(Problem, 1, Pos(':', Problem) - 1), Problem]), mbCriticalError, MB_OK, IDOK);
  end;
end;

procedure InitializeWizard;
begin
  MachinePage := CreateInputQueryPage(wpSelectTasks, CustomMessage('MachinePageTitle'), CustomMessage('MachinePageDescription'), CustomMessage('MachinePageText'));
  MachinePage.Add(CustomMessage('RecipientPrompt'), False);
  MachinePage.Add(CustomMessage('DepartmentPrompt'), False);
  MachinePage.Add(CustomMessage('CentralPrompt'), False);
end;

{ Asked only when IT gave no recipient on the command line and the PC has no machine.json
  yet (an upgrade keeps the one it has). }
function ShouldSkipPage(PageID: Integer): Boolean;
begin
  Result := (PageID = MachinePage.ID) and ((SetupParam('ORGRECIPIENT') <> '') or FileExists(MachineJson));
end;

function NextButtonClick(CurPageID: Integer): Boolean;
var
  Problem: String;
begin
  Result := True;
  if CurPageID <> MachinePage.ID then
    Exit;
  if Trim(MachinePage.Values[0]) = '' then
  begin
    MsgBox(CustomMessage('RecipientNeeded'), mbError, MB_OK);
    Result := False;
    Exit;
  end;
  Problem := SettingsProblem(MachinePage.Values[0], Trim(MachinePage.Values[2]), Trim(MachinePage.Values[1]), '', '');
  if Problem <> '' then
  begin
    MsgBox(FmtMessage(CustomMessage('BadSetting'), [Copy(Problem, 1, Pos(':', Problem) - 1), Problem]), mbError, MB_OK);
    Result := False;
  end;
end;

{ After the CLI is installed: write machine.json through it. A non-zero exit aborts the
  install (exit code 4, rolled back), its output (the reason) in the setup log. }
procedure ApplyMachineSettings;
var
  Recipients, Central, Department, TsaUrl, TsaCa, Args: String;
  ResultCode: Integer;
begin
  Recipients := SetupParam('ORGRECIPIENT');
  Central := SetupParam('CENTRAL');
  Department := SetupParam('DEPARTMENT');
  TsaUrl := SetupParam('TSAURL');
  TsaCa := SetupParam('TSACA');
  if (Recipients = '') and not WizardSilent and (Trim(MachinePage.Values[0]) <> '') then
  begin
    Recipients := Trim(MachinePage.Values[0]);
    Department := Trim(MachinePage.Values[1]);
    Central := Trim(MachinePage.Values[2]);
  end;
  if Recipients = '' then
  begin
    Log('Kasuhara Recorder: no ORGRECIPIENT given; machine.json left as it is');
    Exit;
  end;
  Args := MachineSettingsArgs(SplitRecipients(Recipients), Central, Department, TsaUrl, TsaCa);
  Log('Kasuhara Recorder: kasuhara-recorder.exe ' + Args);
  if not ExecAndLogOutput(ExpandConstant('{app}\kasuhara-recorder.exe'), Args, ExpandConstant('{app}'), SW_SHOWNORMAL, ewWaitUntilTerminated, ResultCode, nil) then
  begin
    Log('Kasuhara Recorder: could not run kasuhara-recorder.exe: ' + SysErrorMessage(ResultCode));
    RaiseException(FmtMessage(CustomMessage('MachineSettingsFailed'), [IntToStr(ResultCode)]));
  end;
  if ResultCode <> 0 then
  begin
    Log('Kasuhara Recorder: machine-settings set failed with exit code ' + IntToStr(ResultCode));
    RaiseException(FmtMessage(CustomMessage('MachineSettingsFailed'), [IntToStr(ResultCode)]));
  end;
  Log('Kasuhara Recorder: machine-wide settings written to ' + MachineJson);
end;
