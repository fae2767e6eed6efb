# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_posta_global_optspecs
    string join \n c/config= p/profile= v/verbose q/quiet json h/help V/version
end

function __fish_posta_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_posta_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_posta_using_subcommand
    set -l cmd (__fish_posta_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c posta -n "__fish_posta_needs_command" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_needs_command" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_needs_command" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_needs_command" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_needs_command" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_needs_command" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_needs_command" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_needs_command" -f -a "send" -d 'Compose a message from flags and submit it'
complete -c posta -n "__fish_posta_needs_command" -f -a "sendmail" -d 'Read a message on stdin and submit it, like sendmail(8)'
complete -c posta -n "__fish_posta_needs_command" -f -a "serve" -d 'Take mail over SMTP from local programs, and submit it through a profile'
complete -c posta -n "__fish_posta_needs_command" -f -a "profile" -d 'Manage account profiles in the config file'
complete -c posta -n "__fish_posta_needs_command" -f -a "password" -d 'Store or delete a profile\'s password in the OS keyring'
complete -c posta -n "__fish_posta_needs_command" -f -a "auth" -d 'Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out'
complete -c posta -n "__fish_posta_needs_command" -f -a "probe" -d 'Show what a server offers: greeting, capabilities, TLS and certificate'
complete -c posta -n "__fish_posta_needs_command" -f -a "queue" -d 'Inspect and flush the queue of messages waiting for a retry'
complete -c posta -n "__fish_posta_needs_command" -f -a "completions" -d 'Print a shell completion script to stdout, or install it where the shell looks'
complete -c posta -n "__fish_posta_needs_command" -f -a "man" -d 'Print the man page to stdout, or write every page into a directory'
complete -c posta -n "__fish_posta_needs_command" -f -a "batch" -d 'Send many finished messages over one connection (or a few), each like `sendmail -t`'
complete -c posta -n "__fish_posta_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand send" -l from -d 'Author, e.g. \'Jane Doe <jane@example.com>\' [default: the profile\'s from]' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l to -d 'To recipients (repeatable; comma-separated lists accepted)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l cc -d 'Cc recipients (repeatable; comma-separated lists accepted)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l bcc -d 'Bcc recipients: in the envelope, never in the message (repeatable)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l reply-to -d 'Reply-To addresses (repeatable)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -s s -l subject -d 'Subject' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l body -d 'Text body' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l body-file -d 'Text body from a file (\'-\' is stdin)' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -l html -d 'HTML body (with a text body: multipart/alternative)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l html-file -d 'HTML body from a file (\'-\' is stdin)' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -l markdown -d 'Markdown body: sent as text/plain and rendered as text/html (tables, code, footnotes); local images become inline parts' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l markdown-file -d 'Markdown body from a file (\'-\' is stdin); images are found relative to its directory' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -s a -l attach -d 'Attach a file, its type guessed from its name (repeatable); \'-\' is stdin, and a shell\'s pipe (<(cmd)) works: either is spooled to a temporary file' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -l attach-name -d 'File name for the -a before it (default: the file\'s own; \'attachment\' for a pipe)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l attach-type -d 'Content type for the -a before it, e.g. text/csv (default: guessed from the name)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l inline -d 'Inline a file for the HTML to reference as cid:<file name> (repeatable)' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -s H -l header -d 'Extra header \'Name: value\' (repeatable)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l in-reply-to -d 'Message-ID this message replies to' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l references -d 'Message-IDs of the thread (repeatable)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l envelope-from -d 'Envelope sender (MAIL FROM) [default: the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l dsn-notify -d 'Request delivery status notifications: NEVER or a list of SUCCESS,FAILURE,DELAY' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l dsn-return -d 'What a bounce returns: the full message or only its headers' -r -f -a "full\t''
hdrs\t''"
complete -c posta -n "__fish_posta_using_subcommand send" -l queue -d 'On a temporary failure, queue the message (exit 75, "queued as ID") [default: the profile\'s `queue`, else never]' -r -f -a "never\t'Report the failure (exit 75); keep nothing'
on-temporary-failure\t'Keep the message in the queue for `posta queue flush` (4xx, timeouts, connection failures; never a permanent refusal)'
on-failure\t'Keep it after any failure that is not the message\'s own: temporary failures, and a refused login, a TLS or certificate failure, a password that cannot be had (sendmail mode\'s default: its caller cannot fix anything); never a refusal of the message or its recipients'"
complete -c posta -n "__fish_posta_using_subcommand send" -l server -d 'Submission server, optionally with a port; or unix:PATH, a Unix socket' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l port -d 'Port [default: 465 for tls, 587 for starttls, 25 for plain]' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l security -d 'Connection security [default: tls on port 465, starttls otherwise]' -r -f -a "starttls\t'Connect in clear, then upgrade with STARTTLS (required)'
tls\t'TLS from the first byte (implicit TLS, port 465)'
plain\t'No TLS at all (explicit opt-in)'"
complete -c posta -n "__fish_posta_using_subcommand send" -l user -d 'User name for AUTH [default: the profile\'s from address, else the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l auth -d 'SASL mechanism' -r -f -a "auto\t'The strongest mechanism both sides support'
plain\t''
login\t''
xoauth2\t''
oauthbearer\t''
scram-sha-256\t'RFC 7677: proves the password without sending it, and checks the server\'s proof'
scram-sha-1\t'RFC 5802, as scram-sha-256 with SHA-1'
cram-md5\t'RFC 2195 (the server keeps the password in clear)'
external\t'The client certificate (--tls-cert) is the credential; no password'"
complete -c posta -n "__fish_posta_using_subcommand send" -l password-command -d 'Command whose first line of output is the password (run by the shell)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l oauth-token-command -d 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l ca-file -d 'Trust the CA certificates in this PEM file (in place of the system roots)' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -l tls-cert -d 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -l tls-key -d 'The client certificate\'s private key (PEM, not encrypted); with --tls-cert' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -l tls-fingerprint -d 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate\'s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l timeout -d 'Seconds to wait for the network at each step' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l ehlo -d 'Name to announce in EHLO [default: this host\'s name]' -r
complete -c posta -n "__fish_posta_using_subcommand send" -l protocol -d 'The server\'s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]' -r -f -a "smtp\t'SMTP (RFC 5321): EHLO, one reply to the end of data'
lmtp\t'LMTP (RFC 2033): LHLO, one reply per recipient to the end of data'"
complete -c posta -n "__fish_posta_using_subcommand send" -l proxy -d 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server\'s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile\'s proxy_password_* keys, never a flag' -r
complete -c posta -n "__fish_posta_using_subcommand send" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand send" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand send" -l markdown-allow-html -d 'Pass raw HTML in the Markdown through (by default it is escaped)'
complete -c posta -n "__fish_posta_using_subcommand send" -l dry-run -d 'Print the exact message bytes to stdout and the envelope to stderr; contact no server. With --json, stdout is one object instead: the bytes as base64 in `message_base64` up to 1 MiB (larger: null, and `message_omitted` says why)'
complete -c posta -n "__fish_posta_using_subcommand send" -l save-sent -d 'Once sent, save a copy (Bcc kept) in the account\'s Sent folder over IMAP [default: the profile\'s save_sent]'
complete -c posta -n "__fish_posta_using_subcommand send" -l no-save-sent -d 'Save no copy in Sent, whatever the profile says'
complete -c posta -n "__fish_posta_using_subcommand send" -l allow-insecure-auth -d 'Allow AUTH over a connection without TLS (loopback is always allowed)'
complete -c posta -n "__fish_posta_using_subcommand send" -l insecure -d 'Do not verify the server certificate (dangerous; a warning is printed)'
complete -c posta -n "__fish_posta_using_subcommand send" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand send" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand send" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand send" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand send" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand sendmail" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand sendmail" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand sendmail" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand sendmail" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand sendmail" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand sendmail" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand sendmail" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand serve" -l listen -d 'Where to listen: 127.0.0.1:PORT, [::1]:PORT or unix:PATH (repeatable); started by a systemd socket unit, the sockets it passes are used too' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l max-clients -d 'Clients served at once; one more is answered 421 and closed' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l client-timeout -d 'Seconds a client may take for one command, and for one message\'s data' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l flush-interval -d 'Seconds between two runs of the queue (what is due is sent; 0: never)' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l queue -d 'Which failures keep a message in the queue [default: any that is not the message\'s own]' -r -f -a "never\t'Report the failure (exit 75); keep nothing'
on-temporary-failure\t'Keep the message in the queue for `posta queue flush` (4xx, timeouts, connection failures; never a permanent refusal)'
on-failure\t'Keep it after any failure that is not the message\'s own: temporary failures, and a refused login, a TLS or certificate failure, a password that cannot be had (sendmail mode\'s default: its caller cannot fix anything); never a refusal of the message or its recipients'"
complete -c posta -n "__fish_posta_using_subcommand serve" -l server -d 'Submission server, optionally with a port; or unix:PATH, a Unix socket' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l port -d 'Port [default: 465 for tls, 587 for starttls, 25 for plain]' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l security -d 'Connection security [default: tls on port 465, starttls otherwise]' -r -f -a "starttls\t'Connect in clear, then upgrade with STARTTLS (required)'
tls\t'TLS from the first byte (implicit TLS, port 465)'
plain\t'No TLS at all (explicit opt-in)'"
complete -c posta -n "__fish_posta_using_subcommand serve" -l user -d 'User name for AUTH [default: the profile\'s from address, else the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l auth -d 'SASL mechanism' -r -f -a "auto\t'The strongest mechanism both sides support'
plain\t''
login\t''
xoauth2\t''
oauthbearer\t''
scram-sha-256\t'RFC 7677: proves the password without sending it, and checks the server\'s proof'
scram-sha-1\t'RFC 5802, as scram-sha-256 with SHA-1'
cram-md5\t'RFC 2195 (the server keeps the password in clear)'
external\t'The client certificate (--tls-cert) is the credential; no password'"
complete -c posta -n "__fish_posta_using_subcommand serve" -l password-command -d 'Command whose first line of output is the password (run by the shell)' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l oauth-token-command -d 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l ca-file -d 'Trust the CA certificates in this PEM file (in place of the system roots)' -r -F
complete -c posta -n "__fish_posta_using_subcommand serve" -l tls-cert -d 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key' -r -F
complete -c posta -n "__fish_posta_using_subcommand serve" -l tls-key -d 'The client certificate\'s private key (PEM, not encrypted); with --tls-cert' -r -F
complete -c posta -n "__fish_posta_using_subcommand serve" -l tls-fingerprint -d 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate\'s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l timeout -d 'Seconds to wait for the network at each step' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l ehlo -d 'Name to announce in EHLO [default: this host\'s name]' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -l protocol -d 'The server\'s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]' -r -f -a "smtp\t'SMTP (RFC 5321): EHLO, one reply to the end of data'
lmtp\t'LMTP (RFC 2033): LHLO, one reply per recipient to the end of data'"
complete -c posta -n "__fish_posta_using_subcommand serve" -l proxy -d 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server\'s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile\'s proxy_password_* keys, never a flag' -r
complete -c posta -n "__fish_posta_using_subcommand serve" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand serve" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand serve" -l allow-insecure-auth -d 'Allow AUTH over a connection without TLS (loopback is always allowed)'
complete -c posta -n "__fish_posta_using_subcommand serve" -l insecure -d 'Do not verify the server certificate (dangerous; a warning is printed)'
complete -c posta -n "__fish_posta_using_subcommand serve" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand serve" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand serve" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand serve" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand serve" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "list" -d 'List the profiles'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "show" -d 'Show one profile (never its secret)'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "add" -d 'Add a profile'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "remove" -d 'Remove a profile'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "test" -d 'Connect and authenticate with a profile, sending nothing'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "presets" -d 'List the built-in provider presets'
complete -c posta -n "__fish_posta_using_subcommand profile; and not __fish_seen_subcommand_from list show add remove test presets help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -l names -d 'Print only the profiles\' names, one a line (what the shell completions call)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l email -d 'The account\'s e-mail address: the profile\'s from, and the preset (or the DNS lookup of the server) is chosen from its domain' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l from -d 'The profile\'s From, e.g. \'Jane Doe <jane@example.com>\' [default: --email]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l preset -d 'Provider preset (see `posta profile presets`)' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l oauth2-client-id -d 'The client id of your app registration at the provider (key oauth2_client_id), for `posta auth login`' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l server -d 'Submission server, optionally with a port; or unix:PATH, a Unix socket' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l port -d 'Port [default: 465 for tls, 587 for starttls, 25 for plain]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l security -d 'Connection security [default: tls on port 465, starttls otherwise]' -r -f -a "starttls\t'Connect in clear, then upgrade with STARTTLS (required)'
tls\t'TLS from the first byte (implicit TLS, port 465)'
plain\t'No TLS at all (explicit opt-in)'"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l user -d 'User name for AUTH [default: the profile\'s from address, else the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l auth -d 'SASL mechanism' -r -f -a "auto\t'The strongest mechanism both sides support'
plain\t''
login\t''
xoauth2\t''
oauthbearer\t''
scram-sha-256\t'RFC 7677: proves the password without sending it, and checks the server\'s proof'
scram-sha-1\t'RFC 5802, as scram-sha-256 with SHA-1'
cram-md5\t'RFC 2195 (the server keeps the password in clear)'
external\t'The client certificate (--tls-cert) is the credential; no password'"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l password-command -d 'Command whose first line of output is the password (run by the shell)' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l oauth-token-command -d 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l ca-file -d 'Trust the CA certificates in this PEM file (in place of the system roots)' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l tls-cert -d 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l tls-key -d 'The client certificate\'s private key (PEM, not encrypted); with --tls-cert' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l tls-fingerprint -d 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate\'s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l timeout -d 'Seconds to wait for the network at each step' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l ehlo -d 'Name to announce in EHLO [default: this host\'s name]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l protocol -d 'The server\'s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]' -r -f -a "smtp\t'SMTP (RFC 5321): EHLO, one reply to the end of data'
lmtp\t'LMTP (RFC 2033): LHLO, one reply per recipient to the end of data'"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l proxy -d 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server\'s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile\'s proxy_password_* keys, never a flag' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l yes -d 'Accept a server found in DNS outside the address\'s domain (and not a known provider\'s): without it, such an answer is shown and nothing is written'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l allow-insecure-auth -d 'Allow AUTH over a connection without TLS (loopback is always allowed)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l insecure -d 'Do not verify the server certificate (dangerous; a warning is printed)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from add" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from remove" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l server -d 'Submission server, optionally with a port; or unix:PATH, a Unix socket' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l port -d 'Port [default: 465 for tls, 587 for starttls, 25 for plain]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l security -d 'Connection security [default: tls on port 465, starttls otherwise]' -r -f -a "starttls\t'Connect in clear, then upgrade with STARTTLS (required)'
tls\t'TLS from the first byte (implicit TLS, port 465)'
plain\t'No TLS at all (explicit opt-in)'"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l user -d 'User name for AUTH [default: the profile\'s from address, else the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l auth -d 'SASL mechanism' -r -f -a "auto\t'The strongest mechanism both sides support'
plain\t''
login\t''
xoauth2\t''
oauthbearer\t''
scram-sha-256\t'RFC 7677: proves the password without sending it, and checks the server\'s proof'
scram-sha-1\t'RFC 5802, as scram-sha-256 with SHA-1'
cram-md5\t'RFC 2195 (the server keeps the password in clear)'
external\t'The client certificate (--tls-cert) is the credential; no password'"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l password-command -d 'Command whose first line of output is the password (run by the shell)' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l oauth-token-command -d 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l ca-file -d 'Trust the CA certificates in this PEM file (in place of the system roots)' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l tls-cert -d 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l tls-key -d 'The client certificate\'s private key (PEM, not encrypted); with --tls-cert' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l tls-fingerprint -d 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate\'s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l timeout -d 'Seconds to wait for the network at each step' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l ehlo -d 'Name to announce in EHLO [default: this host\'s name]' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l protocol -d 'The server\'s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]' -r -f -a "smtp\t'SMTP (RFC 5321): EHLO, one reply to the end of data'
lmtp\t'LMTP (RFC 2033): LHLO, one reply per recipient to the end of data'"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l proxy -d 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server\'s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile\'s proxy_password_* keys, never a flag' -r
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l allow-insecure-auth -d 'Allow AUTH over a connection without TLS (loopback is always allowed)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l insecure -d 'Do not verify the server certificate (dangerous; a warning is printed)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from test" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from presets" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "list" -d 'List the profiles'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one profile (never its secret)'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "add" -d 'Add a profile'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "remove" -d 'Remove a profile'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "test" -d 'Connect and authenticate with a profile, sending nothing'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "presets" -d 'List the built-in provider presets'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -f -a "set" -d 'Store the password (read from a prompt or stdin)'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -f -a "delete" -d 'Delete the stored password'
complete -c posta -n "__fish_posta_using_subcommand password; and not __fish_seen_subcommand_from set delete help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from delete" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from delete" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from delete" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from delete" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from delete" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from delete" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from help" -f -a "set" -d 'Store the password (read from a prompt or stdin)'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from help" -f -a "delete" -d 'Delete the stored password'
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -f -a "login" -d 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -f -a "status" -d 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -f -a "logout" -d 'Revoke the login at the provider (where it offers revocation), then forget it'
complete -c posta -n "__fish_posta_using_subcommand auth; and not __fish_seen_subcommand_from login status logout help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -l device -d 'Show a code and a URL to open on any other device, and wait (RFC 8628): for servers and SSH sessions'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -l no-browser -d 'Print the URL to open instead of starting a browser'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from login" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from status" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from status" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from status" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from logout" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from logout" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from logout" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from logout" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from logout" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from logout" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "login" -d 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "status" -d 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "logout" -d 'Revoke the login at the provider (where it offers revocation), then forget it'
complete -c posta -n "__fish_posta_using_subcommand auth; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand probe" -l server -d 'Submission server, optionally with a port; or unix:PATH, a Unix socket' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l port -d 'Port [default: 465 for tls, 587 for starttls, 25 for plain]' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l security -d 'Connection security [default: tls on port 465, starttls otherwise]' -r -f -a "starttls\t'Connect in clear, then upgrade with STARTTLS (required)'
tls\t'TLS from the first byte (implicit TLS, port 465)'
plain\t'No TLS at all (explicit opt-in)'"
complete -c posta -n "__fish_posta_using_subcommand probe" -l user -d 'User name for AUTH [default: the profile\'s from address, else the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l auth -d 'SASL mechanism' -r -f -a "auto\t'The strongest mechanism both sides support'
plain\t''
login\t''
xoauth2\t''
oauthbearer\t''
scram-sha-256\t'RFC 7677: proves the password without sending it, and checks the server\'s proof'
scram-sha-1\t'RFC 5802, as scram-sha-256 with SHA-1'
cram-md5\t'RFC 2195 (the server keeps the password in clear)'
external\t'The client certificate (--tls-cert) is the credential; no password'"
complete -c posta -n "__fish_posta_using_subcommand probe" -l password-command -d 'Command whose first line of output is the password (run by the shell)' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l oauth-token-command -d 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l ca-file -d 'Trust the CA certificates in this PEM file (in place of the system roots)' -r -F
complete -c posta -n "__fish_posta_using_subcommand probe" -l tls-cert -d 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key' -r -F
complete -c posta -n "__fish_posta_using_subcommand probe" -l tls-key -d 'The client certificate\'s private key (PEM, not encrypted); with --tls-cert' -r -F
complete -c posta -n "__fish_posta_using_subcommand probe" -l tls-fingerprint -d 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate\'s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l timeout -d 'Seconds to wait for the network at each step' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l ehlo -d 'Name to announce in EHLO [default: this host\'s name]' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -l protocol -d 'The server\'s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]' -r -f -a "smtp\t'SMTP (RFC 5321): EHLO, one reply to the end of data'
lmtp\t'LMTP (RFC 2033): LHLO, one reply per recipient to the end of data'"
complete -c posta -n "__fish_posta_using_subcommand probe" -l proxy -d 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server\'s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile\'s proxy_password_* keys, never a flag' -r
complete -c posta -n "__fish_posta_using_subcommand probe" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand probe" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand probe" -l allow-insecure-auth -d 'Allow AUTH over a connection without TLS (loopback is always allowed)'
complete -c posta -n "__fish_posta_using_subcommand probe" -l insecure -d 'Do not verify the server certificate (dangerous; a warning is printed)'
complete -c posta -n "__fish_posta_using_subcommand probe" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand probe" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand probe" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand probe" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand probe" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -f -a "list" -d 'List queued messages'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -f -a "show" -d 'Show one queued message'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -f -a "flush" -d 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile\'s daily_limit waits until they do'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -f -a "drop" -d 'Remove a message from the queue'
complete -c posta -n "__fish_posta_using_subcommand queue; and not __fish_seen_subcommand_from list show flush drop help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -l password-command -d 'Command whose first line of output is the password, for messages queued without a profile (else POSTA_PASSWORD or a prompt)' -r
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -l all -d 'Also try the messages whose next attempt is not due yet (daily limits still apply)'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from flush" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from drop" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "list" -d 'List queued messages'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "show" -d 'Show one queued message'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "flush" -d 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile\'s daily_limit waits until they do'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "drop" -d 'Remove a message from the queue'
complete -c posta -n "__fish_posta_using_subcommand queue; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand completions" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand completions" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand completions" -l install -d 'Write the script into the shell\'s directory for user completions (created if missing) instead of printing it'
complete -c posta -n "__fish_posta_using_subcommand completions" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand completions" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand completions" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand completions" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand man" -l dir -d 'Write posta.1 and one page per subcommand into this directory' -r -F
complete -c posta -n "__fish_posta_using_subcommand man" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand man" -s p -l profile -l account -d 'Account profile to use [default: the one whose from is the message\'s From, else the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand man" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand man" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand man" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand man" -s h -l help -d 'Print help'
complete -c posta -n "__fish_posta_using_subcommand man" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand batch" -l template -d 'Mail merge: a message with {{column}} placeholders, sent once per row of --data' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -l data -d 'Mail merge: a CSV file whose first row names the columns' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -s f -l envelope-from -d 'Envelope sender (MAIL FROM) for every message [default: the profile\'s from, else each From]' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l rate -d 'At most this many messages a second, a minute or an hour over all connections, e.g. 10/s, 30/m or 500/h' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l connections -d 'Connections per profile, each sending one message at a time' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l queue -d 'On a temporary failure, or when every profile reached its daily limit, queue the message for `posta queue flush` [default: the profile\'s `queue`, else never]' -r -f -a "never\t'Report the failure (exit 75); keep nothing'
on-temporary-failure\t'Keep the message in the queue for `posta queue flush` (4xx, timeouts, connection failures; never a permanent refusal)'
on-failure\t'Keep it after any failure that is not the message\'s own: temporary failures, and a refused login, a TLS or certificate failure, a password that cannot be had (sendmail mode\'s default: its caller cannot fix anything); never a refusal of the message or its recipients'"
complete -c posta -n "__fish_posta_using_subcommand batch" -l dry-run -d 'Send nothing: read and check every message (or merge row) as a real batch does and print its envelope as a JSON line; with --dry-run=DIR, write each message to DIR as NNNNN.eml with its envelope in NNNNN.json. No connection, no password' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -l server -d 'Submission server, optionally with a port; or unix:PATH, a Unix socket' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l port -d 'Port [default: 465 for tls, 587 for starttls, 25 for plain]' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l security -d 'Connection security [default: tls on port 465, starttls otherwise]' -r -f -a "starttls\t'Connect in clear, then upgrade with STARTTLS (required)'
tls\t'TLS from the first byte (implicit TLS, port 465)'
plain\t'No TLS at all (explicit opt-in)'"
complete -c posta -n "__fish_posta_using_subcommand batch" -l user -d 'User name for AUTH [default: the profile\'s from address, else the From address]' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l auth -d 'SASL mechanism' -r -f -a "auto\t'The strongest mechanism both sides support'
plain\t''
login\t''
xoauth2\t''
oauthbearer\t''
scram-sha-256\t'RFC 7677: proves the password without sending it, and checks the server\'s proof'
scram-sha-1\t'RFC 5802, as scram-sha-256 with SHA-1'
cram-md5\t'RFC 2195 (the server keeps the password in clear)'
external\t'The client certificate (--tls-cert) is the credential; no password'"
complete -c posta -n "__fish_posta_using_subcommand batch" -l password-command -d 'Command whose first line of output is the password (run by the shell)' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l oauth-token-command -d 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l ca-file -d 'Trust the CA certificates in this PEM file (in place of the system roots)' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -l tls-cert -d 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -l tls-key -d 'The client certificate\'s private key (PEM, not encrypted); with --tls-cert' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -l tls-fingerprint -d 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate\'s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l timeout -d 'Seconds to wait for the network at each step' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l ehlo -d 'Name to announce in EHLO [default: this host\'s name]' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -l protocol -d 'The server\'s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]' -r -f -a "smtp\t'SMTP (RFC 5321): EHLO, one reply to the end of data'
lmtp\t'LMTP (RFC 2033): LHLO, one reply per recipient to the end of data'"
complete -c posta -n "__fish_posta_using_subcommand batch" -l proxy -d 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server\'s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile\'s proxy_password_* keys, never a flag' -r
complete -c posta -n "__fish_posta_using_subcommand batch" -s p -l profile -l account -d 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config\'s `default`]' -r -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand batch" -s c -l config -d 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]' -r -F
complete -c posta -n "__fish_posta_using_subcommand batch" -l save-sent -d 'Save a copy of each message sent in its profile\'s Sent folder over IMAP, one IMAP connection per profile for the whole batch (off unless given)'
complete -c posta -n "__fish_posta_using_subcommand batch" -l allow-insecure-auth -d 'Allow AUTH over a connection without TLS (loopback is always allowed)'
complete -c posta -n "__fish_posta_using_subcommand batch" -l insecure -d 'Do not verify the server certificate (dangerous; a warning is printed)'
complete -c posta -n "__fish_posta_using_subcommand batch" -s v -l verbose -d 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
complete -c posta -n "__fish_posta_using_subcommand batch" -s q -l quiet -d 'Print nothing but errors'
complete -c posta -n "__fish_posta_using_subcommand batch" -l json -d 'Print one JSON object on stdout describing the outcome'
complete -c posta -n "__fish_posta_using_subcommand batch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c posta -n "__fish_posta_using_subcommand batch" -s V -l version -d 'Print version'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "send" -d 'Compose a message from flags and submit it'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "sendmail" -d 'Read a message on stdin and submit it, like sendmail(8)'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "serve" -d 'Take mail over SMTP from local programs, and submit it through a profile'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "profile" -d 'Manage account profiles in the config file'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "password" -d 'Store or delete a profile\'s password in the OS keyring'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "auth" -d 'Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "probe" -d 'Show what a server offers: greeting, capabilities, TLS and certificate'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "queue" -d 'Inspect and flush the queue of messages waiting for a retry'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "completions" -d 'Print a shell completion script to stdout, or install it where the shell looks'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "man" -d 'Print the man page to stdout, or write every page into a directory'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "batch" -d 'Send many finished messages over one connection (or a few), each like `sendmail -t`'
complete -c posta -n "__fish_posta_using_subcommand help; and not __fish_seen_subcommand_from send sendmail serve profile password auth probe queue completions man batch help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "list" -d 'List the profiles'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "show" -d 'Show one profile (never its secret)'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "add" -d 'Add a profile'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "remove" -d 'Remove a profile'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "test" -d 'Connect and authenticate with a profile, sending nothing'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from profile" -f -a "presets" -d 'List the built-in provider presets'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from password" -f -a "set" -d 'Store the password (read from a prompt or stdin)'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from password" -f -a "delete" -d 'Delete the stored password'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "login" -d 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "status" -d 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from auth" -f -a "logout" -d 'Revoke the login at the provider (where it offers revocation), then forget it'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "list" -d 'List queued messages'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "show" -d 'Show one queued message'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "flush" -d 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile\'s daily_limit waits until they do'
complete -c posta -n "__fish_posta_using_subcommand help; and __fish_seen_subcommand_from queue" -f -a "drop" -d 'Remove a message from the queue'
complete -c posta -n "__fish_posta_using_subcommand profile; and __fish_seen_subcommand_from show remove test" -f -a "(posta profile list --names 2>/dev/null)"
complete -c posta -n "__fish_posta_using_subcommand password; and __fish_seen_subcommand_from set delete" -f -a "(posta profile list --names 2>/dev/null)"
