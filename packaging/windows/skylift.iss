; Inno Setup script for the Windows installer (not built in CI: Inno Setup runs on Windows only).
; Build the PyInstaller folder first (see ../windows.md), then:  iscc packaging\windows\skylift.iss
; Per-user install by default (no admin rights); the dialog offers "all users".

#define AppName "Skylift"
#define AppVersion "0.1.0"
#define AppId "io.github.skylift.Skylift"

[Setup]
AppId={#AppId}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=The Skylift developers
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=Skylift-{#AppVersion}-setup
SetupIconFile=..\..\build\icons\skylift.ico
UninstallDisplayIcon={app}\skylift.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesInstallIn64BitMode=x64compatible
ChangesAssociations=yes

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
; The whole one-folder bundle (skylift.exe and _internal\).
Source: "..\..\dist\Skylift\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
; AppUserModelID ties taskbar grouping and toast notifications to the app id.
Name: "{group}\{#AppName}"; Filename: "{app}\skylift.exe"; AppUserModelID: "{#AppId}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\skylift.exe"; AppUserModelID: "{#AppId}"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Registry]
; "Open with > Skylift" for any file: Explorer starts one skylift.exe per selected file, and each
; hands its file to the running window (single instance) and exits.
Root: HKA; Subkey: "Software\Classes\Applications\skylift.exe"; ValueType: string; ValueName: "FriendlyAppName"; ValueData: "{#AppName}"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Applications\skylift.exe\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\skylift.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\*\OpenWithList\skylift.exe"; Flags: uninsdeletekey
; "Upload with Skylift" on folders.
Root: HKA; Subkey: "Software\Classes\Directory\shell\Skylift"; ValueType: string; ValueName: ""; ValueData: "Upload with Skylift"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\Directory\shell\Skylift"; ValueType: string; ValueName: "Icon"; ValueData: """{app}\skylift.exe"""
Root: HKA; Subkey: "Software\Classes\Directory\shell\Skylift\command"; ValueType: string; ValueName: ""; ValueData: """{app}\skylift.exe"" ""%1"""

[Run]
Filename: "{app}\skylift.exe"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent
