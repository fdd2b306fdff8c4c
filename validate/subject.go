package validate

import (
	"slices"
	"strconv"
	"strings"
	"sync"
)

// subject is what the server profiles judge: the client_id URL split once,
// the decoded document, its redirect_uris split once, and the response.
type subject struct {
	url  string
	p    uriParts
	host string // p.host without the brackets of an IP literal
	web  bool   // isWeb(p)
	doc  map[string]any
	http *HTTPInfo

	redirects []redirect // the string entries of redirect_uris

	// vals and present hold the members the rows read, found in one pass
	// over the document rather than a map lookup per row.
	vals      [len(keptMembers)]any
	present   [len(keptMembers)]bool
	grantList []string // grant_types, defaulted
	respList  []string // response_types, defaulted
	grantBuf  []string // the array of grantList when the document has one
	// grantsGiven: grant_types is an array, and grantBuf its strings.
	grantsGiven bool
	respBuf     []string // ... and of respList

	// Read in one pass over the document, since every profile asks.
	methodStr string   // token_endpoint_auth_method when it is a string
	methodOK  bool     // ... and it is one
	appType   string   // application_type when it is a string
	unknown   []string // members that are not registered client metadata, the first three sorted (sortFirst)
	forbidden []string // betterAuthForbidden members present, sorted

	// uris holds the URL-valued members, split once.
	uris [len(uriMembers)]struct {
		ok bool
		p  uriParts
	}

	// buf is the scratch array the rows' checks return their hits in: a
	// check's hits are merged before the next check runs, so one array
	// serves them all. scratch gives at most bufN of it, so that only
	// those need clearing, however large an earlier document made it.
	buf  []hit
	bufN int

	// facts are what the rows' gates test (see facts), found once; seen
	// are those found as the redirects and members are handed over.
	facts, seen facts

	// slab, findings and text are what is left of the slabs judge carves
	// its verdicts and findings from (see slabDocs) and writes its
	// messages into (see textSlab). putSubject keeps them: no part of
	// them has been handed out.
	slab     []verdict
	findings []Finding
	text     textSlab

	// portless memoises portlessLoopback, which several rows ask.
	portless [2]struct {
		done bool
		hits []hit
	}
}

// redirect is one string entry of redirect_uris.
type redirect struct {
	index    int
	raw      string
	p        rparts
	scheme   string // lower case
	host     string // without brackets
	loopback bool   // http(s) to localhost, 127.0.0.0/8 or ::1

	// What one pass over raw finds, for the rows that scan it.
	star bool // raw holds a '*'
	// control: raw holds an ASCII control character; in UTF-8 those bytes
	// are never part of another character.
	control bool
	// plain: raw is an http(s) URI of bytes that Go's net/url takes
	// anywhere, with a numeric port and no userinfo. Such a URI parses, so
	// the common case needs no parse.
	plain bool
}

// scanRaw sets r.star, r.control and r.plain in one pass over r.raw.
func (r *redirect) scanRaw(p uriParts) {
	var acc uint8
	for i := 0; i < len(r.raw); i++ {
		acc |= rawClass[r.raw[i]]
	}
	r.star, r.control = acc&rawStar != 0, acc&rawControl != 0
	r.plain = acc&rawNotPlain == 0 && p.hasAuthority && !p.hasUserinfo && strings.IndexByte(p.host, ':') < 0 && validPort(p)
}

// The classes of a byte of a redirect entry, for scanRaw.
const (
	rawNotPlain uint8 = 1 << iota // not a byte of a plain entry (plainByte)
	rawStar                       // '*'
	rawControl                    // an ASCII control character
)

var rawClass = func() (t [256]uint8) {
	for c := range 256 {
		if !plainByte[c] {
			t[c] |= rawNotPlain
		}
		if c == '*' {
			t[c] |= rawStar
		}
		if c < ' ' || c == 0x7f {
			t[c] |= rawControl
		}
	}
	return t
}()

func newSubject(rawURL string, doc map[string]any, http *HTTPInfo) *subject {
	s := new(subject)
	s.fill(rawURL, doc, http)
	return s
}

// subjects keeps subjects between calls of Compatibility, with their
// arrays: a subject does not outlive the call (findings hold only
// strings), and a 5 KB document would otherwise allocate some 20 KB of
// them for each call.
var subjects = sync.Pool{New: func() any { return new(subject) }}

// getSubject is newSubject from the pool; give it back with putSubject.
func getSubject(rawURL string, doc map[string]any, http *HTTPInfo) *subject {
	s := subjects.Get().(*subject)
	s.fill(rawURL, doc, http)
	return s
}

// putSubject returns s to the pool, keeping its arrays but nothing that
// points into the document.
func putSubject(s *subject) {
	clear(s.redirects)
	clear(s.buf[:s.bufN])
	clear(s.unknown)
	clear(s.forbidden)
	clear(s.grantBuf)
	clear(s.respBuf)
	// Field by field, and vals and uris only where fill set them: one
	// assignment of the whole subject copies its 2 KB with a bulk write
	// barrier while the GC runs, for every call.
	for i, ok := range s.present {
		if ok {
			s.vals[i] = nil
		}
	}
	s.present = [len(keptMembers)]bool{}
	for i := range s.uris {
		if s.uris[i].ok {
			s.uris[i].ok, s.uris[i].p = false, uriParts{}
		}
	}
	s.url, s.p, s.host, s.web, s.doc, s.http = "", uriParts{}, "", false, nil, nil
	s.redirects, s.buf, s.bufN, s.unknown, s.forbidden = s.redirects[:0], s.buf[:0], 0, s.unknown[:0], s.forbidden[:0]
	s.grantBuf, s.respBuf, s.grantList, s.respList, s.grantsGiven = s.grantBuf[:0], s.respBuf[:0], nil, nil, false
	s.methodStr, s.methodOK, s.appType, s.facts, s.seen = "", false, "", 0, 0
	s.portless = [2]struct {
		done bool
		hits []hit
	}{}
	subjects.Put(s)
}

// fill makes s the subject of doc served at rawURL. s is new, or was given
// back by putSubject: its slices are empty, with room to reuse.
func (s *subject) fill(rawURL string, doc map[string]any, http *HTTPInfo) {
	s.setURL(rawURL, splitURI(rawURL))
	list, _ := doc["redirect_uris"].([]any)
	s.redirects = slices.Grow(s.redirects[:0], len(list))
	for i, v := range list {
		if raw, ok := v.(string); ok {
			s.addRedirect(i, raw, splitURI(raw), nil)
		}
	}
	s.fillFrom(doc, http, false)
}

// setURL gives s the client_id URL, rawURL split into p; it comes before
// the redirects, whose facts depend on it.
func (s *subject) setURL(rawURL string, p uriParts) {
	s.url, s.p = rawURL, p
	s.host = trimBrackets(s.p.host)
	s.web = isWeb(p)
}

// addRedirect adds entry i of redirect_uris, raw split into p, to
// s.redirects, which has room for it, and its facts to s.seen. e is the
// entry as the §3 rules saw it, or nil.
func (s *subject) addRedirect(i int, raw string, p uriParts, e *redirectEntry) {
	// Filled in place: a redirect is large, and copying it in with append
	// costs a write barrier per pointer while the GC runs.
	n := len(s.redirects)
	s.redirects = s.redirects[:n+1]
	r := &s.redirects[n]
	r.index, r.raw, r.p = i, raw, compact(p)
	r.host = trimBrackets(p.host)
	if e != nil {
		r.scheme = e.scheme
	} else {
		r.scheme = strings.ToLower(p.scheme)
	}
	// The §3 rules' loopback of a valid entry is this one when its host
	// has no final dot and nothing to decode: no second parse.
	if e != nil && e.ok && p.hostname == r.host && !strings.HasSuffix(r.host, ".") {
		r.loopback = e.loopback
	} else {
		r.loopback = (r.scheme == "http" || r.scheme == "https") && p.hasAuthority && maybeLoopback(r.host) && isLoopbackHost(r.host)
	}
	r.scanRaw(p)
	s.seen |= s.redirectFacts(r)
}

// fillFrom is the rest of fill, with the URL set and s.redirects made.
// shared says that checkDocument has given s every member (member) and
// split the URL members into s.uris too.
func (s *subject) fillFrom(doc map[string]any, http *HTTPInfo, shared bool) {
	s.doc, s.http = doc, http
	if !shared {
		for k, v := range doc {
			s.member(k, v, true)
		}
	}
	s.bufN = len(s.redirects) + len(s.unknown) + len(s.forbidden) + 8
	s.buf = slices.Grow(s.buf[:0], s.bufN)
	sortFirst(s.unknown, 3)
	slices.Sort(s.forbidden)
	var ok bool
	if s.grantBuf, ok = appendStrings(s.grantBuf[:0], s.vals[mGrantTypes]); ok {
		s.grantsGiven = true
		s.grantList = s.grantBuf
	} else {
		s.grantList = defaultGrants
	}
	if s.respBuf, ok = appendStrings(s.respBuf[:0], s.vals[mResponseTypes]); ok {
		s.respList = s.respBuf
	} else {
		s.respList = defaultResponses
	}
	s.facts = s.findFacts()
}

// member takes in the document's member k of value v: one switch on the
// name keeps what the rows read and notes an unknown or forbidden member.
// With split, it also splits a URL member into s.uris.
func (s *subject) member(k string, v any, split bool) {
	if strings.IndexByte(k, '#') >= 0 {
		// Language-tagged (client_name#fr): never a member the rows read,
		// never registered; a document may have many.
		s.unknown = append(s.unknown, k)
		return
	}
	switch k {
	// Registered, and the commonest: no lookup needed.
	case "client_id", "software_id", "software_version":
	case "client_name":
		s.keep(mClientName, v)
	case "redirect_uris":
		s.keep(mRedirectURIs, v)
	case "grant_types":
		s.keep(mGrantTypes, v)
	case "response_types":
		s.keep(mResponseTypes, v)
	case "jwks":
		s.keep(mJWKS, v)
	case "scope":
		s.keep(mScope, v)
	case "contacts":
		s.keep(mContacts, v)
	case "token_endpoint_auth_method":
		s.methodStr, s.methodOK = v.(string)
	case "application_type":
		s.keep(mApplicationType, v)
		s.appType, _ = v.(string)
	case "token_endpoint_auth_methods_supported":
		// Client metadata (RULES.md doc-auth-methods), not registered
		// with IANA yet.
		s.keep(mAuthMethods, v)
	case "client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri":
		s.keep(memberIndex(k), v)
		s.urlMember(v)
		if str, ok := v.(string); ok && split {
			s.splitMember(uriIndex(k), splitURI(str))
		}
	case "initiate_login_uri", "sector_identifier_uri":
		s.keep(memberIndex(k), v)
		s.urlMember(v)
		s.notRegistered(k)
	case "token_endpoint_auth_signing_alg", "token_endpoint_auth_signing_alg_values_supported",
		"dpop_bound_access_tokens", "post_logout_redirect_uris":
		s.keep(memberIndex(k), v)
		s.notRegistered(k)
	case "skip_consent", "disabled", "require_pkce", "clientSecret", "user_id", "client_id_issued_at",
		"backchannel_logout_uri", "backchannel_logout_session_required":
		s.forbidden = append(s.forbidden, k)
		s.notRegistered(k)
	default:
		s.notRegistered(k)
	}
}

func (s *subject) keep(i int, v any) { s.vals[i], s.present[i] = v, true }

// urlMember notes the fact of a URL-valued member of value v that notHTTPS
// reads.
func (s *subject) urlMember(v any) {
	if notHTTPSValue(v) {
		s.seen |= fNotHTTPSMember
	}
}

// splitMember gives s uriMembers[i], split into p, and notes its fact.
func (s *subject) splitMember(i int, p uriParts) {
	s.uris[i].ok, s.uris[i].p = true, p
	if p.hasUserinfo || maybeJavaScript(p.scheme) || oddMemberHost(trimBrackets(p.host)) {
		s.seen |= fMemberHost
	}
}

// notRegistered notes k as unknown when it is not registered client
// metadata.
func (s *subject) notRegistered(k string) {
	if !registeredFields[k] {
		s.unknown = append(s.unknown, k)
	}
}

// The RFC 7591 defaults, shared: the lists are only read.
var (
	defaultGrants    = []string{"authorization_code"}
	defaultResponses = []string{"code"}
)

// sortFirst puts the n smallest of list first, in order, and the rest
// after them in no order: a row names the first three members it finds
// and counts the others, so the rest need no sorting.
func sortFirst(list []string, n int) {
	if len(list) <= n+1 {
		slices.Sort(list)
		return
	}
	for i := range n {
		m := i
		for j := i + 1; j < len(list); j++ {
			if list[j] < list[m] {
				m = j
			}
		}
		list[i], list[m] = list[m], list[i]
	}
}

// scratch returns the empty scratch buffer for a check's hits. The hits
// are good until the next check runs.
func (s *subject) scratch() []hit { return s.buf[:0:s.bufN] }

// maybeLoopback is a cheap test before isLoopbackHost: a loopback host is
// "localhost", an IPv4 literal or "::1", so it starts with a digit, an l or
// a colon. Most hosts are names, and parsing them as addresses allocates.
func maybeLoopback(host string) bool {
	return host != "" && ('0' <= host[0] && host[0] <= '9' || host[0] == 'l' || host[0] == 'L' || host[0] == ':')
}

// rparts is the part of uriParts the rows read of a redirect entry: a
// document may hold many entries, and a smaller entry is cheaper to keep.
type rparts struct {
	scheme, host, port, path, query                           string
	hasAuthority, hasUserinfo, hasPort, hasQuery, hasFragment bool
}

func compact(p uriParts) rparts {
	return rparts{scheme: p.scheme, host: p.host, port: p.port, path: p.path, query: p.query,
		hasAuthority: p.hasAuthority, hasUserinfo: p.hasUserinfo, hasPort: p.hasPort, hasQuery: p.hasQuery, hasFragment: p.hasFragment}
}

// full is p as uriParts, without the authority, hostname and fragment.
func (p rparts) full() uriParts {
	return uriParts{scheme: p.scheme, host: p.host, port: p.port, path: p.path, query: p.query,
		hasAuthority: p.hasAuthority, hasUserinfo: p.hasUserinfo, hasPort: p.hasPort, hasQuery: p.hasQuery, hasFragment: p.hasFragment}
}

func (r *redirect) field() string {
	if r.index < len(redirectFields) {
		return redirectFields[r.index]
	}
	return "redirect_uris[" + strconv.Itoa(r.index) + "]"
}

// redirectFields are the paths of the first entries of redirect_uris, made
// once: a finding on an entry names it.
var redirectFields = func() (t [128]string) {
	for i := range t {
		t[i] = "redirect_uris[" + strconv.Itoa(i) + "]"
	}
	return t
}()

// uriMembers are the URL-valued members that rows split, each once.
var uriMembers = [...]string{"client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri"}

// uriIndex is key's index in uriMembers, or -1, by a switch rather than a
// search.
func uriIndex(key string) int {
	switch key {
	case "client_uri":
		return 0
	case "logo_uri":
		return 1
	case "tos_uri":
		return 2
	case "policy_uri":
		return 3
	case "jwks_uri":
		return 4
	}
	return -1
}

// uriField returns doc[key] split into its parts, when it is a string.
func (s *subject) uriField(key string) (uriParts, bool) {
	i := uriIndex(key)
	if i < 0 {
		v, ok := s.str(key)
		return splitURI(v), ok
	}
	m := &s.uris[i]
	return m.p, m.ok
}

// keptMembers are the members newSubject keeps in vals.
var keptMembers = [...]string{
	"client_name", "redirect_uris", "grant_types", "response_types", "jwks", "jwks_uri",
	"token_endpoint_auth_methods_supported", "token_endpoint_auth_signing_alg",
	"token_endpoint_auth_signing_alg_values_supported", "scope", "contacts",
	"dpop_bound_access_tokens", "post_logout_redirect_uris", "application_type",
	"client_uri", "logo_uri", "tos_uri", "policy_uri", "initiate_login_uri", "sector_identifier_uri",
}

// The indices in keptMembers of the members read by index.
const (
	mClientName      = 0
	mRedirectURIs    = 1
	mGrantTypes      = 2
	mResponseTypes   = 3
	mJWKS            = 4
	mJWKSURI         = 5
	mAuthMethods     = 6
	mAuthAlgs        = 8
	mScope           = 9
	mContacts        = 10
	mDPoP            = 11
	mPostLogout      = 12
	mApplicationType = 13
	mClientURI       = 14
)

// memberIndex is key's index in keptMembers, or -1. A switch, which the
// compiler turns into a search on length and bytes: cheaper than hashing.
func memberIndex(key string) int {
	switch key {
	case "client_name":
		return 0
	case "redirect_uris":
		return 1
	case "grant_types":
		return 2
	case "response_types":
		return 3
	case "jwks":
		return 4
	case "jwks_uri":
		return 5
	case "token_endpoint_auth_methods_supported":
		return 6
	case "token_endpoint_auth_signing_alg":
		return 7
	case "token_endpoint_auth_signing_alg_values_supported":
		return 8
	case "scope":
		return 9
	case "contacts":
		return 10
	case "dpop_bound_access_tokens":
		return 11
	case "post_logout_redirect_uris":
		return 12
	case "application_type":
		return 13
	case "client_uri":
		return 14
	case "logo_uri":
		return 15
	case "tos_uri":
		return 16
	case "policy_uri":
		return 17
	case "initiate_login_uri":
		return 18
	case "sector_identifier_uri":
		return 19
	}
	return -1
}

// get returns doc[key], from vals when newSubject kept it.
func (s *subject) get(key string) (any, bool) {
	if i := memberIndex(key); i >= 0 {
		return s.vals[i], s.present[i]
	}
	v, ok := s.doc[key]
	return v, ok
}

// str returns doc[key] when it is a string.
func (s *subject) str(key string) (string, bool) {
	v, _ := s.get(key)
	str, ok := v.(string)
	return str, ok
}

func (s *subject) has(key string) bool {
	_, ok := s.get(key)
	return ok
}

// strings returns the string entries of doc[key], and whether it is an
// array.
func (s *subject) strings(key string) ([]string, bool) {
	v, _ := s.get(key)
	a, ok := v.([]any)
	if !ok {
		return nil, false
	}
	return s.appendStrings(make([]string, 0, len(a)), key)
}

// lists reports whether doc[key] is an array, and whether want is one of
// its entries, as strings would, without making the list.
func (s *subject) lists(key, want string) (isList, has bool) {
	v, _ := s.get(key)
	a, ok := v.([]any)
	if !ok {
		return false, false
	}
	for _, v := range a {
		if str, ok := v.(string); ok && str == want {
			return true, true
		}
	}
	return true, false
}

// appendStrings appends the string entries of doc[key] to dst, and says
// whether it is an array (dst is returned as it is when not).
func (s *subject) appendStrings(dst []string, key string) ([]string, bool) {
	v, _ := s.get(key)
	return appendStrings(dst, v)
}

// appendStrings appends the string entries of v to dst, and says whether
// v is an array (dst is returned as it is when not).
func appendStrings(dst []string, v any) ([]string, bool) {
	a, ok := v.([]any)
	if !ok {
		return dst, false
	}
	for _, v := range a {
		if str, ok := v.(string); ok {
			dst = append(dst, str)
		}
	}
	return dst, true
}

// grants is grant_types with the RFC 7591 default for an absent one.
func (s *subject) grants() []string { return s.grantList }

// responses is response_types with the RFC 7591 default.
func (s *subject) responses() []string { return s.respList }

// method is the declared token_endpoint_auth_method, "" when absent or not
// a string.
func (s *subject) method() string { return s.methodStr }

// listsNone reports whether token_endpoint_auth_methods_supported lists
// "none": servers that accept only public clients read it to let a client
// that prefers private_key_jwt in (ChatGPT's document).
func (s *subject) listsNone() bool {
	_, has := s.lists("token_endpoint_auth_methods_supported", "none")
	return has
}

func (s *subject) redirectStrings() []string {
	out := make([]string, len(s.redirects))
	for i, r := range s.redirects {
		out[i] = r.raw
	}
	return out
}

// portlessLoopback returns the loopback entries without a port that have no
// twin with the same scheme, host and path and a port: at a server that
// matches exactly, the random port a native client binds matches nothing.
// With localhostOnly, only entries to localhost count (a server that relaxes the
// port for IP literals only).
func (s *subject) portlessLoopback(localhostOnly bool) []hit {
	m := &s.portless[0]
	if localhostOnly {
		m = &s.portless[1]
	}
	if !m.done {
		m.done, m.hits = true, s.findPortless(localhostOnly)
	}
	return m.hits
}

func (s *subject) findPortless(localhostOnly bool) []hit {
	var out []hit
	for i := range s.redirects {
		r := &s.redirects[i]
		if !r.loopback || r.p.port != "" || (localhostOnly && !equalFoldASCII(r.host, "localhost")) {
			continue
		}
		twin := slices.ContainsFunc(s.redirects, func(o redirect) bool {
			return o.loopback && o.p.port != "" && o.scheme == r.scheme && equalFoldASCII(o.host, r.host) && o.p.path == r.p.path
		})
		if !twin {
			out = append(out, rhit(r, ""))
		}
	}
	return out
}

// quote is strconv.Quote, with a fast path for the printable ASCII that
// almost every entry is made of (where Quote only adds the quotes).
func quote(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c > '~' || c == '"' || c == '\\' {
			return strconv.Quote(s)
		}
	}
	return `"` + s + `"`
}

// trimBrackets is strings.Trim(host, "[]"), which builds its cut set on
// every call: hosts are trimmed for every entry and many rows.
func trimBrackets(host string) string {
	for len(host) > 0 && (host[0] == '[' || host[0] == ']') {
		host = host[1:]
	}
	for len(host) > 0 && (host[len(host)-1] == '[' || host[len(host)-1] == ']') {
		host = host[:len(host)-1]
	}
	return host
}
