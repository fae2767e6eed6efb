// The OAuth 2.0 authorization server of posta's end-to-end tests: npm oidc-provider (an
// OpenID-certified implementation) on loopback over plain http, started by
// scripts/oauth-server.sh. Its development login/consent pages accept any login (the
// login becomes the account id, so the `sub` that Dovecot's oauth2 passdb reads from the
// introspection response is the mail address typed in). Everything lives in memory: a
// restart forgets every grant.
//
// Clients:
//   posta        public native client (PKCE S256, loopback redirect on any port, RFC 8252
//                7.3), device flow, refresh tokens rotated on every use; access tokens
//                live POSTA_OAUTH_ACCESS_TTL seconds (default 600)
//   posta-short  the same with access tokens of POSTA_OAUTH_SHORT_TTL seconds (default 2),
//                for the expiry-and-refresh tests
//   dovecot      confidential; only introspects (Dovecot's oauth2 passdb)
import Provider from 'oidc-provider';

const port = Number(process.env.POSTA_OAUTH_PORT || 13080);
const host = '127.0.0.1';
const issuer = `http://${host}:${port}`;
const accessTtl = Number(process.env.POSTA_OAUTH_ACCESS_TTL || 600);
const shortTtl = Number(process.env.POSTA_OAUTH_SHORT_TTL || 2);
const introspectionSecret = process.env.POSTA_OAUTH_INTROSPECTION_SECRET || 'dovecot-introspection-secret';

const nativeClient = (id) => ({
  client_id: id,
  application_type: 'native',
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
  redirect_uris: ['http://127.0.0.1/'],
});

const provider = new Provider(issuer, {
  clients: [
    nativeClient('posta'),
    nativeClient('posta-short'),
    {
      client_id: 'dovecot',
      client_secret: introspectionSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  scopes: ['openid', 'offline_access', 'email', 'mail'],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    introspection: { enabled: true, allowedPolicy: async (ctx, client) => client.clientId === 'dovecot' || client.clientAuthMethod === 'none' },
    revocation: { enabled: true },
  },
  pkce: { required: () => true },
  // Every grant to a client allowed the refresh_token grant gets a refresh token, rotated at
  // each use (a reused one revokes the whole grant, as the big providers do).
  issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: () => true,
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email: id }),
  }),
  ttl: {
    AccessToken: (ctx, token, client) => (client && client.clientId === 'posta-short' ? shortTtl : accessTtl),
    RefreshToken: () => 14 * 24 * 60 * 60,
    DeviceCode: () => 600,
    Grant: () => 14 * 24 * 60 * 60,
    Interaction: () => 3600,
    Session: () => 3600,
    IdToken: () => 3600,
  },
  // The plain-http issuer is only ever on loopback.
  clientBasedCORS: () => false,
});
provider.proxy = false;
// Quieter log: the development-only warnings are expected here.
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.on('grant.revoked', (ctx, grantId) => console.log('grant revoked', grantId));

provider.listen(port, host, () => console.log(`oidc-provider listening on ${issuer}`));
