// Plays the person at the browser for posta's end-to-end tests: opens an authorization or
// device-verification URL of the test server (server.mjs), keeps its cookies, and posts
// each page's form (the device code confirmation, the development login with LOGIN, the
// consent) until the server redirects to a non-server address (posta's loopback listener,
// which is then fetched once, like a browser would) or shows a page without a form.
//
//   node drive.mjs URL LOGIN [--deny]
//
// Exit 0 when done; 1 with a message when a step failed. Bounded: at most 20 requests,
// each with a 10 s timeout.
const [url, login = 'alice@example.test', mode] = process.argv.slice(2);
if (!url) {
  console.error('usage: node drive.mjs URL LOGIN [--deny]');
  process.exit(2);
}
const origin = new URL(url).origin;
const cookies = new Map();

function remember(res) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const eq = pair.indexOf('=');
    cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
  }
}

async function request(target, body) {
  const headers = { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') };
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(target, {
    method: body ? 'POST' : 'GET',
    headers,
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(10000),
  });
  remember(res);
  return res;
}

const attr = (tag, name) => {
  const m = tag.match(new RegExp(`\\b${name}="([^"]*)"`));
  return m ? m[1].replace(/&amp;/g, '&').replace(/&#x2F;/g, '/') : undefined;
};

function firstForm(html) {
  const m = html.match(/<form\b[^>]*>[\s\S]*?<\/form>/);
  if (!m) return undefined;
  const open = m[0].match(/<form\b[^>]*>/)[0];
  const fields = new URLSearchParams();
  for (const input of m[0].match(/<input\b[^>]*>/g) || []) {
    const name = attr(input, 'name');
    if (!name) continue;
    if (name === 'login') fields.set(name, login);
    else if (name === 'password') fields.set(name, 'any');
    else fields.set(name, attr(input, 'value') ?? '');
  }
  if (mode === '--deny' && fields.get('prompt') === 'consent') {
    return { action: attr(open, 'action').replace(/\/confirm$/, '/abort'), fields, deny: true };
  }
  return { action: attr(open, 'action') || '', fields };
}

let target = url;
let body;
for (let step = 0; step < 20; step += 1) {
  const res = await request(target, body);
  body = undefined;
  if (res.status >= 300 && res.status < 400) {
    const next = new URL(res.headers.get('location'), target);
    if (next.origin !== origin) {
      // The redirect back to the client: a browser would load it; so do we, once.
      const back = await fetch(next, { redirect: 'manual', signal: AbortSignal.timeout(10000) });
      console.log(`redirected to the client (${back.status})`);
      process.exit(0);
    }
    target = next.href;
    continue;
  }
  const html = await res.text();
  if (res.status >= 400) {
    console.error(`drive: ${res.status} at ${target}: ${html.slice(0, 500)}`);
    process.exit(1);
  }
  const form = firstForm(html);
  if (!form) {
    console.log('done: a page without a form');
    process.exit(0);
  }
  target = new URL(form.action, target).href;
  if (form.deny) {
    const res2 = await request(target);
    console.log(`denied (${res2.status})`);
    process.exit(0);
  }
  body = form.fields.toString();
}
console.error('drive: more than 20 steps');
process.exit(1);
