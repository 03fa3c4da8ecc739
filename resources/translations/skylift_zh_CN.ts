<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>App</name>
    <message>
        <location filename="../../gui/app/args.py" line="101"/>
        <source>{destination} (command line)</source>
        <translation>{destination}（命令行）</translation>
    </message>
    <message>
        <location filename="../../gui/app/errors.py" line="53"/>
        <source>Skylift ran into an unexpected error.</source>
        <translation>Skylift 遇到了意外错误。</translation>
    </message>
    <message>
        <location filename="../../gui/app/errors.py" line="55"/>
        <source>{error}

Uploads continue; the details are in the log.</source>
        <translation>{error}

上传会继续进行；详细信息见日志。</translation>
    </message>
    <message>
        <location filename="../../gui/app/run.py" line="67"/>
        <location filename="../../gui/app/run.py" line="98"/>
        <source>Skylift cannot start: {error}</source>
        <translation>Skylift 无法启动：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/app/compose.py" line="125"/>
        <source>The options handed over by another start of Skylift were not used: {problem}</source>
        <translation>另一次启动 Skylift 时传来的选项未被采用：{problem}</translation>
    </message>
</context>
<context>
    <name>BatchSummary</name>
    <message>
        <location filename="../../gui/background.py" line="61"/>
        <source>Uploads finished with errors</source>
        <translation>上传已结束，但有错误</translation>
    </message>
    <message>
        <location filename="../../gui/background.py" line="63"/>
        <source>Uploads cancelled</source>
        <translation>上传已取消</translation>
    </message>
    <message>
        <location filename="../../gui/background.py" line="64"/>
        <source>Uploads finished</source>
        <translation>上传已完成</translation>
    </message>
</context>
<context>
    <name>CollectedFiles</name>
    <message>
        <location filename="../../gui/walker.py" line="73"/>
        <source>{path}: {reason}</source>
        <translation>{path}：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="79"/>
        <source>… and {count} more</source>
        <translation>……以及另外 {count} 项</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="34"/>
        <source>cannot read</source>
        <translation>无法读取</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="28"/>
        <source>no such file or folder</source>
        <translation>文件或文件夹不存在</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="30"/>
        <source>cannot read folder</source>
        <translation>无法读取文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="31"/>
        <source>not a regular file</source>
        <translation>不是普通文件</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="32"/>
        <source>broken symbolic link</source>
        <translation>符号链接已失效</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="33"/>
        <source>symbolic link loop</source>
        <translation>符号链接循环</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="39"/>
        <source>named pipe</source>
        <translation>命名管道</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="40"/>
        <source>socket</source>
        <translation>套接字</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="41"/>
        <source>character device</source>
        <translation>字符设备</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="42"/>
        <source>block device</source>
        <translation>块设备</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="43"/>
        <source>unknown file type</source>
        <translation>未知文件类型</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="64"/>
        <source>{reason} ({detail})</source>
        <translation>{reason}（{detail}）</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="29"/>
        <source>permission denied</source>
        <translation>权限不足</translation>
    </message>
</context>
<context>
    <name>CredentialsDialog</name>
    <message>
        <location filename="../../gui/credentials.py" line="80"/>
        <source>Credentials needed</source>
        <translation>需要凭据</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="85"/>
        <source>{count} upload to {destination} waits for credentials that Skylift never stores on disk.</source>
        <translation>有 {count} 个上传到“{destination}”的任务在等待凭据，Skylift 从不把凭据保存到磁盘。</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="89"/>
        <source>{count} uploads to {destination} wait for credentials that Skylift never stores on disk.</source>
        <translation>有 {count} 个上传到“{destination}”的任务在等待凭据，Skylift 从不把凭据保存到磁盘。</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="97"/>
        <source>Destination URL</source>
        <translation>目标 URL</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="99"/>
        <source>URL:</source>
        <translation>URL：</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="107"/>
        <source>Full &amp;URL with its credentials:</source>
        <translation>含凭据的完整 URL(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="111"/>
        <source>&amp;Password for {user}:</source>
        <translation>{user} 的密码(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="113"/>
        <source>&amp;Token:</source>
        <translation>令牌(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="115"/>
        <source>Value of {header}:</source>
        <translation>{header} 的值：</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="128"/>
        <source>They are kept in memory for this session only. Without them, the uploads stay queued.</source>
        <translation>它们只在本次会话中保存在内存里。没有它们，这些上传会一直排队等待。</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="136"/>
        <source>Continue uploads</source>
        <translation>继续上传</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="137"/>
        <source>Not now</source>
        <translation>暂不</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="169"/>
        <source>Fill in every field, or choose Not now.</source>
        <translation>请填写所有字段，或选择“暂不”。</translation>
    </message>
    <message>
        <location filename="../../gui/credentials.py" line="178"/>
        <source>This is not the URL the uploads wait for ({url}).</source>
        <translation>这不是这些上传所等待的 URL（{url}）。</translation>
    </message>
</context>
<context>
    <name>DestinationsDialog</name>
    <message>
        <location filename="../../gui/destinations/model.py" line="65"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/model.py" line="66"/>
        <source>Bearer token</source>
        <translation>Bearer 令牌</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/model.py" line="67"/>
        <source>User and password (Basic)</source>
        <translation>用户名和密码（Basic）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/model.py" line="68"/>
        <source>Token in a header</source>
        <translation>请求头中的令牌</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/fields.py" line="62"/>
        <location filename="../../gui/destinations/editor.py" line="331"/>
        <source>line {number}: {problem}</source>
        <translation>第 {number} 行：{problem}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/store.py" line="182"/>
        <source>They are in the system keyring now.</source>
        <translation>它们现在保存在系统密钥环中。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/store.py" line="185"/>
        <source>The keyring cannot be used ({problem}), so they are kept for this session only: after a restart, uploads that need them wait until you enter them again.</source>
        <translation>无法使用密钥环（{problem}），因此它们只在本次会话中保留：重新启动后，需要它们的上传会等待你再次输入。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/store.py" line="191"/>
        <source>The settings file held credentials in plain text (destinations: {names}); they were removed from it. {where}</source>
        <translation>设置文件中以明文保存了凭据（上传目标：{names}），已从中删除。{where}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/keyring_access.py" line="24"/>
        <source>The system keyring cannot be used, so the destination&apos;s token or password cannot be stored or read ({problem}). Start or unlock a keyring service (GNOME Keyring, KWallet, macOS Keychain or Windows Credential Manager) and try again.</source>
        <translation>无法使用系统密钥环，因此无法保存或读取该目标的令牌或密码（{problem}）。请启动或解锁密钥环服务（GNOME 密钥环、KWallet、macOS 钥匙串或 Windows 凭据管理器）后重试。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="27"/>
        <source>Form upload (multipart/form-data)</source>
        <translation>表单上传（multipart/form-data）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/raw.py" line="20"/>
        <source>Raw file body (PUT to a folder URL)</source>
        <translation>原始文件内容（PUT 到文件夹 URL）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/tus.py" line="22"/>
        <source>tus resumable upload</source>
        <translation>tus 可续传上传</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/base.py" line="28"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="56"/>
        <location filename="../../gui/destinations/dialog.py" line="70"/>
        <location filename="../../gui/destinations/dialog.py" line="261"/>
        <source>Destinations</source>
        <translation>上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="73"/>
        <source>Add a destination</source>
        <translation>添加上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="76"/>
        <source>Remove the selected destination</source>
        <translation>删除所选的上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="53"/>
        <source>My server</source>
        <translation>我的服务器</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="35"/>
        <source>key=value, one per line</source>
        <translation>键=值，每行一个</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="61"/>
        <source>Name: value, one per line (secret ones go to the keyring)</source>
        <translation>名称: 值，每行一个（机密的会存入密钥环）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="69"/>
        <source>Unlimited (or a rate per second, e.g. 2M)</source>
        <translation>不限（或每秒速率，例如 2M）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/tus.py" line="27"/>
        <source>Whole file in one request (or e.g. 50M)</source>
        <translation>整个文件一次请求（或例如 50M）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="72"/>
        <source>The system&apos;s certificates only</source>
        <translation>仅系统证书</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="76"/>
        <source>Choose a file of CA certificates (PEM)</source>
        <translation>选择 CA 证书文件（PEM）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="94"/>
        <source>Problem</source>
        <translation>问题</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="96"/>
        <source>&amp;Name:</source>
        <translation>名称(&amp;N)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="97"/>
        <source>&amp;URL:</source>
        <translation>URL(&amp;U)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="98"/>
        <source>&amp;Protocol:</source>
        <translation>协议(&amp;P)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/raw.py" line="26"/>
        <location filename="../../gui/destinations/forms/multipart.py" line="54"/>
        <source>&amp;Method:</source>
        <translation>方法(&amp;M)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="40"/>
        <source>Not sent</source>
        <translation>不发送</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="43"/>
        <source>Also send each file&apos;s relative path (with its folders) in a form field of this name, for servers that keep only the base name of the file</source>
        <translation>另在此名称的表单字段中发送每个文件的相对路径（含文件夹），用于只保留文件基本名称的服务器</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="50"/>
        <source>Also sen&amp;d the name as RFC 8187 filename*</source>
        <translation>同时以 RFC 8187 filename* 发送文件名(&amp;D)</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="55"/>
        <source>&amp;Field name:</source>
        <translation>字段名(&amp;F)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="56"/>
        <source>F&amp;orm fields:</source>
        <translation>表单字段(&amp;O)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="58"/>
        <source>&amp;Relative path field:</source>
        <translation>相对路径字段(&amp;R)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="102"/>
        <source>&amp;Headers:</source>
        <translation>请求头(&amp;H)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="103"/>
        <source>&amp;Concurrent uploads:</source>
        <translation>同时上传数(&amp;C)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="104"/>
        <source>&amp;Bandwidth limit:</source>
        <translation>带宽限制(&amp;B)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/tus.py" line="31"/>
        <source>Chun&amp;k size (tus):</source>
        <translation>分块大小（tus）(&amp;K)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="105"/>
        <source>CA f&amp;ile:</source>
        <translation>CA 文件(&amp;I)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="109"/>
        <source>&amp;Authentication:</source>
        <translation>身份验证(&amp;A)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="110"/>
        <source>U&amp;ser:</source>
        <translation>用户名(&amp;S)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="111"/>
        <source>Header nam&amp;e:</source>
        <translation>请求头名称(&amp;E)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="112"/>
        <location filename="../../gui/destinations/editor.py" line="192"/>
        <source>&amp;Token:</source>
        <translation>令牌(&amp;T)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="138"/>
        <source>New destination</source>
        <translation>新的上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="174"/>
        <source>entered (saved when you press OK)</source>
        <translation>已输入（按“确定”时保存）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="178"/>
        <source>unchanged (stored in the keyring)</source>
        <translation>未更改（已保存在密钥环中）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="180"/>
        <source>unchanged (kept for this session only)</source>
        <translation>未更改（仅在本次会话中保留）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="181"/>
        <source>not stored: enter it again</source>
        <translation>未保存：请重新输入</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="190"/>
        <source>Pass&amp;word:</source>
        <translation>密码(&amp;W)：</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="126"/>
        <source>The keyring cannot be used: secrets are kept for this session only, never written to disk.</source>
        <translation>无法使用密钥环：机密信息只在本次会话中保留，绝不写入磁盘。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="131"/>
        <source>Secrets (the token or password, credentials in the URL, secret headers) are stored in the system keyring, never in Skylift&apos;s files.</source>
        <translation>机密信息（令牌或密码、URL 中的凭据、机密请求头）保存在系统密钥环中，绝不写入 Skylift 的文件。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/fields.py" line="46"/>
        <source>{field}: {problem}</source>
        <translation>{field}：{problem}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="220"/>
        <source>Give the destination a name.</source>
        <translation>请为上传目标起一个名称。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="279"/>
        <source>its credentials are hidden as {redacted}: type the URL again in full, or put it back as it was</source>
        <translation>其中的凭据显示为 {redacted}：请重新完整输入 URL，或将其改回原样</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="106"/>
        <source>not a form field name: {name}</source>
        <translation>不是有效的表单字段名：{name}</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/forms/multipart.py" line="88"/>
        <source>{name} looks like a credential, and form fields are saved as they are: send it in a header (Headers or Authentication), where it is kept as a secret</source>
        <translation>{name} 看起来是凭据，而表单字段会按原样保存：请改用请求头发送（“请求头”或“身份验证”），那里会作为机密保存</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="300"/>
        <source>enter the name of the header that carries the token</source>
        <translation>请输入携带令牌的请求头名称</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="309"/>
        <source>{name} is not a name Skylift treats as secret, so a server&apos;s echo of it would be kept as it is: use a name with token, key, secret, auth or password in it (e.g. X-Upload-Token)</source>
        <translation>{name} 不是 Skylift 视为机密的名称，服务器回显它时会被原样保存：请使用包含 token、key、secret、auth 或 password 的名称（例如 X-Upload-Token）</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="336"/>
        <source>{name} is sent by the Authentication setting: remove it here</source>
        <translation>{name} 已由“身份验证”设置发送：请从这里删除</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="346"/>
        <source>there is no stored value for {name}: type its value</source>
        <translation>没有保存 {name} 的值：请输入它的值</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="240"/>
        <source>between 1 and {most}</source>
        <translation>须在 1 到 {most} 之间</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="360"/>
        <source>enter the user name</source>
        <translation>请输入用户名</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="364"/>
        <source>a user name cannot contain &apos;:&apos; or control characters</source>
        <translation>用户名不能包含“:”或控制字符</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="389"/>
        <source>enter the password</source>
        <translation>请输入密码</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="391"/>
        <source>enter the token</source>
        <translation>请输入令牌</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="197"/>
        <source>CA certificates</source>
        <translation>CA 证书</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="201"/>
        <source>PEM certificates (*.pem *.crt *.cer)</source>
        <translation>PEM 证书 (*.pem *.crt *.cer)</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/editor.py" line="202"/>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="262"/>
        <source>The system keyring cannot be used, so nothing was saved.</source>
        <translation>无法使用系统密钥环，因此没有保存任何内容。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="269"/>
        <source>{problem}

Skylift can keep the secrets of these destinations for this session only: they are used until Skylift quits and are never written to disk. After a restart, uploads that need them wait until you enter them again.</source>
        <translation>{problem}

Skylift 可以只在本次会话中保留这些上传目标的机密信息：在 Skylift 退出前使用，绝不写入磁盘。重新启动后，需要它们的上传会等待你再次输入。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="274"/>
        <source>Keep for this session only</source>
        <translation>仅在本次会话中保留</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="293"/>
        <source>Nothing was saved. Keep the secrets for this session only, remove them, or start a keyring service and press OK again.</source>
        <translation>没有保存任何内容。请选择仅在本次会话中保留机密信息、删除它们，或启动密钥环服务后再次按“确定”。</translation>
    </message>
    <message>
        <location filename="../../gui/destinations/dialog.py" line="229"/>
        <source>Two destinations are called {name}; names must be different.</source>
        <translation>有两个上传目标都叫 {name}；名称不能重复。</translation>
    </message>
</context>
<context>
    <name>DetailsDialog</name>
    <message>
        <location filename="../../gui/queue/details.py" line="40"/>
        <source>{name} — Details</source>
        <translation>{name} — 详细信息</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="56"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="57"/>
        <source>File:</source>
        <translation>文件：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="58"/>
        <source>{size} ({count} bytes)</source>
        <translation>{size}（{count} 字节）</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="61"/>
        <source>Size:</source>
        <translation>大小：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="64"/>
        <source>Destination:</source>
        <translation>上传目标：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="67"/>
        <source>Protocol:</source>
        <translation>协议：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="68"/>
        <source>State:</source>
        <translation>状态：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="69"/>
        <source>{sent} of {total}</source>
        <translation>{sent} / {total}</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="72"/>
        <source>Sent:</source>
        <translation>已发送：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="73"/>
        <source>Attempts:</source>
        <translation>尝试次数：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="74"/>
        <source>Added:</source>
        <translation>添加时间：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="75"/>
        <source>Finished:</source>
        <translation>完成时间：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="77"/>
        <source>HTTP status:</source>
        <translation>HTTP 状态：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="78"/>
        <source>Error:</source>
        <translation>错误：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="83"/>
        <source>Returned URL:</source>
        <translation>返回的 URL：</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="89"/>
        <source>No response from the server yet.</source>
        <translation>服务器尚未响应。</translation>
    </message>
    <message>
        <location filename="../../gui/queue/details.py" line="95"/>
        <source>Server &amp;response:</source>
        <translation>服务器响应(&amp;R)：</translation>
    </message>
</context>
<context>
    <name>Formatting</name>
    <message>
        <location filename="../../gui/formatting.py" line="46"/>
        <source>byte</source>
        <translation>字节</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="50"/>
        <source>bytes</source>
        <translation>字节</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="59"/>
        <source>{seconds} s</source>
        <translation>{seconds} 秒</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="63"/>
        <source>{days} days</source>
        <translation>{days} 天</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="74"/>
        <source>waiting for credentials</source>
        <translation>等待凭据</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="77"/>
        <source>queued</source>
        <translation>排队中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="79"/>
        <source>interrupted, queued</source>
        <translation>已中断，排队中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="81"/>
        <source> — restarts from 0</source>
        <translation> — 将从头开始</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="82"/>
        <source> (stopped)</source>
        <translation>（已停止）</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="84"/>
        <source>uploading</source>
        <translation>上传中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="86"/>
        <source>server processing</source>
        <translation>服务器处理中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="89"/>
        <source>retrying</source>
        <translation>正在重试</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="91"/>
        <source>retrying in {seconds} s</source>
        <translation>{seconds} 秒后重试</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="94"/>
        <source>paused — restarts from 0</source>
        <translation>已暂停 — 将从头开始</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="95"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="97"/>
        <source>done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="101"/>
        <source>unknown error</source>
        <translation>未知错误</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="103"/>
        <source>failed: {reason}</source>
        <translation>失败：{reason}</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="105"/>
        <source>cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="131"/>
        <source>No files uploaded</source>
        <translation>没有上传任何文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="132"/>
        <source>, </source>
        <translation>，</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="138"/>
        <source>{count} file uploaded</source>
        <translation>已上传 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="139"/>
        <source>{count} files uploaded</source>
        <translation>已上传 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="142"/>
        <source>{count} file failed</source>
        <translation>{count} 个文件失败</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="143"/>
        <source>{count} files failed</source>
        <translation>{count} 个文件失败</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="146"/>
        <source>{count} file cancelled</source>
        <translation>已取消 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="147"/>
        <source>{count} files cancelled</source>
        <translation>已取消 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="150"/>
        <source>{count} file paused</source>
        <translation>{count} 个文件已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="151"/>
        <source>{count} files paused</source>
        <translation>{count} 个文件已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="154"/>
        <source>{count} file waiting</source>
        <translation>{count} 个文件等待中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="155"/>
        <source>{count} files waiting</source>
        <translation>{count} 个文件等待中</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="159"/>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="160"/>
        <source>{count} cancelled</source>
        <translation>{count} 个已取消</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="161"/>
        <source>{count} paused</source>
        <translation>{count} 个已暂停</translation>
    </message>
    <message>
        <location filename="../../gui/formatting.py" line="162"/>
        <source>{count} waiting</source>
        <translation>{count} 个等待中</translation>
    </message>
</context>
<context>
    <name>FreedesktopNotifier</name>
    <message>
        <location filename="../../gui/notifications.py" line="220"/>
        <source>Show Skylift</source>
        <translation>显示 Skylift</translation>
    </message>
</context>
<context>
    <name>LogSetup</name>
    <message>
        <location filename="../../gui/logging_setup.py" line="246"/>
        <source>Show &amp;Log</source>
        <translation>显示日志(&amp;L)</translation>
    </message>
    <message>
        <location filename="../../gui/logging_setup.py" line="249"/>
        <source>Open Skylift&apos;s log file</source>
        <translation>打开 Skylift 的日志文件</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../gui/window/main_window.py" line="63"/>
        <source>Upload queue</source>
        <translation>上传队列</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="47"/>
        <source>Add files…</source>
        <translation>添加文件…</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="51"/>
        <source>Choose files to upload</source>
        <translation>选择要上传的文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="55"/>
        <source>Add folder…</source>
        <translation>添加文件夹…</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="59"/>
        <source>Choose a folder to upload with everything in it</source>
        <translation>选择一个文件夹，上传其中的全部内容</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="63"/>
        <source>Destinations…</source>
        <translation>上传目标…</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="67"/>
        <source>Define where uploads go</source>
        <translation>设置文件上传到哪里</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="71"/>
        <location filename="../../gui/window/prompts.py" line="88"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="78"/>
        <source>Pause all</source>
        <translation>全部暂停</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="82"/>
        <source>Pause every upload</source>
        <translation>暂停所有上传</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="86"/>
        <source>Resume all</source>
        <translation>全部继续</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="90"/>
        <source>Resume paused uploads and continue a stopped queue</source>
        <translation>继续已暂停的上传，并恢复已停止的队列</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="94"/>
        <source>Stop after running</source>
        <translation>当前完成后停止</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="98"/>
        <source>Stop after running uploads: they finish, queued ones wait until you resume</source>
        <translation>当前上传完成后停止：正在进行的会完成，排队的等你继续后再开始</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="105"/>
        <source>Cancel all</source>
        <translation>全部取消</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="109"/>
        <source>Cancel every unfinished upload now</source>
        <translation>立即取消所有未完成的上传</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="113"/>
        <source>Retry failed</source>
        <translation>重试失败项</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="117"/>
        <source>Try every failed upload again</source>
        <translation>重新尝试所有失败的上传</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="121"/>
        <source>Clear finished</source>
        <translation>清除已结束项</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="125"/>
        <source>Remove uploaded and cancelled files from the list</source>
        <translation>从列表中移除已上传和已取消的文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="137"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="145"/>
        <source>Resume</source>
        <translation>继续</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="153"/>
        <source>Pause or resume</source>
        <translation>暂停或继续</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="160"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="168"/>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="176"/>
        <source>Retry with current settings</source>
        <translation>按当前设置重试</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="180"/>
        <source>Try again with the destination as it is now (its URL, headers and credentials)</source>
        <translation>按上传目标的当前设置（URL、请求头和凭据）重试</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="187"/>
        <source>Enter credentials…</source>
        <translation>输入凭据…</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="190"/>
        <source>Give the credentials these uploads wait for</source>
        <translation>提供这些上传所等待的凭据</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="198"/>
        <source>Remove from list</source>
        <translation>从列表中移除</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="206"/>
        <source>Details…</source>
        <translation>详细信息…</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="214"/>
        <source>Open containing folder</source>
        <translation>打开所在文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="222"/>
        <source>Copy returned URL</source>
        <translation>复制返回的 URL</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="230"/>
        <source>Copy server response</source>
        <translation>复制服务器响应</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="240"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="244"/>
        <source>&amp;Queue</source>
        <translation>队列(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="247"/>
        <source>&amp;Upload</source>
        <translation>上传(&amp;U)</translation>
    </message>
    <message>
        <location filename="../../gui/window/actions.py" line="248"/>
        <source>&amp;Help</source>
        <translation>帮助(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="291"/>
        <location filename="../../gui/window/actions.py" line="129"/>
        <source>About Skylift</source>
        <translation>关于 Skylift</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="110"/>
        <source>Main toolbar</source>
        <translation>主工具栏</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="124"/>
        <source>Upload to </source>
        <translation>上传到 </translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="39"/>
        <source>Where dropped and added files go</source>
        <translation>拖入和添加的文件将上传到这里</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="40"/>
        <source>Upload to</source>
        <translation>上传到</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="35"/>
        <location filename="../../gui/window/status.py" line="72"/>
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="39"/>
        <source>Stopped — Resume all continues</source>
        <translation>已停止 — “全部继续”可恢复</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="41"/>
        <source>Paused — Resume all continues</source>
        <translation>已暂停 — “全部继续”可恢复</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="74"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="85"/>
        <source>Saving the queue</source>
        <translation>保存队列</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="57"/>
        <source>Manage destinations…</source>
        <translation>管理上传目标…</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="104"/>
        <source>Drop files or folders here</source>
        <translation>将文件或文件夹拖放到这里</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="105"/>
        <source>Skylift will ask where to upload them</source>
        <translation>Skylift 会询问要上传到哪里</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="109"/>
        <source>Drop files or folders here to upload them to {destination}</source>
        <translation>将文件或文件夹拖放到这里，上传到 {destination}</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="112"/>
        <source>or use Add files… and Add folder…</source>
        <translation>或使用“添加文件…”和“添加文件夹…”</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="136"/>
        <source>Saved. The keyring cannot be used: secrets are kept for this session only.</source>
        <translation>已保存。无法使用密钥环：机密信息只在本次会话中保留。</translation>
    </message>
    <message>
        <location filename="../../gui/window/destination_picker.py" line="151"/>
        <source>Nothing was added: there is no destination to upload to.</source>
        <translation>未添加任何内容：没有可上传的目标。</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="183"/>
        <source>Adding {count} item to {destination}…</source>
        <translation>正在添加 {count} 项到 {destination}…</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="185"/>
        <source>Adding {count} items to {destination}…</source>
        <translation>正在添加 {count} 项到 {destination}…</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="191"/>
        <source>Add files</source>
        <translation>添加文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="197"/>
        <source>Add folder</source>
        <translation>添加文件夹</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="210"/>
        <source>Added {count} file for {destination}</source>
        <translation>已为 {destination} 添加 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="212"/>
        <source>Added {count} files for {destination}</source>
        <translation>已为 {destination} 添加 {count} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/rows.py" line="146"/>
        <source>Copied {count} URL</source>
        <translation>已复制 {count} 个 URL</translation>
    </message>
    <message>
        <location filename="../../gui/window/rows.py" line="148"/>
        <source>Copied {count} URLs</source>
        <translation>已复制 {count} 个 URL</translation>
    </message>
    <message>
        <location filename="../../gui/window/rows.py" line="158"/>
        <source>Copied the server&apos;s response</source>
        <translation>已复制服务器响应</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="45"/>
        <source>{count} upload is running or queued. Cancelled uploads stop now; you can retry them later.</source>
        <translation>有 {count} 个上传正在进行或排队。取消的上传会立即停止；之后可以重试。</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="50"/>
        <source>{count} uploads are running or queued. Cancelled uploads stop now; you can retry them later.</source>
        <translation>有 {count} 个上传正在进行或排队。取消的上传会立即停止；之后可以重试。</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="57"/>
        <source>Cancel all uploads?</source>
        <translation>取消所有上传？</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="59"/>
        <source>Cancel uploads</source>
        <translation>取消上传</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="60"/>
        <location filename="../../gui/window/prompts.py" line="89"/>
        <source>Keep uploading</source>
        <translation>继续上传</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="74"/>
        <source>{count} upload is not finished. They stop now and continue the next time you start Skylift.</source>
        <translation>有 {count} 个上传尚未完成。它们现在停止，下次启动 Skylift 时继续。</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="79"/>
        <source>{count} uploads are not finished. They stop now and continue the next time you start Skylift.</source>
        <translation>有 {count} 个上传尚未完成。它们现在停止，下次启动 Skylift 时继续。</translation>
    </message>
    <message>
        <location filename="../../gui/window/prompts.py" line="86"/>
        <source>Quit Skylift?</source>
        <translation>退出 Skylift？</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="47"/>
        <source>{done} of {total} file uploaded</source>
        <translation>已上传 {done} / {total} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="49"/>
        <source>{done} of {total} files uploaded</source>
        <translation>已上传 {done} / {total} 个文件</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="53"/>
        <source>{count} failed</source>
        <translation>{count} 个失败</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="55"/>
        <source>{sent} of {total}</source>
        <translation>{sent} / {total}</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="61"/>
        <source>{duration} left</source>
        <translation>剩余 {duration}</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="63"/>
        <source>stopped — Resume all continues</source>
        <translation>已停止 — “全部继续”可恢复</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="43"/>
        <source>All uploads finished</source>
        <translation>所有上传已结束</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="123"/>
        <source>The upload queue is being saved again.</source>
        <translation>上传队列已恢复保存。</translation>
    </message>
    <message>
        <location filename="../../gui/window/status.py" line="126"/>
        <source>Queue not saved</source>
        <translation>队列未保存</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="271"/>
        <source>The upload queue cannot be saved: {problem}. Uploads go on, and saving is retried; if Skylift quits before it works again, some uploads may be sent again next time.</source>
        <translation>无法保存上传队列：{problem}。上传会继续进行，并会重试保存；如果 Skylift 在恢复保存之前退出，下次可能会重新发送部分上传。</translation>
    </message>
    <message>
        <location filename="../../gui/window/main_window.py" line="293"/>
        <source>A desktop upload manager: resumable, crash-proof uploads of big files over HTTP.</source>
        <translation>桌面上传管理器：通过 HTTP 上传大文件，可续传，不怕崩溃。</translation>
    </message>
</context>
<context>
    <name>TrayController</name>
    <message>
        <location filename="../../gui/tray.py" line="63"/>
        <source>Skylift — no uploads</source>
        <translation>Skylift — 没有上传</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="66"/>
        <source>{done} of {total} file, {percent}%</source>
        <translation>{done} / {total} 个文件，{percent}%</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="68"/>
        <source>{done} of {total} files, {percent}%</source>
        <translation>{done} / {total} 个文件，{percent}%</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="71"/>
        <source>paused, {progress}</source>
        <translation>已暂停，{progress}</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="73"/>
        <source>{progress}, {failed} failed</source>
        <translation>{progress}，{failed} 个失败</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="62"/>
        <location filename="../../gui/tray.py" line="76"/>
        <source>Skylift — {status}</source>
        <translation>Skylift — {status}</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="109"/>
        <source>&amp;Pause all</source>
        <translation>全部暂停(&amp;P)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="111"/>
        <source>&amp;Resume all</source>
        <translation>全部继续(&amp;R)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="113"/>
        <source>&amp;Cancel all</source>
        <translation>全部取消(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="115"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="172"/>
        <source>&amp;Hide Skylift</source>
        <translation>隐藏 Skylift(&amp;H)</translation>
    </message>
    <message>
        <location filename="../../gui/tray.py" line="172"/>
        <source>&amp;Show Skylift</source>
        <translation>显示 Skylift(&amp;S)</translation>
    </message>
</context>
<context>
    <name>UploadController</name>
    <message>
        <location filename="../../gui/controller/controller.py" line="141"/>
        <source>{count} upload(s) in the state database could not be read and were set aside (they are kept in the database, untouched): {rows}</source>
        <translation>状态数据库中有 {count} 个上传无法读取，已被搁置（仍原样保留在数据库中）：{rows}</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="90"/>
        <source>{count} item was skipped:
{problems}</source>
        <translation>跳过了 {count} 项：
{problems}</translation>
    </message>
    <message>
        <location filename="../../gui/walker.py" line="92"/>
        <source>{count} items were skipped:
{problems}</source>
        <translation>跳过了 {count} 项：
{problems}</translation>
    </message>
    <message>
        <location filename="../../gui/controller/controller.py" line="384"/>
        <source>Upload session {session} stopped: {problem}</source>
        <translation>上传会话 {session} 已停止：{problem}</translation>
    </message>
</context>
<context>
    <name>UploadTableModel</name>
    <message>
        <location filename="../../gui/queue/columns.py" line="266"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="274"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="281"/>
        <source>Progress</source>
        <translation>进度</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="290"/>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="298"/>
        <source>Time left</source>
        <translation>剩余时间</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="306"/>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="318"/>
        <source>Destination</source>
        <translation>上传目标</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="130"/>
        <source>{name}
Failed: {error}</source>
        <translation>{name}
失败：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="134"/>
        <source>{name}
Last attempt failed: {error}</source>
        <translation>{name}
上次尝试失败：{error}</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="217"/>
        <source>{name}
Waits for credentials that are never stored: Enter credentials… gives them.</source>
        <translation>{name}
等待从不保存的凭据：用“输入凭据…”提供。</translation>
    </message>
    <message>
        <location filename="../../gui/queue/columns.py" line="172"/>
        <source>{sent} of {total}</source>
        <translation>{sent} / {total}</translation>
    </message>
</context>
<context>
    <name>UploadTableView</name>
    <message>
        <location filename="../../gui/queue/view.py" line="41"/>
        <source>Drop files or folders here to upload them</source>
        <translation>将文件或文件夹拖放到这里进行上传</translation>
    </message>
    <message>
        <location filename="../../gui/queue/view.py" line="42"/>
        <source>or use Add files… and Add folder…</source>
        <translation>或使用“添加文件…”和“添加文件夹…”</translation>
    </message>
</context>
</TS>
