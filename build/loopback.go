package build

import (
	"fmt"
	"slices"

	"github.com/cimd-dev/cimd/config"
)

// Budget is the most bytes a document may have for every server to accept
// it: Keycloak refuses a body over 5000 bytes, the others allow 5120.
const Budget = 5000

// RedirectURIs returns the document's redirect_uris: the listed ones in
// their order, then the loopback URIs [client.loopback] renders (in the
// order of [config.Loopback.URIs]) that are not listed already. It is nil
// when there are none, so that an absent redirect_uris stays absent.
func RedirectURIs(cl config.Client) []string {
	out := slices.Clone(cl.RedirectURIs)
	for _, u := range cl.Loopback.URIs() {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}

// BytesLeft returns how many bytes doc may still grow before a server
// refuses it (negative when it is over [Budget]).
func BytesLeft(doc []byte) int { return Budget - len(doc) }

// checkBudget refuses a document that [client.loopback] has pushed over the
// budget: the planner must never make a document that a server refuses. A
// document over the budget without it is left to the http-size rule.
func checkBudget(c *config.Config, doc []byte) error {
	if BytesLeft(doc) >= 0 || c.Client.Loopback == nil {
		return nil
	}
	added := len(RedirectURIs(c.Client)) - len(c.Client.RedirectURIs)
	if added == 0 {
		return nil
	}
	return fmt.Errorf("the document is %d bytes with the %d redirect URIs [client.loopback] adds, %d over the %d-byte budget (Keycloak's limit); list fewer hosts or ports", len(doc), added, -BytesLeft(doc), Budget)
}
