package build

import (
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"strings"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/keys"
)

// JWKSName is the file name of the JWK Set published beside the document
// when [client.keys] publish is "jwks_uri".
const JWKSName = "jwks.json"

// KeySet is what [client.keys] adds to a document.
type KeySet struct {
	// Name is the JWK Set file's path relative to the output directory,
	// beside the document, slash-separated; "" when the keys are inline.
	Name string
	// Data is the JWK Set: indented JSON, public members only.
	Data []byte
	// URI is the document's jwks_uri, "" when inline.
	URI string
	// Alg is the document's token_endpoint_auth_signing_alg: the keys'
	// algorithm when they all have the same one, else "".
	Alg string
}

// Keys returns what c's [client.keys] adds to the document: the public
// keys of the store in private_dir (current and next) as jwks_uri, naming
// jwks.json beside the document, or inline as jwks; private_key_jwt as the
// auth method when none is set; and token_endpoint_auth_signing_alg when
// every published key has the same algorithm (during a rotation to another
// algorithm it is left out, or a server that cached the document would
// refuse assertions signed with the new key). It reads the store's state,
// never a private key. Without [client.keys] it returns nil, nil.
func Keys(c *config.Config) (*KeySet, error) {
	k := c.Client.Keys
	if !k.Set {
		return nil, nil
	}
	store, err := keys.Open(c.KeysDir(), nil)
	if err != nil {
		return nil, fmt.Errorf("[client.keys]: %w", err)
	}
	set := store.JWKS()
	if len(set.Keys) == 0 {
		return nil, fmt.Errorf("[client.keys]: no keys in %s: run 'cimd keys generate' (in a checkout, commit %s: it holds only public keys)", store.Dir(), filepath.Join(store.Dir(), "state.json"))
	}
	ks := &KeySet{Alg: set.Keys[0].Alg}
	for _, jwk := range set.Keys[1:] {
		if jwk.Alg != ks.Alg {
			ks.Alg = ""
		}
	}
	if ks.Data, err = json.MarshalIndent(set, "", "  "); err != nil {
		return nil, err
	}
	ks.Data = append(ks.Data, '\n')
	if k.Publish == "inline" {
		return ks, nil
	}
	name := JWKSPath(c)
	if name == c.Path {
		return nil, fmt.Errorf("[client.keys]: the document's path %s is where its JWK Set goes; rename the document or use publish = \"inline\"", c.Path)
	}
	ks.Name, ks.URI = strings.TrimPrefix(name, "/"), "https://"+c.Host+name
	return ks, nil
}

// JWKSPath returns the URL path of c's JWK Set file, beside the document,
// or "" when c has no [client.keys] or publishes them inline.
func JWKSPath(c *config.Config) string {
	if !c.Client.Keys.Set || c.Client.Keys.Publish == "inline" {
		return ""
	}
	return path.Join(path.Dir(c.Path), JWKSName)
}

// apply sets the members ks adds on cl, a copy of the config's client.
func (ks *KeySet) apply(cl *config.Client) error {
	if cl.TokenEndpointAuthMethod == "" {
		cl.TokenEndpointAuthMethod = "private_key_jwt"
	}
	cl.TokenEndpointAuthSigningAlg = ks.Alg
	if ks.URI != "" {
		cl.JwksURI = ks.URI
		return nil
	}
	return json.Unmarshal(ks.Data, &cl.Jwks)
}
