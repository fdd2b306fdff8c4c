// Shared by the server scripts: settings from the environment, and an HTTPS
// listener on an address the Go test helpers choose.
import { readFileSync } from 'node:fs';
import https from 'node:https';

// setting returns the value of the environment variable name, or def when
// it is unset or empty.
export function setting(name, def) {
  const v = process.env[name];
  return v === undefined || v === '' ? def : v;
}

// flag reads an on/off switch; anything else is a startup error, so a typo in
// a test cannot silently leave a feature in its default state.
export function flag(name, def) {
  const v = setting(name, def ? 'on' : 'off');
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new Error(`${name} must be "on" or "off", not ${JSON.stringify(v)}`);
}

// listen starts an HTTPS server on AS_ADDR:AS_PORT (port 0 picks a free one)
// with the certificate in AS_TLS_CERT and AS_TLS_KEY, then calls
// setup(issuer) for the request handler and prints "listening ISSUER" as
// one line on stdout, which is what the Go helpers wait for.
export function listen(setup) {
  const host = setting('AS_ADDR', '127.0.0.1');
  const port = Number(setting('AS_PORT', '0'));
  const server = https.createServer({
    cert: readFileSync(setting('AS_TLS_CERT')),
    key: readFileSync(setting('AS_TLS_KEY')),
  });
  server.listen(port, host, async () => {
    const { port: chosen } = server.address();
    const authority = host.includes(':') ? `[${host}]:${chosen}` : `${host}:${chosen}`;
    const issuer = `https://${authority}`;
    try {
      server.on('request', await setup(issuer));
    } catch (err) {
      console.error(err);
      process.exit(1);
    }
    process.stdout.write(`listening ${issuer}\n`);
  });
  // Nothing persists, so a stop need not wait for open keep-alive
  // connections to drain.
  for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => process.exit(0));
  }
}
