package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/cimd-dev/cimd/authserver"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/fetch"
	"github.com/cimd-dev/cimd/keys"
	"github.com/cimd-dev/cimd/live"
	"github.com/cimd-dev/cimd/validate"
)

const checkServerUsage = `
Usage: cimd check-server [URL ...] [-c FILE] [--env NAME | --all-envs]
                         [--client-id URL] [--redirect-uri URI] [--no-probe]
                         [--token client_credentials]
                         [--strict] [--json] [-q] [--sarif FILE] [--timeout DUR]
                         [--cacert FILE] [--allow-private]

Answers "will this authorization server accept our client, and will MCP
clients use CIMD there?" without a browser.

  URL                an MCP server URL (its 401 and RFC 9728 protected
                     resource metadata name the authorization server) or an
                     authorization server's issuer (RFC 8414, then OpenID
                     discovery).
  no URL             config mode: the servers of [check] servers in cimd.toml,
                     for each chosen environment.

The client is the document rendered from cimd.toml for each chosen
environment (it need not be deployed for the readiness rules, but the probe
makes the server fetch it), or with --client-id the hosted document at URL,
fetched as 'cimd validate URL' does.

For each server it lists the URLs discovery tried and what each answered,
runs the as-* readiness rules, says for each MCP client whether it will use
CIMD there, register dynamically, or fail, and (unless --no-probe) makes one
authorization request with the client's client_id, a redirect_uri of the
document, a fresh PKCE S256 challenge and a random state: no cookies, no
credentials, redirects not followed. The server's answer is accepted (a login
or consent step), rejected (with the server's own error) or inconclusive.

With --token client_credentials it then makes one POST to the token
endpoint: grant_type=client_credentials, the client_id, scope and resource
when known, and an RFC 7523 client assertion (aud = the server's issuer)
signed with the current key of 'cimd keys', or the PEM key in
CIMD_SIGNING_KEY (with --client-id, only that). The outcome is issued (with
token_type, expires_in and scope; the token itself is never printed),
refused (with the server's error and error_description), skipped (the
document does not use private_key_jwt, the token endpoint is not https) or
failed. Metadata that lacks client_credentials or private_key_jwt is said
before the request is made; a refused or failed request makes the server not
ready.
Every request goes through the same hardened client as validate; the
timeout, cacert and allow_private of [validate] are the defaults in config
mode.
Exit status: 0 every server ready, 1 one is not ready or a fetch failed,
2 usage or configuration error.
`

// checkServerFlags are check-server's own flags.
type checkServerFlags struct {
	clientID     string
	redirectURI  string
	noProbe      bool
	strict       bool
	timeout      time.Duration
	cacert       string
	allowPrivate bool
	token        string
}

func (cf *checkServerFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&cf.clientID, "client-id", "", "check the hosted document at `URL` instead of cimd.toml's")
	fs.StringVar(&cf.redirectURI, "redirect-uri", "", "the probe's redirect_uri `URI` (default: the document's first loopback entry, else its first)")
	fs.BoolVar(&cf.noProbe, "no-probe", false, "skip the authorization request; only discovery and the readiness rules")
	fs.BoolVar(&cf.strict, "strict", false, "warnings also make a server not ready (exit 1)")
	fs.DurationVar(&cf.timeout, "timeout", config.DefaultFetchTimeout, "bound each fetch (DNS, connect, TLS, headers and body) to `DUR`")
	fs.StringVar(&cf.cacert, "cacert", "", "also trust the PEM CA certificates in `FILE`")
	fs.BoolVar(&cf.allowPrivate, "allow-private", false, "allow loopback and private addresses (local servers)")
	fs.StringVar(&cf.token, "token", "", "also request a token with `GRANT` (client_credentials) and a client assertion; the token is never printed")
}

// serverCheck is one check-server job: a server and the client to check
// against it.
type serverCheck struct {
	target string
	env    string // the environment in config mode, "" otherwise
	client authserver.Client
	// clientFindings are what is wrong with the client itself (its rendered
	// or fetched document), reported with every server's result.
	clientFindings []validate.Finding
	file           *config.File // the cimd.toml in config mode, for --sarif's locations
}

// checkResult is one server's verdict as check-server prints it.
type checkResult struct {
	authserver.Result
	Env string `json:"env,omitempty"`
	// Suppressed are the findings [[suppress]] entries set aside.
	Suppressed []suppressedFinding `json:"suppressed,omitempty"`

	file *config.File // the cimd.toml in config mode
}

// name is how the result is named in text output.
func (r checkResult) name() string {
	if r.Env == "" {
		return r.Target
	}
	return r.Target + " [env." + r.Env + "]"
}

func runCheckServer(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "check-server", checkServerUsage)
	var ef envFlags
	ef.register(fs)
	var cf checkServerFlags
	cf.register(fs)
	var of outputFlags
	of.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if cf.timeout <= 0 {
		return usagef("check-server: --timeout %s: want a positive duration, e.g. 10s", cf.timeout)
	}
	if cf.token != "" && cf.token != authserver.GrantClientCredentials {
		return usagef("check-server: --token %q: the one grant it requests is client_credentials", printable(cf.token))
	}
	for _, u := range fs.Args() {
		if !isURLTarget(u) {
			return usagef("check-server: %q is not a URL: give an MCP server URL or an issuer (https://...)", printable(u))
		}
	}
	progress := s.err
	if of.json || of.quiet {
		progress = io.Discard
	}

	var checks []serverCheck
	var fopts fetch.Options
	var err error
	if cf.clientID != "" {
		if checks, fopts, err = hostedChecks(ctx, s, fs, cf, progress); err != nil {
			return err
		}
	} else if checks, fopts, err = configChecks(s, fs, &ef, &cf); err != nil {
		return configFailed(s, of, "check-server", err)
	}

	// One client for every request of the run: discovery and the probe.
	// It sends no Accept header: better-auth answers a probe that asks for
	// JSON with a JSON body instead of the redirect a browser gets.
	fc := fetch.New(fopts)
	opts := authserver.CheckOptions{Options: authserver.Options{Get: authserver.GetWith(fc), Post: authserver.PostWith(fc)},
		RedirectURI: cf.redirectURI, NoProbe: cf.noProbe, Token: cf.token}
	results := concurrently(ctx, checks, func(ctx context.Context, c serverCheck) checkResult {
		fmt.Fprintf(progress, "cimd: checking %s\n", printable(c.target))
		res, err := authserver.Check(ctx, c.target, c.client, opts)
		if err != nil && ctx.Err() == nil {
			// Not an http(s) URL the well-known rules can use (a query,
			// say): a finding, so that the other servers are still checked.
			res.Findings = append(res.Findings, validate.Finding{Rule: "as-discovery", Severity: validate.Error,
				Message: "cannot discover from this URL: " + err.Error()})
		}
		res.Findings = append(append([]validate.Finding{}, c.clientFindings...), res.Findings...)
		res.Judge(cf.strict)
		return checkResult{Result: res, Env: c.env, file: c.file}
	})
	if ctx.Err() != nil {
		return fmt.Errorf("check-server: interrupted")
	}
	suppressChecks(results, cf.strict)
	return reportCheckServer(s, of, results)
}

// fetchOptions fills the hardened client's options: a flag given wins over
// c's [validate] table (nil outside config mode), which wins over the
// defaults.
func (cf checkServerFlags) fetchOptions(c *config.Config, fs *pflag.FlagSet) (fetch.Options, error) {
	opts := fetch.Options{Timeout: cf.timeout, AllowPrivate: cf.allowPrivate, UserAgent: userAgent(),
		MaxBytes: authserver.MaxMetadataBytes}
	cacert := cf.cacert
	if c != nil {
		if !fs.Changed("timeout") {
			opts.Timeout = c.Validate.Timeout.Duration
		}
		if !fs.Changed("allow-private") {
			opts.AllowPrivate = c.Validate.AllowPrivate
		}
		if !fs.Changed("cacert") {
			cacert = c.Abs(c.Validate.CACert)
		}
	}
	var err error
	opts.ExtraRoots, err = loadCACert(cacert)
	return opts, err
}

// hostedChecks is check-server with --client-id: one check per URL
// argument, all of the document fetched from that URL.
func hostedChecks(ctx context.Context, s stdio, fs *pflag.FlagSet, cf checkServerFlags, progress io.Writer) ([]serverCheck, fetch.Options, error) {
	if fs.Changed("env") || fs.Changed("all-envs") || fs.Changed("config") {
		return nil, fetch.Options{}, usagef("check-server: -c, --env and --all-envs choose the client from cimd.toml; --client-id names it instead")
	}
	if fs.NArg() == 0 {
		return nil, fetch.Options{}, usagef("check-server: --client-id needs the servers to check as URL arguments")
	}
	var signer keys.Signer
	if cf.token != "" {
		pemKey := s.getenv(keys.EnvVar)
		if pemKey == "" {
			return nil, fetch.Options{}, usagef("check-server: --token with --client-id signs with the PEM private key in %s, which is empty (in config mode the key of 'cimd keys' signs)", keys.EnvVar)
		}
		var err error
		if signer, err = keys.PEMSigner([]byte(pemKey), ""); err != nil {
			return nil, fetch.Options{}, usagef("check-server: %s: %v", keys.EnvVar, err)
		}
	}
	fopts, err := cf.fetchOptions(nil, fs)
	if err != nil {
		return nil, fopts, err
	}
	fmt.Fprintf(progress, "cimd: fetching the client's document %s\n", printable(cf.clientID))
	client, findings := hostedClient(ctx, cf, fopts)
	client.Assert = asserter(signer, client.ClientID)
	var checks []serverCheck
	for _, u := range fs.Args() {
		checks = append(checks, serverCheck{target: u, client: client, clientFindings: findings})
	}
	return checks, fopts, nil
}

// hostedClient fetches the document at --client-id the way 'cimd validate
// URL' does and returns it as the client, with every error and warning the
// fetch found (http-content-type, say): a server may refuse what validate
// flags, or accept it today and refuse it after an upgrade.
func hostedClient(ctx context.Context, cf checkServerFlags, fopts fetch.Options) (authserver.Client, []validate.Finding) {
	checker := live.New(live.Options{Options: validate.Options{Profile: validate.ProfileMCP, AllowPrivate: cf.allowPrivate},
		Timeout: fopts.Timeout, ExtraRoots: fopts.ExtraRoots, UserAgent: fopts.UserAgent, Strict: cf.strict})
	r := checker.Check(ctx, cf.clientID)
	var findings []validate.Finding
	for _, f := range r.Findings {
		if f.Severity != validate.Info {
			f.Message = "the client's document: " + f.Message
			findings = append(findings, f)
		}
	}
	return authserver.Client{ClientID: cf.clientID, Document: r.Document}, findings
}

// configChecks turns each chosen environment into one check per server: the
// URL arguments, else its [check] servers. An environment without servers
// is skipped; none at all is a configuration error.
func configChecks(s stdio, fs *pflag.FlagSet, ef *envFlags, cf *checkServerFlags) ([]serverCheck, fetch.Options, error) {
	file, cfgs, err := ef.load()
	if err != nil {
		return nil, fetch.Options{}, err
	}
	// One fetch client per run: the first chosen environment's [validate]
	// under the flags.
	fopts, err := cf.fetchOptions(cfgs[0], fs)
	if err != nil {
		return nil, fopts, err
	}
	var checks []serverCheck
	for _, c := range cfgs {
		servers := fs.Args()
		if len(servers) == 0 {
			servers = c.Check.Servers
		}
		if len(servers) == 0 {
			continue
		}
		doc, findings, err := render(c)
		if err != nil {
			return nil, fopts, err
		}
		var decoded map[string]any
		if err := json.Unmarshal(doc, &decoded); err != nil {
			return nil, fopts, fmt.Errorf("%s: the rendered document: %w", envName(c), err)
		}
		var shown []validate.Finding
		for _, f := range findings {
			if f.Severity != validate.Info {
				shown = append(shown, f)
			}
		}
		client := authserver.Client{ClientID: c.ClientID(), Document: decoded}
		if cf.token != "" {
			signer, err := tokenSigner(s, c)
			if err != nil {
				// No key to sign with is a configuration error, found
				// before any request is made.
				return nil, fopts, usagef("check-server: %v", err)
			}
			client.Assert = asserter(signer, client.ClientID)
		}
		for _, u := range servers {
			checks = append(checks, serverCheck{target: u, env: c.Env, client: client, clientFindings: prefixed(c, shown), file: file})
		}
	}
	if len(checks) == 0 {
		return nil, fopts, usagef("check-server: no servers to check: list them in [check] servers of %s, or give URL arguments", file.Path)
	}
	return checks, fopts, nil
}

// tokenSigner is the key that signs --token's client assertion for the
// environment c: the current key of its [client.keys] store (the PEM key
// in CIMD_SIGNING_KEY instead when set, as 'cimd assert' does), or without
// [client.keys] the key in CIMD_SIGNING_KEY alone. Neither is a
// configuration error: --token asked for a signature.
func tokenSigner(s stdio, c *config.Config) (keys.Signer, error) {
	pemKey := s.getenv(keys.EnvVar)
	if !c.Client.Keys.Set {
		if pemKey == "" {
			return nil, fmt.Errorf("%s: --token needs a key to sign the client assertion: [client.keys] is not set and %s is empty", envName(c), keys.EnvVar)
		}
		signer, err := keys.PEMSigner([]byte(pemKey), "")
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", envName(c), keys.EnvVar, err)
		}
		return signer, nil
	}
	if msg := c.KeysDirProblem(); msg != "" {
		return nil, fmt.Errorf("%s: [client.keys] private_dir: %s", c.File, msg)
	}
	store, err := keys.Open(c.KeysDir(), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: --token: %w", envName(c), err)
	}
	var signer keys.Signer
	if pemKey != "" {
		if signer, err = store.EnvSigner([]byte(pemKey), ""); err != nil {
			return nil, fmt.Errorf("%s: --token: %s: %w", envName(c), keys.EnvVar, err)
		}
	} else if signer, err = store.Signer(""); err != nil {
		return nil, fmt.Errorf("%s: --token: %w", envName(c), err)
	}
	return signer, nil
}

// asserter signs a fresh client assertion for clientID per audience; nil
// without a signer.
func asserter(signer keys.Signer, clientID string) func(aud string) (string, error) {
	if signer == nil {
		return nil
	}
	return func(aud string) (string, error) {
		return keys.Assert(signer, keys.Claims{ClientID: clientID, Audience: aud})
	}
}

// concurrently runs job on every item, at most maxConcurrent at a time, and
// returns the results in the order of items.
func concurrently[T, R any](ctx context.Context, items []T, job func(context.Context, T) R) []R {
	out := make([]R, len(items))
	sem := make(chan struct{}, maxConcurrent)
	var wg sync.WaitGroup
	for i, it := range items {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = job(ctx, it)
		}()
	}
	wg.Wait()
	return out
}

// reportCheckServer prints the results (text, JSON or quiet), annotates
// them and writes the server x client table for GitHub, and returns
// errFailed when a server is not ready.
func reportCheckServer(s stdio, of outputFlags, results []checkResult) error {
	gh := newGitHub(s)
	raw := make([]authserver.Result, len(results))
	for i, r := range results {
		raw[i] = r.Result
		// The findings are about a server, not a cimd.toml key: the
		// annotation names the server.
		named := make([]validate.Finding, len(r.Findings))
		for j, f := range r.Findings {
			f.Message = r.name() + ": " + f.Message
			named[j] = f
		}
		gh.annotate(named, origin{})
	}
	if err := gh.writeTable("check-server", clientTable(results)); err != nil {
		return err
	}
	report := authserver.NewReport(raw)
	switch {
	case of.json:
		if err := writeJSON(s.out, struct {
			OK      bool          `json:"ok"`
			Ready   bool          `json:"ready"`
			Results []checkResult `json:"results"`
		}{report.Ready, report.Ready, results}); err != nil {
			return err
		}
	case of.quiet:
		for _, r := range results {
			printFindings(s.err, r.name()+": ", of.shown(r.Findings), true, newPainter(s, s.err))
		}
	default:
		writeServerText(s.out, results, of.verbose, newPainter(s, s.out))
		n := 0
		for _, r := range results {
			n += len(r.Suppressed)
		}
		if n > 0 {
			fmt.Fprintf(s.out, "\n%s suppressed by [[suppress]] in %s\n", plural(n, "finding"), printable(results[0].file.Path))
		}
	}
	if of.sarif != "" {
		targets := make([]sarifTarget, len(results))
		for i, r := range results {
			targets[i] = sarifTarget{Origin: origin{r.file, r.Env}, URL: r.Target, Findings: r.Findings, Suppressed: r.Suppressed}
		}
		if err := writeSARIF(s, of.sarif, targets...); err != nil {
			return err
		}
	}
	if !report.Ready {
		return errFailed
	}
	return nil
}

// clientTable is the step summary: one row per server, its verdict, the
// probe, then one column per MCP client.
func clientTable(results []checkResult) [][]string {
	header := []string{"server", "verdict", "probe"}
	// --token adds its outcome after the probe's.
	withToken := slices.ContainsFunc(results, func(r checkResult) bool { return r.Token != nil })
	if withToken {
		header = append(header, "token")
	}
	fixed := len(header)
	if len(results) > 0 {
		for _, c := range results[0].Clients {
			header = append(header, c.Name)
		}
	}
	rows := [][]string{header}
	for _, r := range results {
		verdict := "✗ not ready"
		if r.Ready {
			verdict = "✓ ready"
		}
		row := []string{r.name(), verdict, r.Probe.Outcome}
		if withToken {
			outcome := "–"
			if r.Token != nil {
				outcome = r.Token.Outcome
			}
			row = append(row, outcome)
		}
		if len(r.Clients) == 0 {
			for range header[fixed:] {
				row = append(row, "–")
			}
		}
		for _, c := range r.Clients {
			mark, _ := clientWords(c.Outcome)
			row = append(row, mark)
		}
		rows = append(rows, row)
	}
	return rows
}

// writeServerText prints check-server's human-readable report: per server
// a headline, the issuer, metadata URL and client, the URLs tried with what
// each answered, the findings, the probe and one line per MCP client.
func writeServerText(w io.Writer, results []checkResult, verbose bool, p painter) {
	writeBlocks(w, results, func(r checkResult) bool { return r.Ready }, "ready", func(r checkResult) {
		writeServerBlock(w, r, verbose, p)
	})
}

// writeServerBlock prints one server of check-server's text report.
func writeServerBlock(w io.Writer, r checkResult, verbose bool, p painter) {
	fmt.Fprintf(w, "%s  %s\n", p.verdict(r.Ready, "✓ ready", "✗ not ready"), printable(r.name()))
	if r.Issuer != "" {
		fmt.Fprintf(w, "  issuer:    %s\n", printable(r.Issuer))
		fmt.Fprintf(w, "  metadata:  %s\n", printable(r.MetadataURL))
	}
	fmt.Fprintf(w, "  client:    %s\n", printable(r.ClientID))
	fmt.Fprintf(w, "  tried:\n")
	for _, t := range r.Tried {
		used := ""
		if t.Error == "" && t.Status == 200 && (t.URL == r.MetadataURL || (r.Discovery != nil && t.URL == r.Discovery.ResourceMetadataURL)) {
			used = " · used"
		}
		fmt.Fprintf(w, "    %s  %s%s\n", printable(t.URL), printable(answered(t)), used)
	}
	var shown []validate.Finding
	for _, f := range r.Findings {
		if !strings.HasPrefix(f.Rule, "as-probe-") && !strings.HasPrefix(f.Rule, "as-token-") {
			shown = append(shown, f)
		}
	}
	printFindings(w, "  ", shown, verbose, p)
	fmt.Fprintf(w, "  probe:     %s\n", probeLine(r.Probe, p))
	if r.Token != nil {
		fmt.Fprintf(w, "  token:     %s\n", tokenLine(*r.Token, p))
	}
	if len(r.Clients) > 0 {
		fmt.Fprintf(w, "  clients:\n")
	}
	for _, c := range r.Clients {
		mark := p.ok("✓")
		switch c.Outcome {
		case authserver.OutcomeRegistration:
			mark = p.paint("33", "↩")
		case authserver.OutcomeFail:
			mark = p.bad("✗")
		}
		_, verb := clientWords(c.Outcome)
		fmt.Fprintf(w, "    %s %-14s %s: %s\n", mark, c.Name, verb, printable(c.Why))
	}
}

// clientWords are how an MCP client's outcome is written: with a mark in
// the summary table, as a verb in the text report. Anything else fails.
func clientWords(outcome string) (mark, verb string) {
	switch outcome {
	case authserver.OutcomeCIMD:
		return "✓ CIMD", "uses CIMD"
	case authserver.OutcomeRegistration:
		return "↩ registers", "registers"
	}
	return "✗ fails", "fails"
}

// answered says what one tried URL answered: its status, content type and
// Location, or why nothing came, and why it was not used.
func answered(t authserver.Tried) string {
	var parts []string
	if t.Status == 0 {
		parts = append(parts, "no response")
	} else {
		parts = append(parts, fmt.Sprintf("%d", t.Status))
		if t.ContentType != "" {
			parts = append(parts, t.ContentType)
		}
	}
	if t.Location != "" {
		parts = append(parts, "→ "+t.Location)
	}
	if t.Error != "" && (t.Status == 200 || t.Status == 0) {
		parts = append(parts, t.Error)
	}
	return strings.Join(parts, " · ")
}

// probeLine describes the probe's outcome: the server's status, Location,
// error and error_description or page text, and why it was read so.
func probeLine(pr authserver.Probe, p painter) string {
	var label string
	switch pr.Outcome {
	case authserver.ProbeAccepted:
		label = p.ok(pr.Outcome)
	case authserver.ProbeRejected:
		label = p.bad(pr.Outcome)
	case authserver.ProbeInconclusive:
		label = p.paint("33", pr.Outcome)
	default:
		label = pr.Outcome
	}
	// Everything but the label came from the server: escaped.
	var parts []string
	if pr.Status != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", pr.Status))
	}
	if pr.Location != "" {
		parts = append(parts, "Location "+pr.Location)
	}
	if pr.Error != "" {
		parts = append(parts, authserver.ErrorText(pr.Error, pr.ErrorDescription))
	} else if pr.Text != "" {
		parts = append(parts, `page "`+pr.Text+`"`)
	}
	if pr.Reason != "" && pr.Reason != fmt.Sprintf("status %d", pr.Status) {
		parts = append(parts, pr.Reason)
	}
	if len(parts) == 0 {
		return label
	}
	return label + " · " + printable(strings.Join(parts, " · "))
}

// tokenLine describes --token's outcome on one line: the grant, the
// status, what the server said (token_type, expires_in and scope, or its
// error and error_description), why it was skipped or failed, and what the
// metadata said against it. Everything but the label came from the server
// or the metadata: escaped.
func tokenLine(t authserver.Token, p painter) string {
	var label string
	switch t.Outcome {
	case authserver.TokenIssued:
		label = p.ok(t.Outcome)
	case authserver.TokenRefused, authserver.TokenFailed:
		label = p.bad(t.Outcome)
	default:
		label = p.paint("33", t.Outcome)
	}
	parts := []string{t.Grant}
	if t.Status != 0 {
		parts = append(parts, fmt.Sprintf("HTTP %d", t.Status))
	}
	if t.Outcome == authserver.TokenIssued {
		parts = append(parts, "token_type "+t.TokenType, fmt.Sprintf("expires_in %d", t.ExpiresIn))
		if t.Scope != "" {
			parts = append(parts, `scope "`+t.Scope+`"`)
		}
	}
	if e := authserver.ErrorText(t.Error, t.ErrorDescription); e != "" {
		parts = append(parts, e)
	}
	if t.Reason != "" {
		parts = append(parts, t.Reason)
	}
	parts = append(parts, t.Notes...)
	return label + " · " + printable(strings.Join(parts, " · "))
}
