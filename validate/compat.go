package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unsafe"
)

// Kind is what a broken server constraint does to a login (SERVERS.md
// "Severity").
type Kind int

// The kinds of a constraint.
const (
	// Refuses: the server's default configuration rejects the document,
	// its URL or its fetch.
	Refuses Kind = iota
	// Degrades: the document is accepted, but a login breaks or behaves
	// worse, or only some versions or a common setting refuse it.
	Degrades
	// Note: an admission or cache note, reported as info.
	Note
)

// Constraint is one row of a server profile's table in SERVERS.md.
type Constraint struct {
	Code     string // a server-* code, e.g. "server-url-query"
	Kind     Kind
	Base     string // the RULES.md rule raised for the same problem, or ""
	Source   string // the row's src column, e.g. "a, pv:keycloak-021"
	Reason   string // the server's reason, quoted in the message
	Live     bool   // needs a fetched response; skipped for a FILE target
	Inferred bool   // no source states it outright: never more than Degrades

	// always: a note that holds whatever the document says; it has no
	// check and is reported on every document.
	always bool

	// A message is head, then the detail and ": " when there is one, then
	// tail; both are made by prepare, and so is msg, the message of a hit
	// without detail.
	head string // the server's name and what it does: "auth0 refuses this client_id: "
	tail string // the reason and the sources: "reason (source; source)"
	msg  string

	refused uint16 // Code's index in refusalCodes, made by prepare

	// when are the facts of which the subject must have one for check to
	// fire: evaluate runs check only then (see facts).
	when facts

	// check returns the places where the subject breaks the row, or nil.
	// A nil check marks a row that cannot be decided from the URL, the
	// document and the response (it needs a setting of the server, or a
	// fetch cimd does not make); it never fires.
	check func(s *subject) []hit
}

// hit is one breach of a constraint: the JSON path it is about, and what in
// the subject breaks it ("" when the reason says it all). A hit on a
// redirect_uris entry names it by r and says the rest in detail, so that
// the path and the quoted entry are made only for the hits a message shows.
//
// A hit on a member (member true) names it in field, and its detail
// ("the member \"k\"") is written by appendDetail, likewise only when shown.
type hit struct {
	field, detail string
	r             *redirect
	member        bool
}

// rhit is a hit on entry r; detail follows the quoted entry.
func rhit(r *redirect, detail string) hit { return hit{detail: detail, r: r} }

// Server is the profile of one authorization server (SERVERS.md "Profiles").
type Server struct {
	Name      string            // stable lower-case name, as --servers takes it
	Title     string            // the product, as SERVERS.md heads it
	Sources   map[string]string // a source's letter -> a short citation
	Admission string            // the admission note, "" when none is stated
	Match     MatchMode
	Cache     CacheBounds
	Rows      []Constraint

	admission string // the server-admission message, made by prepare

	// notes are the findings that do not depend on the document (the
	// admission note and the always rows), in row order, made by prepare:
	// a server with no other finding reports this shared array.
	notes []Finding

	// steps are the rows with a check, in row order, made by prepare: a
	// small array evaluate walks instead of the rows themselves.
	steps []step
	// when is the union of the steps' when: a subject with none of these
	// facts fires no row of the server.
	when facts
}

// step is a row with a check, and what evaluate asks of it before running
// the check.
type step struct {
	check func(*subject) []hit
	row   *Constraint
	when  facts // row.when
	notes int   // how many of the server's notes come before the row
	live  bool  // row.Live
	url   bool  // a server-url- row, which runs without a document
}

// prepare makes the messages that do not depend on the document once, so
// that evaluating every profile on every document stays cheap.
func prepare(list [24]Server) [24]Server {
	refusalCodes = []string{""}
	runtimeRefusal = refusalIndex("redirect-runtime-mismatch")
	for i := range list {
		sv := &list[i]
		if sv.Admission != "" {
			sv.admission = sv.Name + " admits a client only when " + sv.Admission
		}
		if sv.admission != "" {
			sv.notes = append(sv.notes, Finding{Rule: "server-admission", Severity: Info, Server: sv.Name, Message: sv.admission})
		}
		for j := range sv.Rows {
			row := &sv.Rows[j]
			row.head = sv.Name + row.leadOf()
			row.tail = row.Reason + citation(row.Inferred, sv.citeOf(row.Source))
			row.msg = row.head + row.tail
			row.refused = refusalIndex(row.Code)
			if row.always {
				sv.notes = append(sv.notes, sv.finding(row, nil, false, nil))
			}
		}
		sv.notes = slices.Clip(sv.notes)
		notes := 0 // the notes before row j: the admission, and the always rows
		if sv.admission != "" {
			notes = 1
		}
		for j := range sv.Rows {
			switch row := &sv.Rows[j]; {
			case row.always:
				notes++
			case row.check != nil:
				sv.steps = append(sv.steps, step{row.check, row, row.when, notes, row.Live, strings.HasPrefix(row.Code, "server-url-")})
				sv.when |= row.when
			}
		}
		sv.steps = slices.Clip(sv.steps)
	}
	return list
}

// leadOf is what a message of row says between the server's name and the
// detail.
func (row *Constraint) leadOf() string {
	switch row.Kind {
	case Refuses:
		switch {
		case strings.HasPrefix(row.Code, "server-url-"):
			return " refuses this client_id: "
		case row.Live && row.Code != "server-jwks":
			return " refuses this response: "
		}
		return " refuses this document: "
	case Degrades:
		return " may fail the login: "
	}
	return ": "
}

// citeOf names the sources a row's src column lists, for the end of a message.
func (sv *Server) citeOf(src string) string {
	var out []string
	for _, part := range strings.Split(src, ",") {
		part = strings.TrimSpace(part)
		if t, ok := sv.Sources[part]; ok {
			out = append(out, t)
		} else if part != "" && !strings.HasPrefix(part, "-") {
			out = append(out, part)
		}
	}
	return strings.Join(out, "; ")
}

// ServerResult is the verdict of one server profile on a document, as
// [Verdicts.At] reads it.
type ServerResult struct {
	Server  string `json:"server"`
	Accepts bool   `json:"accepts"`
	// refused is the index in refusalCodes of the code RefusedBy returns.
	refused uint16
	// Findings may share its array with other results (and other calls):
	// read it, or copy it before changing an element.
	Findings []Finding `json:"findings"`
}

// RefusedBy is the code of the first finding that made Accepts false, or
// "" (and "" too when the body is not a JSON object).
func (r *ServerResult) RefusedBy() string { return refusalCodes[r.refused] }

// refusalCodes are the codes a result can be refused by: "" first (index
// 0, not refused), then every row's code and the runtime mismatch's, each
// once. prepare gives each row its index.
var refusalCodes []string

// refusalIndex is code's index in refusalCodes, added when new.
func refusalIndex(code string) uint16 {
	if i := slices.Index(refusalCodes, code); i >= 0 {
		return uint16(i)
	}
	refusalCodes = append(refusalCodes, code)
	return uint16(len(refusalCodes) - 1)
}

// runtimeRefusal is the index of the runtime mismatch's code.
var runtimeRefusal uint16

// CompatOptions tunes [Compatibility].
type CompatOptions struct {
	// Servers are the profiles the client must work with (--servers): a
	// constraint of theirs that refuses is an error, where it is a warning
	// for any other server.
	Servers []string
	// RedirectURIs are redirects the client really sends at run time
	// (--redirect-uri), checked with each server's matching mode.
	RedirectURIs []string
	// HTTP is what a live fetch saw; nil for a FILE target, which skips
	// the rows that need a response.
	HTTP *HTTPInfo
}

// Compatibility evaluates every server profile, in SERVERS.md order, on the
// document doc (as [Check] decoded it; nil when the body is not a JSON
// object) served at rawURL.
//
// Accepts is false when a constraint that refuses fires, or when a runtime
// redirect would not match; a finding that only degrades leaves it true.
// The profiles are additive: a base rule's error (RULES.md) is not repeated
// here, and does not make Accepts false on its own, so read the verdict
// together with Check's findings. With a nil doc only the URL rows run and
// every server is said not to accept the body.
func Compatibility(rawURL string, doc map[string]any, opts CompatOptions) Verdicts {
	s := getSubject(rawURL, doc, opts.HTTP)
	defer putSubject(s)
	return judge(s, opts)
}

// judge evaluates every server profile on s.
func judge(s *subject, opts CompatOptions) Verdicts {
	// Every server starts from its clean verdict, its verdict when none of
	// its rows fires: accepting a document (and not a body that is not a
	// JSON object: the zero verdict), with its notes for findings.
	vs := Verdicts{v: s.verdicts()}
	if s.doc != nil {
		copy(vs.v, cleanVerdicts[:])
	}
	// One array holds the findings of every server that has more than its
	// notes.
	if len(s.findings) < 8 {
		s.findings = make([]Finding, slabFindings)
	}
	all := s.findings[:0:len(s.findings)]
	for i, when := range serverWhen {
		if s.facts&when == 0 && len(opts.RedirectURIs) == 0 {
			continue
		}
		all = evaluate(&vs.v[i], &servers[i], s, listedAt(opts.Servers, i), opts.RedirectURIs, all)
	}
	if len(all) > 0 {
		vs.all = all[:len(all):len(all)]
	}
	if cap(all) == len(s.findings) {
		// Still in the slab: the next call takes what follows.
		s.findings = s.findings[len(all):]
	} else {
		// append outgrew it: the next call starts a new one.
		s.findings = nil
	}
	return vs
}

// The verdicts and findings of judge are carved from slabs, one
// allocation for several documents rather than one per call: a caller
// keeps what it is given, so a slab is never reused, only handed out
// piece by piece and left to the collector once every piece is dropped.
const (
	slabDocs     = 16 // the documents' verdicts in one slab (12 bytes a server)
	slabFindings = 32 // the findings in one slab
)

// verdicts returns a fresh, zero verdict for each server from the
// subject's slab.
func (s *subject) verdicts() []verdict {
	if len(s.slab) < len(servers) {
		s.slab = make([]verdict, slabDocs*len(servers))
	}
	v := s.slab[:len(servers):len(servers)]
	s.slab = s.slab[len(servers):]
	return v
}

// serverWhen is each server's when, side by side: judge reads them all
// for every document, and they fit in a few cache lines.
var serverWhen = func() (w [len(servers)]facts) {
	for i := range servers {
		w[i] = servers[i].when
	}
	return w
}()

// listedAt reports whether names lists servers[i]. Names usually come in
// SERVERS.md order (ParseServers makes them so): try the same position
// first.
func listedAt(names []string, i int) bool {
	name := servers[i].Name
	return i < len(names) && names[i] == name || slices.Contains(names, name)
}

// cleanVerdicts are each server's verdict on a document when none of its
// rows fires and no runtime redirect is checked: it accepts the document.
// (On a body that is not a JSON object, the zero verdict: it does not.)
var cleanVerdicts = func() (v [len(servers)]verdict) {
	for i := range v {
		v[i].accepts = true
	}
	return v
}()

// evaluate judges s by sv into v, which holds sv's clean verdict. Its
// findings stay sv.notes when nothing else fires, or else are appended to
// all (and the grown all is returned), and v says where. A row that fires makes its finding
// at once, after the notes of the rows before it, so the findings come in
// row order.
func evaluate(v *verdict, sv *Server, s *subject, listed bool, runtime []string, all []Finding) []Finding {
	start := len(all)
	noted := -1 // how many of sv.notes are in all[start:], -1 before any finding
	for k := range sv.steps {
		st := &sv.steps[k]
		if s.facts&st.when == 0 {
			continue
		}
		if st.live && s.http == nil {
			continue
		}
		if s.doc == nil && !st.url && !st.live {
			continue
		}
		h := st.check(s)
		if len(h) == 0 {
			continue
		}
		noted = max(noted, 0)
		all = append(all, sv.notes[noted:st.notes]...)
		noted = st.notes
		row := st.row
		all = append(all, sv.finding(row, h, listed, &s.text))
		if row.Kind == Refuses && !row.Inferred {
			v.refuse(row.refused)
		}
	}
	for _, rt := range runtime {
		if f, refused := sv.runtime(s, rt, listed); f != nil {
			all = append(all, sv.notes[max(noted, 0):]...)
			noted = len(sv.notes)
			all = append(all, *f)
			if refused {
				v.refuse(runtimeRefusal)
			}
		}
	}
	if noted < 0 {
		return all
	}
	all = append(all, sv.notes[noted:]...)
	v.own, v.from, v.to = true, uint32(start), uint32(len(all))
	return all
}

// The detail of a finding: a server's constraint is one finding, however
// many entries break it (the RULES.md findings name each entry). The field
// is the first hit's; the detail names up to three, each by its detail or,
// when there are several, else by its field. The detail is written into
// the message as it is built, so a finding costs one string.

// path is the JSON path of h.
func (h *hit) path() string {
	if h.r != nil {
		return h.r.field()
	}
	return h.field
}

// hasDetail reports whether appendDetail writes anything for h.
func (h *hit) hasDetail() bool { return h.r != nil || h.member || h.detail != "" }

// detailLen is about the length appendDetail writes.
func (h *hit) detailLen() int {
	switch {
	case h.r != nil:
		return len(h.r.raw) + 2 + len(h.detail)
	case h.member:
		return len(h.field) + 13
	}
	return len(h.detail)
}

// appendDetail appends the detail of h: a redirect entry quoted and what
// follows it, or "the member \"k\"", or h.detail.
func (h *hit) appendDetail(b []byte) []byte {
	switch {
	case h.r != nil:
		b = appendQuoted(b, h.r.raw)
		return append(b, h.detail...)
	case h.member:
		b = append(b, "the member "...)
		return appendQuoted(b, h.field)
	}
	return append(b, h.detail...)
}

// appendQuoted appends quote(s).
func appendQuoted(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.AppendQuote(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// details says what message writes for hits: nothing (0) when a single hit
// has no detail, and else about how many bytes.
func details(hits []hit) int {
	if len(hits) == 1 {
		if !hits[0].hasDetail() {
			return 0
		}
		return hits[0].detailLen()
	}
	n, some := 0, len(hits) > 3
	for i := range hits[:min(len(hits), 3)] {
		h := &hits[i]
		some = some || h.hasDetail() || h.field != ""
		n += max(h.detailLen(), len(h.field)) + 2
	}
	if !some {
		return 0
	}
	return n + 16
}

// appendDetails appends the detail of hits, which details says is not
// empty.
func appendDetails(b []byte, hits []hit) []byte {
	if len(hits) == 1 {
		return hits[0].appendDetail(b)
	}
	n := 0
	for i := range hits[:min(len(hits), 3)] {
		h := &hits[i]
		switch {
		case h.hasDetail():
			if n > 0 {
				b = append(b, ", "...)
			}
			b = h.appendDetail(b)
		case h.field != "":
			if n > 0 {
				b = append(b, ", "...)
			}
			b = append(b, h.field...)
		default:
			continue
		}
		n++
	}
	if len(hits) > 3 {
		b = append(b, " and "...)
		b = strconv.AppendInt(b, int64(len(hits)-3), 10)
		b = append(b, " more"...)
	}
	return b
}

// severity is a row's finding severity: refusals are errors only for a
// listed server, and an inferred row is never more than a warning.
func (row *Constraint) severity(listed bool) Severity {
	switch {
	case row.Kind == Note:
		return Info
	case row.Kind == Refuses && listed && !row.Inferred:
		return Error
	}
	return Warning
}

// finding is the finding of row broken by hits (nil for a note that
// always holds). A message with a detail is written into text.
func (sv *Server) finding(row *Constraint, hits []hit, listed bool, text *textSlab) Finding {
	f := Finding{Rule: row.Code, Severity: row.severity(listed), Server: sv.Name, Message: row.msg}
	if len(hits) > 0 {
		f.Field = hits[0].path()
		if n := details(hits); n > 0 {
			f.Message = row.message(hits, n, text)
		}
	}
	return f
}

// message says that the server breaks row, with what breaks it first in
// hits (about n bytes of detail; see details), written into text.
func (row *Constraint) message(hits []hit, n int, text *textSlab) string {
	b := text.room(len(row.head) + n + 2 + len(row.tail))
	b = append(b, row.head...)
	b = appendDetails(b, hits)
	b = append(b, ": "...)
	b = append(b, row.tail...)
	return text.string(b)
}

// A textSlab hands out the bytes of messages from one array, a few
// documents' worth, rather than one allocation per message (a document's
// messages are made on every validate and build, shown or not). As with
// the verdicts' slab, bytes handed out are never handed out again, so a
// string made over them (as strings.Builder makes its string) never
// changes. What is left of the slab is kept empty, with room for more.
type textSlab []byte

// textSlabBytes is the size of one slab; a message longer than a quarter
// of it gets an array of its own.
const textSlabBytes = 4096

// room returns an empty slice with room for n bytes that nothing else will
// be given. Appending past n moves the bytes to an array of their own, as
// append does.
func (t *textSlab) room(n int) []byte {
	if n > textSlabBytes/4 {
		return make([]byte, 0, n)
	}
	if cap(*t) < n {
		*t = make([]byte, 0, textSlabBytes)
	}
	b := (*t)[0:0:n]
	*t = (*t)[n:n]
	return b
}

// string returns b, which room gave, as a string without a copy: its bytes
// are written no more.
func (t *textSlab) string(b []byte) string {
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// citation is what follows a row's reason: its sources, cite, in
// parentheses, and whether it is inferred.
func citation(inferred bool, cite string) string {
	switch {
	case inferred && cite != "":
		return " (inferred; " + cite + ")"
	case inferred:
		return " (inferred)"
	case cite != "":
		return " (" + cite + ")"
	}
	return ""
}

// runtime checks one --redirect-uri against the document's redirect_uris
// under the server's matching mode. It returns nil when the redirect
// matches, and says whether the mismatch makes the server refuse the login
// (false when the mode is not known, or only inferred).
func (sv *Server) runtime(s *subject, uri string, listed bool) (*Finding, bool) {
	mode := sv.Match
	inferred := false
	if mode == MatchNativeLoopback {
		inferred = true
		mode = MatchExact
		if s.appType == "native" {
			mode = MatchLoopbackIPOnly
		}
	}
	registered := s.redirectStrings()
	if mode.Matches(registered, uri) {
		return nil, false
	}
	sev := Warning
	if listed && !inferred {
		sev = Error
	}
	msg := fmt.Sprintf("%s would refuse the redirect %q: under its %s matching no entry of redirect_uris matches it", sv.Name, uri, mode)
	if mode == MatchUnknown {
		// How it matches is not known: say what the likely readings give.
		if MatchLoopbackAnyPort.Matches(registered, uri) {
			return &Finding{Rule: "redirect-runtime-mismatch", Severity: Info, Server: sv.Name, Field: "redirect_uris",
				Message: fmt.Sprintf("%s may refuse the redirect %q: its matching rule is not documented; it matches only if %s relaxes loopback ports as RFC 8252 §7.3 asks", sv.Name, uri, sv.Name)}, false
		}
		msg = fmt.Sprintf("%s would refuse the redirect %q: its matching rule is not documented, but no entry of redirect_uris matches it even with RFC 8252's any-port loopback", sv.Name, uri)
	}
	if hint := runtimeHint(uri); hint != "" {
		msg += "; " + hint
	}
	return &Finding{Rule: "redirect-runtime-mismatch", Severity: sev, Server: sv.Name, Field: "redirect_uris", Message: msg}, !inferred
}

// runtimeHint suggests the entry that would match uri everywhere.
func runtimeHint(uri string) string {
	p := splitURI(uri)
	if strings.EqualFold(p.scheme, "http") && isLoopbackHost(trimBrackets(p.host)) && p.hasPort {
		return fmt.Sprintf("register %q (the port the client binds) in redirect_uris, e.g. with [client.loopback] ports", uri)
	}
	return fmt.Sprintf("add %q to redirect_uris", uri)
}

// ServerNames returns the profile names in SERVERS.md order.
func ServerNames() []string {
	names := make([]string, len(servers))
	for i := range servers {
		names[i] = servers[i].Name
	}
	return names
}

// Servers returns the server profiles in SERVERS.md order. The slice is a
// copy; the rows are shared and must not be changed.
func Servers() []Server { return slices.Clone(servers[:]) }

// serverIndex maps a profile name to its index in servers.
var serverIndex = func() map[string]int {
	m := make(map[string]int, len(servers))
	for i := range servers {
		m[servers[i].Name] = i
	}
	return m
}()

// ServerProfile returns the profile called name, or false.
func ServerProfile(name string) (Server, bool) {
	if i, ok := serverIndex[name]; ok {
		return servers[i], true
	}
	return Server{}, false
}

// ParseServers reads --servers values (each a comma-separated list of
// profile names, or "all") into the names they select, deduplicated and in
// SERVERS.md order. An unknown name is an error that lists the known ones.
func ParseServers(values []string) ([]string, error) {
	want := map[string]bool{}
	var unknown []string
	for _, v := range values {
		for _, name := range strings.Split(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			switch _, ok := ServerProfile(name); {
			case name == "":
			case name == "all":
				for _, n := range ServerNames() {
					want[n] = true
				}
			case ok:
				want[name] = true
			default:
				unknown = append(unknown, name)
			}
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown server %s; known: %s, or all", strings.Join(quoteAll(unknown), ", "), strings.Join(ServerNames(), ", "))
	}
	var out []string
	for _, n := range ServerNames() {
		if want[n] {
			out = append(out, n)
		}
	}
	return out, nil
}

func quoteAll(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}

// CompatibilityLine sums up vs in one line for the text output:
// "servers: keycloak ✓  auth0 ✗ url-length ...", naming for a server that
// does not accept the document the first refusing rule, without its
// "server-" prefix.
func CompatibilityLine(vs *Verdicts) string {
	var b strings.Builder
	b.WriteString("servers:")
	for i := range vs.Len() {
		r := vs.At(i)
		b.WriteString(" " + r.Server)
		if r.Accepts {
			b.WriteString(" ✓ ")
			continue
		}
		b.WriteString(" ✗")
		if code := r.RefusedBy(); code != "" {
			b.WriteString(" " + strings.TrimPrefix(code, "server-"))
		}
		b.WriteString(" ")
	}
	return strings.TrimRight(b.String(), " ")
}
