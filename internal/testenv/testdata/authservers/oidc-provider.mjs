// oidc-provider (panva/node-oidc-provider) with its Client ID Metadata
// Document feature, for cimd's tests. Not for any other use: it relaxes the
// provider's special-use address guard so it can fetch documents from
// 127.0.0.1, and it uses development interactions and throwaway keys.
//
// Environment (see listen.mjs for AS_ADDR, AS_PORT, AS_TLS_CERT, AS_TLS_KEY):
//   AS_CIMD=on|off        features.clientIdMetadataDocument (default on)
//   AS_RESOURCES=a,b      the RFC 8707 resources it knows (default none)
//   AS_AUTH_METHODS=a,b   clientAuthMethods (default: the provider's own list)
//   AS_AUTH_NONE=on|off   keep or drop "none" from that list (default on)
//   AS_LOG_SECRETS=on|off print each token endpoint answer's access_token and
//                         the request's client_assertion on stdout (default
//                         off), so a test can look for them in cimd's output
//   AS_PKCE_S256          not configurable here: the provider always
//                         advertises and requires S256 for public clients;
//                         the Go helpers rewrite the metadata instead.
// Documents are fetched with the CA in NODE_EXTRA_CA_CERTS.
import { generateKeyPairSync } from 'node:crypto';
import Provider, { errors } from 'oidc-provider';
import { flag, listen, setting } from './listen.mjs';

const defaultAuthMethods = [
  'client_secret_basic',
  'client_secret_jwt',
  'client_secret_post',
  'private_key_jwt',
  'none',
];

let authMethods = setting('AS_AUTH_METHODS', defaultAuthMethods.join(',')).split(',');
if (!flag('AS_AUTH_NONE', true)) {
  authMethods = authMethods.filter((m) => m !== 'none');
}

// One throwaway RS256 signing key per process (RS256 is the provider's
// default ID token algorithm).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig', kid: 'test' };

// AS_RESOURCES=url,url: the RFC 8707 resources (MCP servers) the provider
// knows; a request naming another is refused with invalid_target.
const resources = setting('AS_RESOURCES', '').split(',').filter(Boolean);

listen(async (issuer) => {
  const provider = new Provider(issuer, {
    clientAuthMethods: authMethods,
    cookies: { keys: ['cimd-test-only-cookie-key'] },
    jwks: { keys: [signingKey] },
    features: {
      // The feature is experimental: enabling it needs the draft it
      // implements acknowledged, or the provider refuses to start.
      clientIdMetadataDocument: { enabled: flag('AS_CIMD', true), ack: 'draft-02' },
      // client_credentials with private_key_jwt, for tests of client
      // assertions: a document with grant_types ["client_credentials"],
      // token_endpoint_auth_method "private_key_jwt" and jwks or jwks_uri.
      clientCredentials: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        getResourceServerInfo(ctx, resource) {
          if (!resources.includes(resource)) throw new errors.InvalidTarget();
          return { scope: '', accessTokenFormat: 'opaque' };
        },
      },
    },
    // Test only: the provider hands fetch a dispatcher that destroys
    // connections to special-use addresses (127.0.0.1 among them). Dropping
    // it lets the provider fetch documents from the tests' local server; the
    // rest of the request (timeout, manual redirects, body limit) is the
    // provider's own.
    fetch(url, options) {
      delete options.dispatcher;
      return globalThis.fetch(url, options);
    },
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  if (flag('AS_LOG_SECRETS', false)) {
    provider.use(async (ctx, next) => {
      await next();
      const assertion = ctx.oidc?.params?.client_assertion;
      if (assertion) process.stdout.write(`secret ${assertion}\n`);
      const token = ctx.body?.access_token;
      if (typeof token === 'string') process.stdout.write(`secret ${token}\n`);
    });
  }
  return provider.callback();
});
