// Package keys manages the key pairs of a client that authenticates with
// private_key_jwt: it generates them (ES256, RS256, EdDSA), keeps them in a
// private directory with their rotation state, renders the public JWK Set,
// times retirement to the caches of authorization servers, and signs RFC
// 7523 client assertions.
//
// JWK and JWS are written by hand on the standard library's crypto: the
// three algorithms need a few lines each, and a JOSE library would bring a
// dependency (and its key parsing) for no gain in what is checked.
package keys
