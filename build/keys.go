package build

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/keys"
)

// JWKSName is the file name of the JWK Set published beside the document
// when [client.keys] publish is "jwks_uri".
const JWKSName = "jwks.json"

// KeySet is the public JWK Set [client.keys] publishes.
type KeySet struct {
	// Name is the JWK Set's path relative to the output directory, beside
	// the document, slash-separated; "" when the keys are inline.
	Name string
	// Data is the JWK Set file: indented JSON, public members only.
	Data []byte
}

// ApplyKeys adds what [client.keys] puts in c's document: the public keys
// of the store in private_dir (current and next) as jwks_uri, naming
// jwks.json beside the document, or inline as jwks; the auth method
// private_key_jwt when none is set; and token_endpoint_auth_signing_alg
// when every published key has the same algorithm (during a rotation to
// another algorithm it is left out, or a server that cached the document
// would refuse assertions signed with the new key). It reads no private
// key. A config without [client.keys] is left as it is (nil, nil).
func ApplyKeys(c *config.Config) (*KeySet, error) {
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
		return nil, fmt.Errorf("[client.keys]: no keys in %s: run 'cimd keys generate' (in CI, restore the key directory's state.json first)", store.Dir())
	}
	if c.Client.TokenEndpointAuthMethod == "" {
		c.Client.TokenEndpointAuthMethod = "private_key_jwt"
	}
	alg := set.Keys[0].Alg
	for _, jwk := range set.Keys[1:] {
		if jwk.Alg != alg {
			alg = ""
		}
	}
	c.Client.TokenEndpointAuthSigningAlg = alg

	data, err := json.MarshalIndent(set, "", "  ")
	if err != nil {
		return nil, err
	}
	data = append(data, '\n')
	if k.Publish == "inline" {
		var m map[string]any
		if err := json.Unmarshal(data, &m); err != nil {
			return nil, err
		}
		c.Client.Jwks = m
		return &KeySet{Data: data}, nil
	}
	name := path.Join(path.Dir(c.Path), JWKSName)
	if name == c.Path {
		return nil, fmt.Errorf("[client.keys]: the document's path %s is where its JWK Set goes; rename the document or use publish = \"inline\"", c.Path)
	}
	c.Client.JwksURI = "https://" + c.Host + name
	return &KeySet{Name: strings.TrimPrefix(name, "/"), Data: data}, nil
}
