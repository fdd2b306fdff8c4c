// The host helpers @better-auth/cimd sees in the tests (cimd-loopback-hooks.mjs):
// the real ones, except that isPublicRoutableHost also admits 127.0.0.1, where
// the tests' document server listens. Every other special-use host is still
// refused by the real check.
import * as real from '@better-auth/core/utils/host';

export const { classifyHost, isLoopbackHost, isLoopbackIP } = real;

export function isPublicRoutableHost(host) {
  return host === '127.0.0.1' || real.isPublicRoutableHost(host);
}
