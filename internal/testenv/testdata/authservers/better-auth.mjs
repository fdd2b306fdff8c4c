// Better Auth with @better-auth/oauth-provider and @better-auth/cimd on the
// memory adapter, for cimd's tests. Not for any other use: a module hook
// lets the CIMD plugin fetch from 127.0.0.1 (cimd-loopback-hooks.mjs), the
// secret is fixed, and nothing persists.
//
// Environment (see listen.mjs for AS_ADDR, AS_PORT, AS_TLS_CERT, AS_TLS_KEY):
//   AS_RESOURCES=a,b     the RFC 8707 resources it knows (default none)
//   AS_CIMD=on|off       install the cimd plugin (default on). With it off
//                        the metadata has no client_id_metadata_document_supported
//                        and no "none" (the provider lists "none" only when
//                        some public-client path exists).
//   AS_AUTH_NONE, AS_PKCE_S256: not configurable here: the provider lists
//                        "none" whenever CIMD is on and always advertises
//                        S256; the Go helpers rewrite the metadata instead.
// Documents are fetched with the CA in NODE_EXTRA_CA_CERTS, through the
// plugin's own Node transport (@better-auth/cimd/node).
import { register } from 'node:module';
import { flag, listen, setting } from './listen.mjs';

// The hook must be in place before the plugin is first imported, hence the
// dynamic imports below.
register('./cimd-loopback-hooks.mjs', import.meta.url);

const { betterAuth } = await import('better-auth');
const { jwt } = await import('better-auth/plugins');
const { toNodeHandler } = await import('better-auth/node');
const { memoryAdapter } = await import('@better-auth/memory-adapter');
const { oauthProvider } = await import('@better-auth/oauth-provider');
const { cimd } = await import('@better-auth/cimd');
const { fetchClientMetadataResource } = await import('@better-auth/cimd/node');

const cimdOn = flag('AS_CIMD', true);
// AS_RESOURCES=url,url: the RFC 8707 resources (MCP servers) the provider
// knows; a request naming another is refused with invalid_target.
const resources = setting('AS_RESOURCES', '').split(',').filter(Boolean);

listen(async (issuer) => {
  // The resources are seeded while the provider starts, before the loop
  // below creates the other tables.
  const db = { oauthResource: [] };
  const auth = betterAuth({
    baseURL: issuer,
    basePath: '/',
    secret: 'cimd-test-only-secret-0123456789abcdef',
    database: memoryAdapter(db),
    telemetry: { enabled: false },
    plugins: [
      jwt(),
      oauthProvider({
        loginPage: '/login',
        consentPage: '/consent',
        silenceWarnings: { oauthAuthServerConfig: true, openidConfig: true },
        resources,
        // Test only: the identifiers are https://127.0.0.1:PORT URLs.
        identifierValidator: async () => true,
        // Any client may ask for them: a CIMD client is never linked to one.
        enforcePerClientResources: false,
      }),
      ...(cimdOn ? [cimd({ fetchClientMetadataResource })] : []),
    ],
  });
  // The memory adapter needs every table to exist before the first read.
  const ctx = await auth.$context;
  for (const table of Object.values(ctx.tables)) {
    db[table.modelName] ??= [];
  }
  return toNodeHandler(auth);
});
