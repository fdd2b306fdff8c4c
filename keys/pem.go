package keys

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// marshalPEM encodes k as a PKCS #8 "PRIVATE KEY" PEM block, the one form
// openssl, Node and Go all read for the three key types.
func marshalPEM(k crypto.Signer) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParsePEM reads a private key from PEM: PKCS #8 ("PRIVATE KEY"), PKCS #1
// ("RSA PRIVATE KEY") or SEC 1 ("EC PRIVATE KEY"), as openssl and cloud
// consoles write them. Errors never quote the input: it is a secret.
func ParsePEM(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM block found (want -----BEGIN PRIVATE KEY-----)")
	}
	if _, ok := block.Headers["Proc-Type"]; ok {
		return nil, errors.New("the PEM key is encrypted: give it unencrypted (keep it secret by file mode or a CI secret instead)")
	}
	var k any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(block.Bytes)
	case "ENCRYPTED PRIVATE KEY":
		return nil, errors.New("the PEM key is encrypted: give it unencrypted (keep it secret by file mode or a CI secret instead)")
	default:
		return nil, fmt.Errorf("a PEM %q block is not a private key", block.Type)
	}
	if err != nil {
		// The parser's own message names structure, never key bytes.
		return nil, fmt.Errorf("cannot parse the %s: %v", block.Type, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("a %T cannot sign", k)
	}
	if _, err := algOf(s); err != nil {
		return nil, err
	}
	return s, nil
}
