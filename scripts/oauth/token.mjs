// Prints a fresh access token of the test server for LOGIN, obtained with the device grant
// and drive.mjs: the e2e tests' stand-in for an external token tool (oauth_token_command).
//
//   node token.mjs ISSUER CLIENT_ID LOGIN
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [issuer, clientId, login] = process.argv.slice(2);
const post = async (path, fields) => {
  const res = await fetch(`${issuer}${path}`, {
    method: 'POST',
    body: new URLSearchParams(fields),
    signal: AbortSignal.timeout(10000),
  });
  return res.json();
};
const device = await post('/device/auth', { client_id: clientId, scope: 'openid offline_access' });
execFileSync(process.execPath, [fileURLToPath(new URL('drive.mjs', import.meta.url)), device.verification_uri_complete, login], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 30000 });
const token = await post('/token', {
  client_id: clientId,
  grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
  device_code: device.device_code,
});
if (!token.access_token) {
  console.error(JSON.stringify(token));
  process.exit(1);
}
console.log(token.access_token);
