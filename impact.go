package main

// This file is publish's change impact: what replacing the live document
// with the new build does to the client's users, and the --retire guard
// for a publish that would move or replace a published client.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/live"
	"github.com/cimd-dev/cimd/publish"
	"github.com/cimd-dev/cimd/validate"
)

// States of an [impactJSON].
const (
	impactChanged   = "changed"   // the live document differs: see changes
	impactUnchanged = "unchanged" // the same JSON value is live
	impactNotLive   = "not live"  // nothing is served there yet: a new client
	impactUnknown   = "unknown"   // the live copy could not be read
)

// impactJSON is what replacing the live document does, as publish --json
// prints it.
type impactJSON struct {
	// Live is where the old document was read: the client_id URL (s3), or
	// the file in the publish root (dir).
	Live    string            `json:"live"`
	State   string            `json:"state"`            // "changed", "unchanged", "not live" or "unknown"
	Reason  string            `json:"reason,omitempty"` // why, for "not live" and "unknown"
	Changes []validate.Change `json:"changes"`
	// CacheControl is the old copy's Cache-Control (served, or for a dir
	// target the one configured), which bounds how long servers keep it.
	CacheControl string `json:"cache_control"`
	// Propagation is the worst case until servers see the change.
	Propagation *propagationJSON `json:"propagation,omitempty"`
	// Retire is true when the publish replaces another client (client_id
	// changed) and so needs --retire.
	Retire bool `json:"retire"`
}

// changeImpact reads the document that c's publish would replace and
// classifies the change to doc. For an s3 target that is the live copy at
// the client_id URL, fetched once as validate does (skipped with
// --no-verify: nil); for a dir target the file in the publish root, which
// is what gets deployed (nothing is fetched for dir).
//
// With jwks, doc is the JWK Set served beside the document, and the change
// is one of keys.
func (pr *publishRun) changeImpact(ctx context.Context, c *config.Config, doc []byte, jwks bool) (*impactJSON, error) {
	var (
		old []byte
		im  = &impactJSON{Changes: []validate.Change{}}
	)
	switch c.Publish.Target {
	case "s3":
		if pr.noVerify {
			return nil, nil
		}
		opts, err := deployedOptions(c, pr.verify)
		if err != nil {
			return nil, err
		}
		im.Live = c.ClientID()
		r := live.New(opts).Check(ctx, c.ClientID())
		switch {
		case r.HTTP == nil || r.HTTP.Status == 0:
			im.State, im.Reason = impactUnknown, "not fetched"
			for _, f := range r.Findings {
				if f.Severity == validate.Error {
					im.Reason = "not fetched: " + f.Rule + ": " + f.Message
				}
			}
			return im, nil
		case r.HTTP.Status == 404 || r.HTTP.Status == 410:
			im.State, im.Reason = impactNotLive, fmt.Sprintf("HTTP %d", r.HTTP.Status)
			return im, nil
		case r.HTTP.Status != 200:
			im.State, im.Reason = impactUnknown, fmt.Sprintf("HTTP %d", r.HTTP.Status)
			return im, nil
		}
		old, im.CacheControl = r.Body, r.HTTP.CacheControl
	case "dir":
		root := c.DirRoot()
		name := strings.TrimPrefix(c.Path, "/")
		im.Live = filepath.Join(root, filepath.FromSlash(name))
		if build.LinkUnder(root, name) != "" {
			return nil, nil // the publish refuses it, saying so
		}
		b, err := build.ReadExisting(root, name)
		switch {
		case errors.Is(err, fs.ErrNotExist) || (err == nil && b == nil):
			im.State, im.Reason = impactNotLive, "no file there yet"
			return im, nil
		case err != nil:
			return nil, fmt.Errorf("publish: %w", err)
		}
		old = b
		im.CacheControl = c.Publish.CacheControl
		if im.CacheControl == "" {
			im.CacheControl = config.DefaultCacheControl
		}
		if c.Publish.Dir.Site == "github-pages" {
			im.CacheControl = publish.PagesCacheControl
		}
	default:
		return nil, nil
	}
	changes, ok := validate.ImpactBytes(old, doc)
	if jwks {
		changes, ok = validate.ImpactJWKS(old, doc)
	}
	switch {
	case !ok:
		im.State, im.Reason = impactUnknown, "the live copy is not a JSON object"
		return im, nil
	case len(changes) == 0:
		im.State = impactUnchanged
		return im, nil
	}
	im.State, im.Changes = impactChanged, changes
	_, im.Retire = validate.ClientIDChange(changes)
	im.Propagation = propagation(im.CacheControl, c.Validate.Servers)
	return im, nil
}

// retireError is the refusal of a publish that replaces a published client
// without --retire.
func retireError(c *config.Config, im *impactJSON) error {
	ch, _ := validate.ClientIDChange(im.Changes)
	from, to, _ := strings.Cut(ch.Value, " -> ")
	return fmt.Errorf("%s: the document at %s is client %s, and this publish replaces it with %s: a new client, so the old one stops being served and every grant and consent made with it is lost; pass --retire if you mean to retire %s",
		envName(c), im.Live, from, to, from)
}

// printImpact writes the change impact for a dry run.
func printImpact(w io.Writer, im *impactJSON, retire bool) {
	live := printable(im.Live)
	switch im.State {
	case impactNotLive:
		fmt.Fprintf(w, "impact: none yet: nothing is live at %s (%s); servers see a new client\n", live, printable(im.Reason))
		return
	case impactUnknown:
		fmt.Fprintf(w, "impact: unknown: the live copy at %s could not be compared (%s)\n", live, printable(im.Reason))
		return
	case impactUnchanged:
		fmt.Fprintf(w, "impact: none: %s holds the same document\n", live)
		return
	}
	fmt.Fprintf(w, "impact on users of replacing %s:\n", live)
	for _, c := range im.Changes {
		tag := "notice  "
		if c.Breaking {
			tag = "breaking"
		}
		fmt.Fprintf(w, "  %s  %s: %s\n", tag, validate.KindTitle(c.Kind), printable(describeChange(c)))
		fmt.Fprintf(w, "            %s\n", printable(c.Effect))
	}
	if p := im.Propagation; p != nil {
		fmt.Fprintf(w, "  servers see it %s\n", printable(p.Text))
	}
	if im.Retire {
		if retire {
			fmt.Fprintln(w, "  --retire: the old client is retired by this publish")
		} else {
			fmt.Fprintln(w, "  publish refuses this without --retire")
		}
	}
}

// describeChange writes what changed: the URI added or removed, else the
// field and its old and new values.
func describeChange(c validate.Change) string {
	if c.Kind == validate.ChangeRedirectAdded || c.Kind == validate.ChangeRedirectRemoved {
		return c.Value
	}
	return c.Field + " " + c.Value
}
