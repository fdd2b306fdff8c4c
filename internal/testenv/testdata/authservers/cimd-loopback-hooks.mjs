// Test-only module hooks, registered by better-auth.mjs: @better-auth/cimd
// refuses client_id URLs (and the addresses they resolve to) on non-public
// hosts and has no setting to allow them, but the tests serve documents from
// 127.0.0.1. When a module of @better-auth/cimd imports the host helpers,
// it gets cimd-loopback-host.mjs instead, which changes that one check and
// nothing else. Every other importer sees the real module.
export async function resolve(specifier, context, nextResolve) {
  if (
    specifier === '@better-auth/core/utils/host'
    && context.parentURL?.includes('/node_modules/@better-auth/cimd/dist/')
  ) {
    return { url: new URL('./cimd-loopback-host.mjs', import.meta.url).href, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
