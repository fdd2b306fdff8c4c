package main

// This file is what 'cimd validate' (config mode) and 'cimd publish' share:
// the options of a check of the deployed copy, and the check itself, which
// package live does.

import (
	"context"
	"crypto/x509"
	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/fetch"
	"github.com/cimd-dev/cimd/live"
	"github.com/cimd-dev/cimd/validate"
)

// deployFlags are the settings of a check of the deployed copy that a
// command line gave; each one given (non-nil) overrides the config's
// [validate] table.
type deployFlags struct {
	profile      *string
	allowPrivate *bool
	timeout      *time.Duration
	cacert       *string
	wait         *time.Duration // nil: [validate] wait, else config.DefaultVerifyWait
	strict       bool
	pool         *fetch.Pool // shared by every environment's check; nil: none shared
}

// given returns v when the flag name was set on the command line, else nil.
func given[T any](fs *pflag.FlagSet, name string, v *T) *T {
	if fs.Changed(name) {
		return v
	}
	return nil
}

// deployedOptions fills the options of a check of c's deployed copy: a flag
// given wins over c's [validate] table, which wins over the defaults.
func deployedOptions(c *config.Config, df deployFlags) (live.Options, error) {
	v := c.Validate
	opts := live.Options{
		Options: validate.Options{Profile: validate.Profile(v.Profile), AllowPrivate: v.AllowPrivate},
		Timeout: v.Timeout.Duration, UserAgent: userAgent(), Strict: df.strict, Wait: v.Wait.Duration,
		Servers: v.Servers,
		Pool:    df.pool,
	}
	cacert := c.Abs(v.CACert)
	if df.profile != nil {
		opts.Profile = validate.Profile(*df.profile)
	}
	if df.allowPrivate != nil {
		opts.AllowPrivate = *df.allowPrivate
	}
	if df.timeout != nil {
		opts.Timeout = *df.timeout
	}
	switch {
	case df.wait != nil:
		opts.Wait = *df.wait
	case opts.Wait == 0:
		opts.Wait = config.DefaultVerifyWait
	}
	if df.cacert != nil {
		cacert = *df.cacert
	}
	var err error
	opts.ExtraRoots, err = loadCACert(cacert)
	return opts, err
}

// verifyDeployed checks c's live URL until it passes every rule and matches
// doc, or opts.Wait runs out. When c's [client.keys] publishes a jwks.json
// beside the document, the live JWK Set is checked and compared with the
// local one too, in the same poll.
func verifyDeployed(ctx context.Context, c *config.Config, doc []byte, opts live.Options, progress io.Writer) validate.Result {
	var jwksURL string
	var jwks []byte
	if ks, err := build.Keys(c); err == nil && ks != nil && ks.URI != "" {
		// err != nil cannot happen here: rendering doc read the same keys.
		jwksURL, jwks = ks.URI, ks.Data
	}
	r := live.New(opts).DeployedKeys(ctx, c.ClientID(), doc, jwksURL, jwks, progress)
	r.Target = configTarget(c)
	return r
}

// configTarget names an environment of a config file as a result's target.
func configTarget(c *config.Config) string {
	if c.Env == "" {
		return c.File
	}
	return c.File + " [env." + c.Env + "]"
}

// loadCACert returns the PEM certificates in file, which the fetch trusts
// in addition to the system roots (live.Options.ExtraRoots); none (nil)
// when file is "".
func loadCACert(file string) (*x509.CertPool, error) {
	if file == "" {
		return nil, nil
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, usagef("--cacert: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, usagef("--cacert %s: no PEM certificate found", file)
	}
	return pool, nil
}
