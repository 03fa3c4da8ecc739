<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../../gui/app.py" line="89"/>
        <source>{destination} (command line)</source>
        <translation>{destination}（命令行）</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="148"/>
        <source>Skylift ran into an unexpected error.</source>
        <translation>Skylift 遇到了意外错误。</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="150"/>
        <source>{error}

Uploads continue; the details are in the log.</source>
        <translation>{error}

上传会继续进行；详细信息见日志。</translation>
    </message>
    <message>
        <location filename="../../gui/app.py" line="252"/>
        <location filename="../../gui/app.py" line="306"/>
        <source>Skylift cannot start: {error}</source>
        <translation>Skylift 无法启动：{error}</translation>
    </message>
</context>
<context>
    <name>BatchSummary</name>
    <message>
        <location filename="../../gui/background.py" line="59"/>
        <source>Uploads finished with errors</source>
        <translation>上传已结束，但有错误</translation>
    </message>
    <message>
        <location filename="../../gui/background.py" line="61"/>
        <source>Uploads cancelled</source>
        <translation>上传已取消</translation>
    </message>
    <message>
        <location filename="../../gui/background.py" line="62"/>
        <source>Uploads finished</source>
        <translation>上传已完成</translation>
    </message>
</context>
<context>
    <name>CollectedFiles</name>
    <message>
        <location filename="../../gui/walker.py" line="65"/>
        <source>{path}: {reason}</source>
        <translation>{path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="71"/>
        <source>… and {count} more</source>
        <translation>……以及另外 {count} 项</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="26"/>
        <source>cannot read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="20"/>
        <source>no such file or folder</source>
        <translation>文件或文件夹不存在</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="22"/>
        <source>cannot read folder</source>
        <translation>无法读取文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="23"/>
        <source>not a regular file</source>
        <translation>不是普通文件</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="24"/>
        <source>broken symbolic link</source>
        <translation>符号链接已失效</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="25"/>
        <source>symbolic link loop</source>
        <translation>符号链接循环</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="31"/>
        <source>named pipe</source>
        <translation>命名管道</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="32"/>
        <source>socket</source>
        <translation>套接字</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="33"/>
        <source>character device</source>
        <translation>字符设备</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="34"/>
        <source>block device</source>
        <translation>块设备</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="35"/>
        <source>unknown file type</source>
        <translation>未知文件类型</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="56"/>
        <source>{reason} ({detail})</source>
        <translation>{reason}（{detail}）</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="21"/>
        <source>permission denied</source>
        <translation>权限不足</translation>
    </message>
</context>
<context>
    <name>DestinationsDialog</name>
    <message>
        <location filename="../../gui/destinations.py" line="70"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="71"/>
        <source>Bearer token</source>
        <translation>Bearer 令牌</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="72"/>
        <source>User and password (Basic)</source>
        <translation>用户名和密码（Basic）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="73"/>
        <source>Token in a header</source>
        <translation>请求头中的令牌</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="217"/>
        <source>line {number}: expected &apos;Name: value&apos;, got {line}</source>
        <translation>第 {number} 行：应为“名称: 值”，实际为 {line}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="236"/>
        <source>line {number}: expected &apos;key=value&apos;, got {line}</source>
        <translation>第 {number} 行：应为“键=值”，实际为 {line}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="248"/>
        <source>The system keyring cannot be used, so the destination&apos;s token or password cannot be stored or read ({problem}). Start or unlock a keyring service (GNOME Keyring, KWallet, macOS Keychain or Windows Credential Manager) and try again.</source>
        <translation>无法使用系统密钥环，因此无法保存或读取该目标的令牌或密码（{problem}）。请启动或解锁密钥环服务（GNOME 密钥环、KWallet、macOS 钥匙串或 Windows 凭据管理器）后重试。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="337"/>
        <source>Form upload (multipart/form-data)</source>
        <translation>表单上传（multipart/form-data）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="338"/>
        <source>Raw file body (PUT to a folder URL)</source>
        <translation>原始文件内容（PUT 到文件夹 URL）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="339"/>
        <source>tus resumable upload</source>
        <translation>tus 可续传上传</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="342"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="353"/>
        <location filename="../../gui/destinations.py" line="365"/>
        <location filename="../../gui/destinations.py" line="613"/>
        <source>Destinations</source>
        <translation>上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="366"/>
        <source>Add a destination</source>
        <translation>添加上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="367"/>
        <source>Remove the selected destination</source>
        <translation>删除所选的上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="381"/>
        <source>My server</source>
        <translation>我的服务器</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="390"/>
        <source>key=value, one per line</source>
        <translation>键=值，每行一个</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="392"/>
        <source>Name: value, one per line (no credentials here)</source>
        <translation>名称: 值，每行一个（不要在此填写凭据）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="398"/>
        <source> KiB/s</source>
        <translation> KiB/s</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="399"/>
        <source>Unlimited</source>
        <translation>不限速</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="406"/>
        <source>Stored in the system keyring, never in Skylift&apos;s files.</source>
        <translation>保存在系统密钥环中，绝不写入 Skylift 的文件。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="412"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="413"/>
        <source>&amp;URL:</source>
        <translation>URL(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="414"/>
        <source>&amp;Protocol:</source>
        <translation>协议(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="415"/>
        <source>&amp;Method:</source>
        <translation>方法(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="416"/>
        <source>&amp;Field name:</source>
        <translation>字段名(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="417"/>
        <source>F&amp;orm fields:</source>
        <translation>表单字段(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="418"/>
        <source>&amp;Headers:</source>
        <translation>请求头(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="419"/>
        <source>&amp;Concurrent uploads:</source>
        <translation>同时上传数(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="420"/>
        <source>&amp;Bandwidth limit:</source>
        <translation>带宽限制(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="421"/>
        <source>&amp;Authentication:</source>
        <translation>身份验证(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="422"/>
        <source>U&amp;ser:</source>
        <translation>用户名(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="423"/>
        <source>Header nam&amp;e:</source>
        <translation>请求头名称(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="424"/>
        <location filename="../../gui/destinations.py" line="529"/>
        <source>&amp;Token:</source>
        <translation>令牌(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="462"/>
        <source>New destination</source>
        <translation>新的上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="509"/>
        <location filename="../../gui/destinations.py" line="596"/>
        <source>unchanged (stored in the keyring)</source>
        <translation>未更改（已保存在密钥环中）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="529"/>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="536"/>
        <source>Give the destination a name.</source>
        <translation>请为上传目标起一个名称。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="538"/>
        <source>The URL must start with http:// or https://.</source>
        <translation>URL 必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="540"/>
        <source>The URL has no host name.</source>
        <translation>URL 中没有主机名。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="544"/>
        <source>Headers, {problem}</source>
        <translation>请求头，{problem}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="549"/>
        <source>The header {name} looks like a credential. Headers are saved in plain text: choose an Authentication method instead, so that the secret goes to the keyring.</source>
        <translation>请求头 {name} 看起来是凭据。请求头以明文保存：请改为选择一种身份验证方式，这样密钥会保存到密钥环中。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="556"/>
        <source>Form fields, {problem}</source>
        <translation>表单字段，{problem}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="560"/>
        <source>Enter the name of the header that carries the token.</source>
        <translation>请输入携带令牌的请求头名称。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations.py" line="627"/>
        <source>Two destinations are called {name}; names must be different.</source>
        <translation>有两个上传目标都叫 {name}；名称不能重复。</translation>
    </message>
</context>
<context>
    <name>DetailsDialog</name>
    <message>
        <location filename="../../gui/details.py" line="34"/>
        <source>{name} — Details</source>
        <translation>{name} — 详细信息</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="49"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="50"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="51"/>
        <source>{size} ({count} bytes)</source>
        <translation>{size}（{count} 字节）</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="54"/>
        <source>Size:</source>
        <translation>大小：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="55"/>
        <source>Destination:</source>
        <translation>上传目标：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="56"/>
        <source>Protocol:</source>
        <translation>协议：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="57"/>
        <source>State:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="58"/>
        <source>{sent} of {total}</source>
        <translation>{sent} / {total}</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="61"/>
        <source>Sent:</source>
        <translation>已发送：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="62"/>
        <source>Attempts:</source>
        <translation>尝试次数：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="63"/>
        <source>Added:</source>
        <translation>添加时间：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="64"/>
        <source>Finished:</source>
        <translation>完成时间：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="66"/>
        <source>HTTP status:</source>
        <translation>HTTP 状态：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="67"/>
        <source>Error:</source>
        <translation>错误：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="71"/>
        <source>Returned URL:</source>
        <translation>返回的 URL：</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="77"/>
        <source>No response from the server yet.</source>
        <translation>服务器尚未响应。</translation>
    </message>
    <message>
        <location filename="../../gui/details.py" line="83"/>
        <source>Server &amp;response:</source>
        <translation>服务器响应(&amp;R)：</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../gui/formatting.py" line="36"/>
        <source>1 byte</source>
        <translation>1 字节</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="37"/>
        <source>{count} bytes</source>
        <translation>{count} 字节</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="58"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="62"/>
        <source>{days} days</source>
        <translation>{days} 天</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="71"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="73"/>
        <source>interrupted, queued</source>
        <translation>已中断，排队中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="75"/>
        <source> — restarts from 0</source>
        <translation> — 将从头开始</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="76"/>
        <source> (stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="78"/>
        <source>uploading</source>
        <translation>上传中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="80"/>
        <source>server processing</source>
        <translation>服务器处理中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="83"/>
        <source>retrying</source>
        <translation>正在重试</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="85"/>
        <source>retrying in {seconds} s</source>
        <translation>{seconds} 秒后重试</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="88"/>
        <source>paused — restarts from 0</source>
        <translation>已暂停 — 将从头开始</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="89"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="91"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="94"/>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="95"/>
        <source>failed: {reason}</source>
        <translation>失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="97"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="115"/>
        <source>No files uploaded</source>
        <translation>没有上传任何文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="116"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="122"/>
        <source>{count} file uploaded</source>
        <translation>已上传 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="123"/>
        <source>{count} files uploaded</source>
        <translation>已上传 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="126"/>
        <source>{count} file failed</source>
        <translation>{count} 个文件失败</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="127"/>
        <source>{count} files failed</source>
        <translation>{count} 个文件失败</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="130"/>
        <source>{count} file cancelled</source>
        <translation>已取消 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="131"/>
        <source>{count} files cancelled</source>
        <translation>已取消 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="135"/>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="136"/>
        <source>{count} cancelled</source>
        <translation>{count} 个已取消</translation>
    </message>
</context>
<context>
    <name>FreedesktopNotifier</name>
    <message>
        <location filename="../../gui/notifications.py" line="218"/>
        <source>Show Skylift</source>
        <translation>显示 Skylift</translation>
    </message>
</context>
<context>
    <name>LogSetup</name>
    <message>
        <location filename="../../gui/logging_setup.py" line="240"/>
        <source>Show &amp;Log</source>
        <translation>显示日志(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/logging_setup.py" line="243"/>
        <source>Open Skylift&apos;s log file</source>
        <translation>打开 Skylift 的日志文件</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/main_window.py" line="96"/>
        <source>Upload queue</source>
        <translation>上传队列</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="157"/>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="161"/>
        <source>Choose files to upload</source>
        <translation>选择要上传的文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="165"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="169"/>
        <source>Choose a folder to upload with everything in it</source>
        <translation>选择一个文件夹，上传其中的全部内容</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="173"/>
        <source>Destinations…</source>
        <translation>上传目标…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="177"/>
        <source>Define where uploads go</source>
        <translation>设置文件上传到哪里</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="181"/>
        <location filename="../../gui/main_window.py" line="733"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="188"/>
        <source>Pause all</source>
        <translation>全部暂停</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="192"/>
        <source>Pause every upload</source>
        <translation>暂停所有上传</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="196"/>
        <source>Resume all</source>
        <translation>全部继续</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="200"/>
        <source>Resume paused uploads and continue a stopped queue</source>
        <translation>继续已暂停的上传，并恢复已停止的队列</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="204"/>
        <source>Stop after running</source>
        <translation>当前完成后停止</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="208"/>
        <source>Stop after running uploads: they finish, queued ones wait until you resume</source>
        <translation>当前上传完成后停止：正在进行的会完成，排队的等你继续后再开始</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="212"/>
        <source>Cancel all</source>
        <translation>全部取消</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="216"/>
        <source>Cancel every unfinished upload now</source>
        <translation>立即取消所有未完成的上传</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="220"/>
        <source>Retry failed</source>
        <translation>重试失败项</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="224"/>
        <source>Try every failed upload again</source>
        <translation>重新尝试所有失败的上传</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="228"/>
        <source>Clear finished</source>
        <translation>清除已结束项</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="232"/>
        <source>Remove uploaded and cancelled files from the list</source>
        <translation>从列表中移除已上传和已取消的文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="238"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="241"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="244"/>
        <source>Pause or resume</source>
        <translation>暂停或继续</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="247"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="250"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="253"/>
        <source>Remove from list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="260"/>
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="263"/>
        <source>Open containing folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="270"/>
        <source>Copy returned URL</source>
        <translation>复制返回的 URL</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="277"/>
        <source>Copy server response</source>
        <translation>复制服务器响应</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="298"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="304"/>
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="310"/>
        <source>&amp;Upload</source>
        <translation>上传(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="312"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="314"/>
        <location filename="../../gui/main_window.py" line="843"/>
        <source>About Skylift</source>
        <translation>关于 Skylift</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="331"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="347"/>
        <source>Upload to </source>
        <translation>上传到 </translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="353"/>
        <source>Where dropped and added files go</source>
        <translation>拖入和添加的文件将上传到这里</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="357"/>
        <source>Upload to</source>
        <translation>上传到</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="367"/>
        <location filename="../../gui/main_window.py" line="797"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="369"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="379"/>
        <source>Saving the queue</source>
        <translation>保存队列</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="420"/>
        <source>Manage destinations…</source>
        <translation>管理上传目标…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="459"/>
        <source>Drop files or folders here</source>
        <translation>将文件或文件夹拖放到这里</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="460"/>
        <source>Skylift will ask where to upload them</source>
        <translation>Skylift 会询问要上传到哪里</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="463"/>
        <source>Drop files or folders here to upload them to {destination}</source>
        <translation>将文件或文件夹拖放到这里，上传到 {destination}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="465"/>
        <source>or use Add files… and Add folder…</source>
        <translation>或使用“添加文件…”和“添加文件夹…”</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="494"/>
        <source>Nothing was added: there is no destination to upload to.</source>
        <translation>未添加任何内容：没有可上传的目标。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="511"/>
        <source>Adding {count} item to {destination}…</source>
        <translation>正在添加 {count} 项到 {destination}…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="513"/>
        <source>Adding {count} items to {destination}…</source>
        <translation>正在添加 {count} 项到 {destination}…</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="519"/>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="525"/>
        <source>Add folder</source>
        <translation>添加文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="538"/>
        <source>Added {count} file for {destination}</source>
        <translation>已为 {destination} 添加 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="540"/>
        <source>Added {count} files for {destination}</source>
        <translation>已为 {destination} 添加 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="633"/>
        <source>Copied {count} URL</source>
        <translation>已复制 {count} 个 URL</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="633"/>
        <source>Copied {count} URLs</source>
        <translation>已复制 {count} 个 URL</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="642"/>
        <source>Copied the server&apos;s response</source>
        <translation>已复制服务器响应</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="696"/>
        <source>{count} upload is running or queued. Cancelled uploads stop now; you can retry them later.</source>
        <translation>有 {count} 个上传正在进行或排队。取消的上传会立即停止；之后可以重试。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="700"/>
        <source>{count} uploads are running or queued. Cancelled uploads stop now; you can retry them later.</source>
        <translation>有 {count} 个上传正在进行或排队。取消的上传会立即停止；之后可以重试。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="705"/>
        <source>Cancel all uploads?</source>
        <translation>取消所有上传？</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="707"/>
        <source>Cancel uploads</source>
        <translation>取消上传</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="708"/>
        <location filename="../../gui/main_window.py" line="734"/>
        <source>Keep uploading</source>
        <translation>继续上传</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="722"/>
        <source>{count} upload is not finished. They stop now and continue the next time you start Skylift.</source>
        <translation>有 {count} 个上传尚未完成。它们现在停止，下次启动 Skylift 时继续。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="726"/>
        <source>{count} uploads are not finished. They stop now and continue the next time you start Skylift.</source>
        <translation>有 {count} 个上传尚未完成。它们现在停止，下次启动 Skylift 时继续。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="731"/>
        <source>Quit Skylift?</source>
        <translation>退出 Skylift？</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="771"/>
        <source>{done} of {total} file uploaded</source>
        <translation>已上传 {done} / {total} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="773"/>
        <source>{done} of {total} files uploaded</source>
        <translation>已上传 {done} / {total} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="777"/>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="779"/>
        <source>{sent} of {total}</source>
        <translation>{sent} / {total}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="785"/>
        <source>{duration} left</source>
        <translation>剩余 {duration}</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="788"/>
        <source>stopped — Resume all continues</source>
        <translation>已停止 — “全部继续”可恢复</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="797"/>
        <source>All uploads finished</source>
        <translation>所有上传已结束</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="818"/>
        <source>The upload queue is being saved again.</source>
        <translation>上传队列已恢复保存。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="820"/>
        <source>Queue not saved</source>
        <translation>队列未保存</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="825"/>
        <source>The upload queue cannot be saved: {problem}. Uploads go on, and saving is retried; if Skylift quits before it works again, some uploads may be sent again next time.</source>
        <translation>无法保存上传队列：{problem}。上传会继续进行，并会重试保存；如果 Skylift 在恢复保存之前退出，下次可能会重新发送部分上传。</translation>
    </message>
    <message>
        <location filename="../../gui/main_window.py" line="845"/>
        <source>A desktop upload manager: resumable, crash-proof uploads of big files over HTTP.</source>
        <translation>桌面上传管理器：通过 HTTP 上传大文件，可续传，不怕崩溃。</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <location filename="../../gui/tray.py" line="60"/>
        <source>Skylift — no uploads</source>
        <translation>Skylift — 没有上传</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="62"/>
        <source>{done} of {total} file, {percent}%</source>
        <translation>{done} / {total} 个文件，{percent}%</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="64"/>
        <source>{done} of {total} files, {percent}%</source>
        <translation>{done} / {total} 个文件，{percent}%</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="67"/>
        <source>paused, {progress}</source>
        <translation>已暂停，{progress}</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="69"/>
        <source>{progress}, {failed} failed</source>
        <translation>{progress}，{failed} 个失败</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="72"/>
        <source>Skylift — {status}</source>
        <translation>Skylift — {status}</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="105"/>
        <source>&amp;Pause all</source>
        <translation>全部暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="107"/>
        <source>&amp;Resume all</source>
        <translation>全部继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="109"/>
        <source>&amp;Cancel all</source>
        <translation>全部取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="111"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="171"/>
        <source>&amp;Hide Skylift</source>
        <translation>隐藏 Skylift(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="171"/>
        <source>&amp;Show Skylift</source>
        <translation>显示 Skylift(&amp;S)</translation>
    </message>
</context>
<context>
    <name>UploadController</name>
    <message>
        <location filename="../../gui/controller.py" line="160"/>
        <source>Uploads to {destination} wait until the keyring is available. {problem}</source>
        <translation>上传到 {destination} 的任务将等待密钥环可用。{problem}</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="168"/>
        <source>{count} upload(s) in the state database could not be read and were set aside (they are kept in the database, untouched): {rows}</source>
        <translation>状态数据库中有 {count} 个上传无法读取，已被搁置（仍原样保留在数据库中）：{rows}</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="213"/>
        <source>{count} item was skipped:
{problems}</source>
        <translation>跳过了 {count} 项：
{problems}</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="215"/>
        <source>{count} items were skipped:
{problems}</source>
        <translation>跳过了 {count} 项：
{problems}</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="382"/>
        <source>No token for {destination} was found in the keyring; uploads are sent without credentials.</source>
        <translation>在密钥环中找不到 {destination} 的令牌；上传将不带凭据发送。</translation>
    </message>
    <message>
        <location filename="../../gui/controller.py" line="435"/>
        <source>Upload session {session} stopped: {problem}</source>
        <translation>上传会话 {session} 已停止：{problem}</translation>
    </message>
</context>
<context>
    <name>UploadTableModel</name>
    <message>
        <location filename="../../gui/models.py" line="59"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="60"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="61"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="62"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="63"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="64"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="65"/>
        <source>Destination</source>
        <translation>上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="237"/>
        <source>{name}
Failed: {error}</source>
        <translation>{name}
失败：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="239"/>
        <source>{name}
Last attempt failed: {error}</source>
        <translation>{name}
上次尝试失败：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/models.py" line="247"/>
        <source>{sent} of {total}</source>
        <translation>{sent} / {total}</translation>
    </message>
</context>
<context>
    <name>UploadTableView</name>
    <message>
        <location filename="../../gui/queue_view.py" line="51"/>
        <source>Drop files or folders here to upload them</source>
        <translation>将文件或文件夹拖放到这里进行上传</translation>
    </message>
    <message>
        <location filename="../../gui/queue_view.py" line="52"/>
        <source>or use Add files… and Add folder…</source>
        <translation>或使用“添加文件…”和“添加文件夹…”</translation>
    </message>
</context>
</TS>
