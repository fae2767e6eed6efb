
use builtin;
use str;

set edit:completion:arg-completer[posta] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'posta'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'posta'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand send 'Compose a message from flags and submit it'
            cand sendmail 'Read a message on stdin and submit it, like sendmail(8)'
            cand serve 'Take mail over SMTP from local programs, and submit it through a profile'
            cand profile 'Manage account profiles in the config file'
            cand password 'Store or delete a profile''s password in the OS keyring'
            cand auth 'Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out'
            cand probe 'Show what a server offers: greeting, capabilities, TLS and certificate'
            cand queue 'Inspect and flush the queue of messages waiting for a retry'
            cand completions 'Print a shell completion script to stdout, or install it where the shell looks'
            cand man 'Print the man page to stdout, or write every page into a directory'
            cand batch 'Send many finished messages over one connection (or a few), each like `sendmail -t`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;send'= {
            cand --from 'Author, e.g. ''Jane Doe <jane@example.com>'' [default: the profile''s from]'
            cand --to 'To recipients (repeatable; comma-separated lists accepted)'
            cand --cc 'Cc recipients (repeatable; comma-separated lists accepted)'
            cand --bcc 'Bcc recipients: in the envelope, never in the message (repeatable)'
            cand --reply-to 'Reply-To addresses (repeatable)'
            cand -s 'Subject'
            cand --subject 'Subject'
            cand --body 'Text body'
            cand --body-file 'Text body from a file (''-'' is stdin)'
            cand --html 'HTML body (with a text body: multipart/alternative)'
            cand --html-file 'HTML body from a file (''-'' is stdin)'
            cand --markdown 'Markdown body: sent as text/plain and rendered as text/html (tables, code, footnotes); local images become inline parts'
            cand --markdown-file 'Markdown body from a file (''-'' is stdin); images are found relative to its directory'
            cand -a 'Attach a file, its type guessed from its name (repeatable); ''-'' is stdin, and a shell''s pipe (<(cmd)) works: either is spooled to a temporary file'
            cand --attach 'Attach a file, its type guessed from its name (repeatable); ''-'' is stdin, and a shell''s pipe (<(cmd)) works: either is spooled to a temporary file'
            cand --attach-name 'File name for the -a before it (default: the file''s own; ''attachment'' for a pipe)'
            cand --attach-type 'Content type for the -a before it, e.g. text/csv (default: guessed from the name)'
            cand --inline 'Inline a file for the HTML to reference as cid:<file name> (repeatable)'
            cand -H 'Extra header ''Name: value'' (repeatable)'
            cand --header 'Extra header ''Name: value'' (repeatable)'
            cand --in-reply-to 'Message-ID this message replies to'
            cand --references 'Message-IDs of the thread (repeatable)'
            cand --envelope-from 'Envelope sender (MAIL FROM) [default: the From address]'
            cand --dsn-notify 'Request delivery status notifications: NEVER or a list of SUCCESS,FAILURE,DELAY'
            cand --dsn-return 'What a bounce returns: the full message or only its headers'
            cand --queue 'On a temporary failure, queue the message (exit 75, "queued as ID") [default: the profile''s `queue`, else never]'
            cand --server 'Submission server, optionally with a port; or unix:PATH, a Unix socket'
            cand --port 'Port [default: 465 for tls, 587 for starttls, 25 for plain]'
            cand --security 'Connection security [default: tls on port 465, starttls otherwise]'
            cand --user 'User name for AUTH [default: the profile''s from address, else the From address]'
            cand --auth 'SASL mechanism'
            cand --password-command 'Command whose first line of output is the password (run by the shell)'
            cand --oauth-token-command 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)'
            cand --ca-file 'Trust the CA certificates in this PEM file (in place of the system roots)'
            cand --tls-cert 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key'
            cand --tls-key 'The client certificate''s private key (PEM, not encrypted); with --tls-cert'
            cand --tls-fingerprint 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match'
            cand --timeout 'Seconds to wait for the network at each step'
            cand --ehlo 'Name to announce in EHLO [default: this host''s name]'
            cand --protocol 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]'
            cand --proxy 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --markdown-allow-html 'Pass raw HTML in the Markdown through (by default it is escaped)'
            cand --dry-run 'Print the exact message bytes to stdout and the envelope to stderr; contact no server. With --json, stdout is one object instead: the bytes as base64 in `message_base64` up to 1 MiB (larger: null, and `message_omitted` says why)'
            cand --save-sent 'Once sent, save a copy (Bcc kept) in the account''s Sent folder over IMAP [default: the profile''s save_sent]'
            cand --no-save-sent 'Save no copy in Sent, whatever the profile says'
            cand --allow-insecure-auth 'Allow AUTH over a connection without TLS (loopback is always allowed)'
            cand --insecure 'Do not verify the server certificate (dangerous; a warning is printed)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;sendmail'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;serve'= {
            cand --listen 'Where to listen: 127.0.0.1:PORT, [::1]:PORT or unix:PATH (repeatable); started by a systemd socket unit, the sockets it passes are used too'
            cand --max-clients 'Clients served at once; one more is answered 421 and closed'
            cand --client-timeout 'Seconds a client may take for one command, and for one message''s data'
            cand --flush-interval 'Seconds between two runs of the queue (what is due is sent; 0: never)'
            cand --queue 'Which failures keep a message in the queue [default: any that is not the message''s own]'
            cand --server 'Submission server, optionally with a port; or unix:PATH, a Unix socket'
            cand --port 'Port [default: 465 for tls, 587 for starttls, 25 for plain]'
            cand --security 'Connection security [default: tls on port 465, starttls otherwise]'
            cand --user 'User name for AUTH [default: the profile''s from address, else the From address]'
            cand --auth 'SASL mechanism'
            cand --password-command 'Command whose first line of output is the password (run by the shell)'
            cand --oauth-token-command 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)'
            cand --ca-file 'Trust the CA certificates in this PEM file (in place of the system roots)'
            cand --tls-cert 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key'
            cand --tls-key 'The client certificate''s private key (PEM, not encrypted); with --tls-cert'
            cand --tls-fingerprint 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match'
            cand --timeout 'Seconds to wait for the network at each step'
            cand --ehlo 'Name to announce in EHLO [default: this host''s name]'
            cand --protocol 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]'
            cand --proxy 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --allow-insecure-auth 'Allow AUTH over a connection without TLS (loopback is always allowed)'
            cand --insecure 'Do not verify the server certificate (dangerous; a warning is printed)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List the profiles'
            cand show 'Show one profile (never its secret)'
            cand add 'Add a profile'
            cand remove 'Remove a profile'
            cand test 'Connect and authenticate with a profile, sending nothing'
            cand presets 'List the built-in provider presets'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;profile;list'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --names 'Print only the profiles'' names, one a line (what the shell completions call)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile;show'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile;add'= {
            cand --email 'The account''s e-mail address: the profile''s from, and the preset (or the DNS lookup of the server) is chosen from its domain'
            cand --from 'The profile''s From, e.g. ''Jane Doe <jane@example.com>'' [default: --email]'
            cand --preset 'Provider preset (see `posta profile presets`)'
            cand --oauth2-client-id 'The client id of your app registration at the provider (key oauth2_client_id), for `posta auth login`'
            cand --server 'Submission server, optionally with a port; or unix:PATH, a Unix socket'
            cand --port 'Port [default: 465 for tls, 587 for starttls, 25 for plain]'
            cand --security 'Connection security [default: tls on port 465, starttls otherwise]'
            cand --user 'User name for AUTH [default: the profile''s from address, else the From address]'
            cand --auth 'SASL mechanism'
            cand --password-command 'Command whose first line of output is the password (run by the shell)'
            cand --oauth-token-command 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)'
            cand --ca-file 'Trust the CA certificates in this PEM file (in place of the system roots)'
            cand --tls-cert 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key'
            cand --tls-key 'The client certificate''s private key (PEM, not encrypted); with --tls-cert'
            cand --tls-fingerprint 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match'
            cand --timeout 'Seconds to wait for the network at each step'
            cand --ehlo 'Name to announce in EHLO [default: this host''s name]'
            cand --protocol 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]'
            cand --proxy 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --yes 'Accept a server found in DNS outside the address''s domain (and not a known provider''s): without it, such an answer is shown and nothing is written'
            cand --allow-insecure-auth 'Allow AUTH over a connection without TLS (loopback is always allowed)'
            cand --insecure 'Do not verify the server certificate (dangerous; a warning is printed)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile;remove'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile;test'= {
            cand --server 'Submission server, optionally with a port; or unix:PATH, a Unix socket'
            cand --port 'Port [default: 465 for tls, 587 for starttls, 25 for plain]'
            cand --security 'Connection security [default: tls on port 465, starttls otherwise]'
            cand --user 'User name for AUTH [default: the profile''s from address, else the From address]'
            cand --auth 'SASL mechanism'
            cand --password-command 'Command whose first line of output is the password (run by the shell)'
            cand --oauth-token-command 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)'
            cand --ca-file 'Trust the CA certificates in this PEM file (in place of the system roots)'
            cand --tls-cert 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key'
            cand --tls-key 'The client certificate''s private key (PEM, not encrypted); with --tls-cert'
            cand --tls-fingerprint 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match'
            cand --timeout 'Seconds to wait for the network at each step'
            cand --ehlo 'Name to announce in EHLO [default: this host''s name]'
            cand --protocol 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]'
            cand --proxy 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --allow-insecure-auth 'Allow AUTH over a connection without TLS (loopback is always allowed)'
            cand --insecure 'Do not verify the server certificate (dangerous; a warning is printed)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile;presets'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;profile;help'= {
            cand list 'List the profiles'
            cand show 'Show one profile (never its secret)'
            cand add 'Add a profile'
            cand remove 'Remove a profile'
            cand test 'Connect and authenticate with a profile, sending nothing'
            cand presets 'List the built-in provider presets'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;profile;help;list'= {
        }
        &'posta;profile;help;show'= {
        }
        &'posta;profile;help;add'= {
        }
        &'posta;profile;help;remove'= {
        }
        &'posta;profile;help;test'= {
        }
        &'posta;profile;help;presets'= {
        }
        &'posta;profile;help;help'= {
        }
        &'posta;password'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand set 'Store the password (read from a prompt or stdin)'
            cand delete 'Delete the stored password'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;password;set'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;password;delete'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;password;help'= {
            cand set 'Store the password (read from a prompt or stdin)'
            cand delete 'Delete the stored password'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;password;help;set'= {
        }
        &'posta;password;help;delete'= {
        }
        &'posta;password;help;help'= {
        }
        &'posta;auth'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand login 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token'
            cand status 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)'
            cand logout 'Revoke the login at the provider (where it offers revocation), then forget it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;auth;login'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --device 'Show a code and a URL to open on any other device, and wait (RFC 8628): for servers and SSH sessions'
            cand --no-browser 'Print the URL to open instead of starting a browser'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;auth;status'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;auth;logout'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;auth;help'= {
            cand login 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token'
            cand status 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)'
            cand logout 'Revoke the login at the provider (where it offers revocation), then forget it'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;auth;help;login'= {
        }
        &'posta;auth;help;status'= {
        }
        &'posta;auth;help;logout'= {
        }
        &'posta;auth;help;help'= {
        }
        &'posta;probe'= {
            cand --server 'Submission server, optionally with a port; or unix:PATH, a Unix socket'
            cand --port 'Port [default: 465 for tls, 587 for starttls, 25 for plain]'
            cand --security 'Connection security [default: tls on port 465, starttls otherwise]'
            cand --user 'User name for AUTH [default: the profile''s from address, else the From address]'
            cand --auth 'SASL mechanism'
            cand --password-command 'Command whose first line of output is the password (run by the shell)'
            cand --oauth-token-command 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)'
            cand --ca-file 'Trust the CA certificates in this PEM file (in place of the system roots)'
            cand --tls-cert 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key'
            cand --tls-key 'The client certificate''s private key (PEM, not encrypted); with --tls-cert'
            cand --tls-fingerprint 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match'
            cand --timeout 'Seconds to wait for the network at each step'
            cand --ehlo 'Name to announce in EHLO [default: this host''s name]'
            cand --protocol 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]'
            cand --proxy 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --allow-insecure-auth 'Allow AUTH over a connection without TLS (loopback is always allowed)'
            cand --insecure 'Do not verify the server certificate (dangerous; a warning is printed)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;queue'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
            cand list 'List queued messages'
            cand show 'Show one queued message'
            cand flush 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile''s daily_limit waits until they do'
            cand drop 'Remove a message from the queue'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;queue;list'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;queue;show'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;queue;flush'= {
            cand --password-command 'Command whose first line of output is the password, for messages queued without a profile (else POSTA_PASSWORD or a prompt)'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --all 'Also try the messages whose next attempt is not due yet (daily limits still apply)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;queue;drop'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;queue;help'= {
            cand list 'List queued messages'
            cand show 'Show one queued message'
            cand flush 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile''s daily_limit waits until they do'
            cand drop 'Remove a message from the queue'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;queue;help;list'= {
        }
        &'posta;queue;help;show'= {
        }
        &'posta;queue;help;flush'= {
        }
        &'posta;queue;help;drop'= {
        }
        &'posta;queue;help;help'= {
        }
        &'posta;completions'= {
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --install 'Write the script into the shell''s directory for user completions (created if missing) instead of printing it'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;man'= {
            cand --dir 'Write posta.1 and one page per subcommand into this directory'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand -p 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --profile 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand --account 'Account profile to use [default: the one whose from is the message''s From, else the config''s `default`]'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;batch'= {
            cand --template 'Mail merge: a message with {{column}} placeholders, sent once per row of --data'
            cand --data 'Mail merge: a CSV file whose first row names the columns'
            cand -f 'Envelope sender (MAIL FROM) for every message [default: the profile''s from, else each From]'
            cand --envelope-from 'Envelope sender (MAIL FROM) for every message [default: the profile''s from, else each From]'
            cand --rate 'At most this many messages a second, a minute or an hour over all connections, e.g. 10/s, 30/m or 500/h'
            cand --connections 'Connections per profile, each sending one message at a time'
            cand --queue 'On a temporary failure, or when every profile reached its daily limit, queue the message for `posta queue flush` [default: the profile''s `queue`, else never]'
            cand --dry-run 'Send nothing: read and check every message (or merge row) as a real batch does and print its envelope as a JSON line; with --dry-run=DIR, write each message to DIR as NNNNN.eml with its envelope in NNNNN.json. No connection, no password'
            cand --server 'Submission server, optionally with a port; or unix:PATH, a Unix socket'
            cand --port 'Port [default: 465 for tls, 587 for starttls, 25 for plain]'
            cand --security 'Connection security [default: tls on port 465, starttls otherwise]'
            cand --user 'User name for AUTH [default: the profile''s from address, else the From address]'
            cand --auth 'SASL mechanism'
            cand --password-command 'Command whose first line of output is the password (run by the shell)'
            cand --oauth-token-command 'Command whose first line of output is a fresh OAuth2 access token, used with --auth xoauth2 or oauthbearer (auto picks OAUTHBEARER, else XOAUTH2)'
            cand --ca-file 'Trust the CA certificates in this PEM file (in place of the system roots)'
            cand --tls-cert 'Present this client certificate (PEM, the chain leaf first) when the server asks for one; with --tls-key'
            cand --tls-key 'The client certificate''s private key (PEM, not encrypted); with --tls-cert'
            cand --tls-fingerprint 'Accept only a server certificate that matches this pin: sha256:HEX (the certificate''s SHA-256; colons allowed, the sha256: may be left out) or spki:BASE64 (the SHA-256 of its public key, which a renewal with the same key keeps). Repeatable: any one may match'
            cand --timeout 'Seconds to wait for the network at each step'
            cand --ehlo 'Name to announce in EHLO [default: this host''s name]'
            cand --protocol 'The server''s protocol: smtp, or lmtp for a delivery agent (one reply per recipient after the message) [default: smtp]'
            cand --proxy 'Reach the server through this SOCKS5 proxy; socks5h: the proxy resolves the server''s name. A user may be given (USER@HOST); its password comes from POSTA_PROXY_PASSWORD or the profile''s proxy_password_* keys, never a flag'
            cand -p 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config''s `default`]'
            cand --profile 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config''s `default`]'
            cand --account 'Account profile to use, or a list a,b,c of profiles that share the messages [default: the config''s `default`]'
            cand -c 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --config 'Configuration file [default: $XDG_CONFIG_HOME/posta/config.toml]'
            cand --save-sent 'Save a copy of each message sent in its profile''s Sent folder over IMAP, one IMAP connection per profile for the whole batch (off unless given)'
            cand --allow-insecure-auth 'Allow AUTH over a connection without TLS (loopback is always allowed)'
            cand --insecure 'Do not verify the server certificate (dangerous; a warning is printed)'
            cand -v 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand --verbose 'Show the SMTP transcript on stderr (credentials hidden); twice: also the message bytes'
            cand -q 'Print nothing but errors'
            cand --quiet 'Print nothing but errors'
            cand --json 'Print one JSON object on stdout describing the outcome'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'posta;help'= {
            cand send 'Compose a message from flags and submit it'
            cand sendmail 'Read a message on stdin and submit it, like sendmail(8)'
            cand serve 'Take mail over SMTP from local programs, and submit it through a profile'
            cand profile 'Manage account profiles in the config file'
            cand password 'Store or delete a profile''s password in the OS keyring'
            cand auth 'Log in with OAuth 2.0 (a profile with oauth2_client_id), see the login, or log out'
            cand probe 'Show what a server offers: greeting, capabilities, TLS and certificate'
            cand queue 'Inspect and flush the queue of messages waiting for a retry'
            cand completions 'Print a shell completion script to stdout, or install it where the shell looks'
            cand man 'Print the man page to stdout, or write every page into a directory'
            cand batch 'Send many finished messages over one connection (or a few), each like `sendmail -t`'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'posta;help;send'= {
        }
        &'posta;help;sendmail'= {
        }
        &'posta;help;serve'= {
        }
        &'posta;help;profile'= {
            cand list 'List the profiles'
            cand show 'Show one profile (never its secret)'
            cand add 'Add a profile'
            cand remove 'Remove a profile'
            cand test 'Connect and authenticate with a profile, sending nothing'
            cand presets 'List the built-in provider presets'
        }
        &'posta;help;profile;list'= {
        }
        &'posta;help;profile;show'= {
        }
        &'posta;help;profile;add'= {
        }
        &'posta;help;profile;remove'= {
        }
        &'posta;help;profile;test'= {
        }
        &'posta;help;profile;presets'= {
        }
        &'posta;help;password'= {
            cand set 'Store the password (read from a prompt or stdin)'
            cand delete 'Delete the stored password'
        }
        &'posta;help;password;set'= {
        }
        &'posta;help;password;delete'= {
        }
        &'posta;help;auth'= {
            cand login 'Log in: the authorization code grant with PKCE in a browser (a redirect to 127.0.0.1), or the device grant with --device; stores the refresh token'
            cand status 'Show the stored login: scopes, expiry of the access token, where it is kept (never the tokens)'
            cand logout 'Revoke the login at the provider (where it offers revocation), then forget it'
        }
        &'posta;help;auth;login'= {
        }
        &'posta;help;auth;status'= {
        }
        &'posta;help;auth;logout'= {
        }
        &'posta;help;probe'= {
        }
        &'posta;help;queue'= {
            cand list 'List queued messages'
            cand show 'Show one queued message'
            cand flush 'Try to send what is due (retries back off from 1 minute to 1 hour; after 5 days a message is moved to failed/ and reported). A message whose recipients do not fit under its profile''s daily_limit waits until they do'
            cand drop 'Remove a message from the queue'
        }
        &'posta;help;queue;list'= {
        }
        &'posta;help;queue;show'= {
        }
        &'posta;help;queue;flush'= {
        }
        &'posta;help;queue;drop'= {
        }
        &'posta;help;completions'= {
        }
        &'posta;help;man'= {
        }
        &'posta;help;batch'= {
        }
        &'posta;help;help'= {
        }
    ]
    $completions[$command]
}
