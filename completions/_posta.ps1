
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'posta' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'posta'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'posta' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Compose a message from flags and submit it')
            [CompletionResult]::new('sendmail', 'sendmail', [CompletionResultType]::ParameterValue, 'Read a message on stdin and submit it, like sendmail(8)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Take mail over SMTP from local programs, and submit it through a profile')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Manage account profiles in the config file')
            [CompletionResult]::new('password', 'password', [CompletionResultType]::ParameterValue, 'Store or delete a profile''s password in the OS keyring')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Show what a server offers: greeting, capabilities, TLS and certificate')
            [CompletionResult]::new('queue', 'queue', [CompletionResultType]::ParameterValue, 'Inspect and flush the queue of messages waiting for a retry')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout, or install it where the shell looks')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page to stdout, or write every page into a directory')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Send many finished messages over one connection (or a few), each like `sendmail -t`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;send' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Author, e.g. ''Jane Doe <jane@example.com>'' [default: the profile''s from]')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'To recipients (repeatable; comma-separated lists accepted)')
            [CompletionResult]::new('--cc', '--cc', [CompletionResultType]::ParameterName, 'Cc recipients (repeatable; comma-separated lists accepted)')
            [CompletionResult]::new('--bcc', '--bcc', [CompletionResultType]::ParameterName, 'Bcc recipients: in the envelope, never in the message (repeatable)')
            [CompletionResult]::new('--reply-to', '--reply-to', [CompletionResultType]::ParameterName, 'Reply-To addresses (repeatable)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Subject')
            [CompletionResult]::new('--subject', '--subject', [CompletionResultType]::ParameterName, 'Subject')
            [CompletionResult]::new('--body', '--body', [CompletionResultType]::ParameterName, 'Text body')
            [CompletionResult]::new('--body-file', '--body-file', [CompletionResultType]::ParameterName, 'Text body from a file (''-'' is stdin)')
            [CompletionResult]::new('--html', '--html', [CompletionResultType]::ParameterName, 'HTML body (with a text body: multipart/alternative)')
            [CompletionResult]::new('--html-file', '--html-file', [CompletionResultType]::ParameterName, 'HTML body from a file (''-'' is stdin)')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'Markdown body: sent as text/plain and rendered as text/html (tables, code, footnotes); local images become inline parts')
            [CompletionResult]::new('--markdown-file', '--markdown-file', [CompletionResultType]::ParameterName, 'Markdown body from a file (''-'' is stdin); images are found relative to its directory')
            [CompletionResult]::new('-a', '-a', [CompletionResultType]::ParameterName, 'Attach a file, its type guessed from its name (repeatable); ''-'' is stdin, and a shell''s pipe (<(cmd)) works: either is spooled to a temporary file')
            [CompletionResult]::new('--attach', '--attach', [CompletionResultType]::ParameterName, 'Attach a file, its type guessed from its name (repeatable); ''-'' is stdin, and a shell''s pipe (<(cmd)) works: either is spooled to a temporary file')
            [CompletionResult]::new('--attach-name', '--attach-name', [CompletionResultType]::ParameterName, 'File name for the -a before it (default: the file''s own; ''attachment'' for a pipe)')
            [CompletionResult]::new('--attach-type', '--attach-type', [CompletionResultType]::ParameterName, 'Content type for the -a before it, e.g. text/csv (default: guessed from the name)')
            [CompletionResult]::new('--inline', '--inline', [CompletionResultType]::ParameterName, 'Inline a file for the HTML to reference as cid:<file name> (repeatable)')
            [CompletionResult]::new('-H', '-H ', [CompletionResultType]::ParameterName, 'Extra header ''Name: value'' (repeatable)')
            [CompletionResult]::new('--header', '--header', [CompletionResultType]::ParameterName, 'Extra header ''Name: value'' (repeatable)')
            [CompletionResult]::new('--in-reply-to', '--in-reply-to', [CompletionResultType]::ParameterName, 'Message-ID this message replies to')
            [CompletionResult]::new('--references', '--references', [CompletionResultType]::ParameterName, 'Message-IDs of the thread (repeatable)')
            [CompletionResult]::new('--envelope-from', '--envelope-from', [CompletionResultType]::ParameterName, 'Envelope sender (MAIL FROM) [default: the From address]')
            [CompletionResult]::new('--dsn-notify', '--dsn-notify', [CompletionResultType]::ParameterName, 'Request delivery status notifications: NEVER or a list of SUCCESS,FAILURE,DELAY')
            [CompletionResult]::new('--dsn-return', '--dsn-return', [CompletionResultType]::ParameterName, 'What a bounce returns: the full message or only its headers')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'On a temporary failure, queue the message (exit 75, "queued as ID") [default: the profile''s `queue`, else never]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Submission server, optionally with a port; or unix:PATH, a Unix socket')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port [default: 465 for tls, 587 for starttls, 25 for plain]')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'Connection security [default: tls on port 465, starttls otherwise]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User name for AUTH [default: the profile''s from address, else the From address]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'SASL mechanism')
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password (run by the shell)')
            [CompletionResult]::new('--oauth-token-command', '--oauth-token-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (in place of the system roots)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM, not encrypted); with --tls-cert')
            [CompletionResult]::new('--tls-fingerprint', '--tls-fingerprint', [CompletionResultType]::ParameterName, 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the network at each step')
            [CompletionResult]::new('--ehlo', '--ehlo', [CompletionResultType]::ParameterName, 'Name to announce in EHLO [default: this host''s name]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--markdown-allow-html', '--markdown-allow-html', [CompletionResultType]::ParameterName, 'Pass raw HTML in the Markdown through (by default it is escaped)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the exact message bytes to stdout and the envelope to stderr; contact no server. With --json, stdout is one object instead: the bytes as base64 in `message_base64` up to 1 MiB (larger: null, and `message_omitted` says why)')
            [CompletionResult]::new('--save-sent', '--save-sent', [CompletionResultType]::ParameterName, 'Once sent, save a copy (Bcc kept) in the account''s Sent folder over IMAP [default: the profile''s save_sent]')
            [CompletionResult]::new('--no-save-sent', '--no-save-sent', [CompletionResultType]::ParameterName, 'Save no copy in Sent, whatever the profile says')
            [CompletionResult]::new('--allow-insecure-auth', '--allow-insecure-auth', [CompletionResultType]::ParameterName, 'Allow AUTH over a connection without TLS (loopback is always allowed)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server certificate (dangerous; a warning is printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;sendmail' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;serve' {
            [CompletionResult]::new('--listen', '--listen', [CompletionResultType]::ParameterName, 'Where to listen: 127.0.0.1:PORT, [::1]:PORT or unix:PATH (repeatable); started by a systemd socket unit, the sockets it passes are used too')
            [CompletionResult]::new('--max-clients', '--max-clients', [CompletionResultType]::ParameterName, 'Clients served at once; one more is answered 421 and closed')
            [CompletionResult]::new('--client-timeout', '--client-timeout', [CompletionResultType]::ParameterName, 'Seconds a client may take for one command, and for one message''s data')
            [CompletionResult]::new('--flush-interval', '--flush-interval', [CompletionResultType]::ParameterName, 'Seconds between two runs of the queue (what is due is sent; 0: never)')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'Which failures keep a message in the queue [default: any that is not the message''s own]')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Submission server, optionally with a port; or unix:PATH, a Unix socket')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port [default: 465 for tls, 587 for starttls, 25 for plain]')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'Connection security [default: tls on port 465, starttls otherwise]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User name for AUTH [default: the profile''s from address, else the From address]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'SASL mechanism')
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password (run by the shell)')
            [CompletionResult]::new('--oauth-token-command', '--oauth-token-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (in place of the system roots)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM, not encrypted); with --tls-cert')
            [CompletionResult]::new('--tls-fingerprint', '--tls-fingerprint', [CompletionResultType]::ParameterName, 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the network at each step')
            [CompletionResult]::new('--ehlo', '--ehlo', [CompletionResultType]::ParameterName, 'Name to announce in EHLO [default: this host''s name]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--allow-insecure-auth', '--allow-insecure-auth', [CompletionResultType]::ParameterName, 'Allow AUTH over a connection without TLS (loopback is always allowed)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server certificate (dangerous; a warning is printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile (never its secret)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Connect and authenticate with a profile, sending nothing')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the built-in provider presets')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;profile;list' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--names', '--names', [CompletionResultType]::ParameterName, 'Print only the profiles'' names, one a line (what the shell completions call)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile;show' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile;add' {
            [CompletionResult]::new('--email', '--email', [CompletionResultType]::ParameterName, 'The account''s e-mail address: the profile''s from, and the preset (or the DNS lookup of the server) is chosen from its domain')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'The profile''s From, e.g. ''Jane Doe <jane@example.com>'' [default: --email]')
            [CompletionResult]::new('--preset', '--preset', [CompletionResultType]::ParameterName, 'Provider preset (see `posta profile presets`)')
            [CompletionResult]::new('--oauth2-client-id', '--oauth2-client-id', [CompletionResultType]::ParameterName, 'The client id of your app registration at the provider (key oauth2_client_id), for `posta auth login`')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Submission server, optionally with a port; or unix:PATH, a Unix socket')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port [default: 465 for tls, 587 for starttls, 25 for plain]')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'Connection security [default: tls on port 465, starttls otherwise]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User name for AUTH [default: the profile''s from address, else the From address]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'SASL mechanism')
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password (run by the shell)')
            [CompletionResult]::new('--oauth-token-command', '--oauth-token-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (in place of the system roots)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM, not encrypted); with --tls-cert')
            [CompletionResult]::new('--tls-fingerprint', '--tls-fingerprint', [CompletionResultType]::ParameterName, 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the network at each step')
            [CompletionResult]::new('--ehlo', '--ehlo', [CompletionResultType]::ParameterName, 'Name to announce in EHLO [default: this host''s name]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Accept a server found in DNS outside the address''s domain (and not a known provider''s): without it, such an answer is shown and nothing is written')
            [CompletionResult]::new('--allow-insecure-auth', '--allow-insecure-auth', [CompletionResultType]::ParameterName, 'Allow AUTH over a connection without TLS (loopback is always allowed)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server certificate (dangerous; a warning is printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile;remove' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile;test' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Submission server, optionally with a port; or unix:PATH, a Unix socket')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port [default: 465 for tls, 587 for starttls, 25 for plain]')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'Connection security [default: tls on port 465, starttls otherwise]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User name for AUTH [default: the profile''s from address, else the From address]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'SASL mechanism')
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password (run by the shell)')
            [CompletionResult]::new('--oauth-token-command', '--oauth-token-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (in place of the system roots)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM, not encrypted); with --tls-cert')
            [CompletionResult]::new('--tls-fingerprint', '--tls-fingerprint', [CompletionResultType]::ParameterName, 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the network at each step')
            [CompletionResult]::new('--ehlo', '--ehlo', [CompletionResultType]::ParameterName, 'Name to announce in EHLO [default: this host''s name]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--allow-insecure-auth', '--allow-insecure-auth', [CompletionResultType]::ParameterName, 'Allow AUTH over a connection without TLS (loopback is always allowed)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server certificate (dangerous; a warning is printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile;presets' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;profile;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile (never its secret)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Connect and authenticate with a profile, sending nothing')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the built-in provider presets')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;profile;help;list' {
            break
        }
        'posta;profile;help;show' {
            break
        }
        'posta;profile;help;add' {
            break
        }
        'posta;profile;help;remove' {
            break
        }
        'posta;profile;help;test' {
            break
        }
        'posta;profile;help;presets' {
            break
        }
        'posta;profile;help;help' {
            break
        }
        'posta;password' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store the password (read from a prompt or stdin)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the stored password')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;password;set' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;password;delete' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;password;help' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store the password (read from a prompt or stdin)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the stored password')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;password;help;set' {
            break
        }
        'posta;password;help;delete' {
            break
        }
        'posta;password;help;help' {
            break
        }
        'posta;auth' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the login at the provider (where it offers revocation), then forget it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;auth;login' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--device', '--device', [CompletionResultType]::ParameterName, 'Show a code and a URL to open on any other device, and wait (RFC 8628): for servers and SSH sessions')
            [CompletionResult]::new('--no-browser', '--no-browser', [CompletionResultType]::ParameterName, 'Print the URL to open instead of starting a browser')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;auth;status' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;auth;logout' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;auth;help' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the login at the provider (where it offers revocation), then forget it')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;auth;help;login' {
            break
        }
        'posta;auth;help;status' {
            break
        }
        'posta;auth;help;logout' {
            break
        }
        'posta;auth;help;help' {
            break
        }
        'posta;probe' {
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Submission server, optionally with a port; or unix:PATH, a Unix socket')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port [default: 465 for tls, 587 for starttls, 25 for plain]')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'Connection security [default: tls on port 465, starttls otherwise]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User name for AUTH [default: the profile''s from address, else the From address]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'SASL mechanism')
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password (run by the shell)')
            [CompletionResult]::new('--oauth-token-command', '--oauth-token-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (in place of the system roots)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM, not encrypted); with --tls-cert')
            [CompletionResult]::new('--tls-fingerprint', '--tls-fingerprint', [CompletionResultType]::ParameterName, 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the network at each step')
            [CompletionResult]::new('--ehlo', '--ehlo', [CompletionResultType]::ParameterName, 'Name to announce in EHLO [default: this host''s name]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--allow-insecure-auth', '--allow-insecure-auth', [CompletionResultType]::ParameterName, 'Allow AUTH over a connection without TLS (loopback is always allowed)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server certificate (dangerous; a warning is printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;queue' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List queued messages')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one queued message')
            [CompletionResult]::new('flush', 'flush', [CompletionResultType]::ParameterValue, 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile''s daily_limit waits until they do')
            [CompletionResult]::new('drop', 'drop', [CompletionResultType]::ParameterValue, 'Remove a message from the queue')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;queue;list' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;queue;show' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;queue;flush' {
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password, for messages queued without a profile (else POSTA_PASSWORD or a prompt)')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Also try the messages whose next attempt is not due yet (daily limits still apply)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;queue;drop' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;queue;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List queued messages')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one queued message')
            [CompletionResult]::new('flush', 'flush', [CompletionResultType]::ParameterValue, 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile''s daily_limit waits until they do')
            [CompletionResult]::new('drop', 'drop', [CompletionResultType]::ParameterValue, 'Remove a message from the queue')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;queue;help;list' {
            break
        }
        'posta;queue;help;show' {
            break
        }
        'posta;queue;help;flush' {
            break
        }
        'posta;queue;help;drop' {
            break
        }
        'posta;queue;help;help' {
            break
        }
        'posta;completions' {
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--install', '--install', [CompletionResultType]::ParameterName, 'Write the script into the shell''s directory for user completions (created if missing) instead of printing it')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;man' {
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write posta.1 and one page per subcommand into this directory')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;batch' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Mail merge: a message with {{column}} placeholders, sent once per row of --data')
            [CompletionResult]::new('--data', '--data', [CompletionResultType]::ParameterName, 'Mail merge: a CSV file whose first row names the columns')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Envelope sender (MAIL FROM) for every message [default: the profile''s from, else each From]')
            [CompletionResult]::new('--envelope-from', '--envelope-from', [CompletionResultType]::ParameterName, 'Envelope sender (MAIL FROM) for every message [default: the profile''s from, else each From]')
            [CompletionResult]::new('--rate', '--rate', [CompletionResultType]::ParameterName, 'At most this many messages a second, a minute or an hour over all connections, e.g. 10/s, 30/m or 500/h')
            [CompletionResult]::new('--connections', '--connections', [CompletionResultType]::ParameterName, 'Connections per profile, each sending one message at a time')
            [CompletionResult]::new('--queue', '--queue', [CompletionResultType]::ParameterName, 'On a temporary failure, or when every profile reached its daily limit, queue the message for `posta queue flush` [default: the profile''s `queue`, else never]')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Send nothing: read and check every message (or merge row) as a real batch does and print its envelope as a JSON line; with --dry-run=DIR, write each message to DIR as NNNNN.eml with its envelope in NNNNN.json. No connection, no password')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Submission server, optionally with a port; or unix:PATH, a Unix socket')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port [default: 465 for tls, 587 for starttls, 25 for plain]')
            [CompletionResult]::new('--security', '--security', [CompletionResultType]::ParameterName, 'Connection security [default: tls on port 465, starttls otherwise]')
            [CompletionResult]::new('--user', '--user', [CompletionResultType]::ParameterName, 'User name for AUTH [default: the profile''s from address, else the From address]')
            [CompletionResult]::new('--auth', '--auth', [CompletionResultType]::ParameterName, 'SASL mechanism')
            [CompletionResult]::new('--password-command', '--password-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is the password (run by the shell)')
            [CompletionResult]::new('--oauth-token-command', '--oauth-token-command', [CompletionResultType]::ParameterName, 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file (in place of the system roots)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'The client certificate''s private key (PEM, not encrypted); with --tls-cert')
            [CompletionResult]::new('--tls-fingerprint', '--tls-fingerprint', [CompletionResultType]::ParameterName, 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the network at each step')
            [CompletionResult]::new('--ehlo', '--ehlo', [CompletionResultType]::ParameterName, 'Name to announce in EHLO [default: this host''s name]')
            [CompletionResult]::new('--protocol', '--protocol', [CompletionResultType]::ParameterName, 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]')
            [CompletionResult]::new('--proxy', '--proxy', [CompletionResultType]::ParameterName, 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config''s `default`]')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config''s `default`]')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config''s `default`]')
            [CompletionResult]::new('-c', '-c', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]')
            [CompletionResult]::new('--save-sent', '--save-sent', [CompletionResultType]::ParameterName, 'Save a copy of each message sent in its profile''s Sent folder over IMAP, one IMAP connection per profile for the whole batch (off unless given)')
            [CompletionResult]::new('--allow-insecure-auth', '--allow-insecure-auth', [CompletionResultType]::ParameterName, 'Allow AUTH over a connection without TLS (loopback is always allowed)')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Do not verify the server certificate (dangerous; a warning is printed)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print nothing but errors')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'Print one JSON object on stdout describing the outcome')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'posta;help' {
            [CompletionResult]::new('send', 'send', [CompletionResultType]::ParameterValue, 'Compose a message from flags and submit it')
            [CompletionResult]::new('sendmail', 'sendmail', [CompletionResultType]::ParameterValue, 'Read a message on stdin and submit it, like sendmail(8)')
            [CompletionResult]::new('serve', 'serve', [CompletionResultType]::ParameterValue, 'Take mail over SMTP from local programs, and submit it through a profile')
            [CompletionResult]::new('profile', 'profile', [CompletionResultType]::ParameterValue, 'Manage account profiles in the config file')
            [CompletionResult]::new('password', 'password', [CompletionResultType]::ParameterValue, 'Store or delete a profile''s password in the OS keyring')
            [CompletionResult]::new('auth', 'auth', [CompletionResultType]::ParameterValue, 'Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out')
            [CompletionResult]::new('probe', 'probe', [CompletionResultType]::ParameterValue, 'Show what a server offers: greeting, capabilities, TLS and certificate')
            [CompletionResult]::new('queue', 'queue', [CompletionResultType]::ParameterValue, 'Inspect and flush the queue of messages waiting for a retry')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script to stdout, or install it where the shell looks')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page to stdout, or write every page into a directory')
            [CompletionResult]::new('batch', 'batch', [CompletionResultType]::ParameterValue, 'Send many finished messages over one connection (or a few), each like `sendmail -t`')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'posta;help;send' {
            break
        }
        'posta;help;sendmail' {
            break
        }
        'posta;help;serve' {
            break
        }
        'posta;help;profile' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the profiles')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one profile (never its secret)')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Add a profile')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Remove a profile')
            [CompletionResult]::new('test', 'test', [CompletionResultType]::ParameterValue, 'Connect and authenticate with a profile, sending nothing')
            [CompletionResult]::new('presets', 'presets', [CompletionResultType]::ParameterValue, 'List the built-in provider presets')
            break
        }
        'posta;help;profile;list' {
            break
        }
        'posta;help;profile;show' {
            break
        }
        'posta;help;profile;add' {
            break
        }
        'posta;help;profile;remove' {
            break
        }
        'posta;help;profile;test' {
            break
        }
        'posta;help;profile;presets' {
            break
        }
        'posta;help;password' {
            [CompletionResult]::new('set', 'set', [CompletionResultType]::ParameterValue, 'Store the password (read from a prompt or stdin)')
            [CompletionResult]::new('delete', 'delete', [CompletionResultType]::ParameterValue, 'Delete the stored password')
            break
        }
        'posta;help;password;set' {
            break
        }
        'posta;help;password;delete' {
            break
        }
        'posta;help;auth' {
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)')
            [CompletionResult]::new('logout', 'logout', [CompletionResultType]::ParameterValue, 'Revoke the login at the provider (where it offers revocation), then forget it')
            break
        }
        'posta;help;auth;login' {
            break
        }
        'posta;help;auth;status' {
            break
        }
        'posta;help;auth;logout' {
            break
        }
        'posta;help;probe' {
            break
        }
        'posta;help;queue' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List queued messages')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show one queued message')
            [CompletionResult]::new('flush', 'flush', [CompletionResultType]::ParameterValue, 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile''s daily_limit waits until they do')
            [CompletionResult]::new('drop', 'drop', [CompletionResultType]::ParameterValue, 'Remove a message from the queue')
            break
        }
        'posta;help;queue;list' {
            break
        }
        'posta;help;queue;show' {
            break
        }
        'posta;help;queue;flush' {
            break
        }
        'posta;help;queue;drop' {
            break
        }
        'posta;help;completions' {
            break
        }
        'posta;help;man' {
            break
        }
        'posta;help;batch' {
            break
        }
        'posta;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
