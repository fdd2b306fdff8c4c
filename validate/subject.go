package validate

import (
	"slices"
	"strconv"
	"strings"
)

// subject is what the server profiles judge: the client_id URL split once,
// the decoded document, its redirect_uris split once, and the response.
type subject struct {
	url  string
	p    uriParts
	host string // p.host without the brackets of an IP literal
	doc  map[string]any
	http *HTTPInfo

	redirects []redirect // the string entries of redirect_uris
	grantList []string   // grant_types, defaulted
	respList  []string   // response_types, defaulted

	// uris memoises uriField for the URL-valued members.
	uris [len(uriMembers)]struct {
		done, ok bool
		p        uriParts
	}

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
	p        uriParts
	scheme   string // lower case
	host     string // without brackets
	loopback bool   // http(s) to localhost, 127.0.0.0/8 or ::1
}

func newSubject(rawURL string, doc map[string]any, http *HTTPInfo) *subject {
	s := &subject{url: rawURL, p: splitURI(rawURL), doc: doc, http: http}
	s.host = strings.Trim(s.p.host, "[]")
	list, _ := doc["redirect_uris"].([]any)
	s.redirects = make([]redirect, 0, len(list))
	for i, v := range list {
		raw, ok := v.(string)
		if !ok {
			continue
		}
		p := splitURI(raw)
		r := redirect{index: i, raw: raw, p: p, scheme: strings.ToLower(p.scheme), host: strings.Trim(p.host, "[]")}
		r.loopback = (r.scheme == "http" || r.scheme == "https") && p.hasAuthority && maybeLoopback(r.host) && isLoopbackHost(r.host)
		s.redirects = append(s.redirects, r)
	}
	var ok bool
	if s.grantList, ok = s.strings("grant_types"); !ok {
		s.grantList = []string{"authorization_code"}
	}
	if s.respList, ok = s.strings("response_types"); !ok {
		s.respList = []string{"code"}
	}
	return s
}

// maybeLoopback is a cheap test before isLoopbackHost: a loopback host is
// "localhost", an IPv4 literal or "::1", so it starts with a digit, an l or
// a colon. Most hosts are names, and parsing them as addresses allocates.
func maybeLoopback(host string) bool {
	return host != "" && ('0' <= host[0] && host[0] <= '9' || host[0] == 'l' || host[0] == 'L' || host[0] == ':')
}

func (r *redirect) field() string { return "redirect_uris[" + strconv.Itoa(r.index) + "]" }

// uriMembers are the URL-valued members that rows split, each once.
var uriMembers = [...]string{"client_uri", "logo_uri", "tos_uri", "policy_uri", "jwks_uri"}

// uriField returns doc[key] split into its parts, when it is a string.
func (s *subject) uriField(key string) (uriParts, bool) {
	i := slices.Index(uriMembers[:], key)
	if i < 0 {
		v, ok := s.str(key)
		return splitURI(v), ok
	}
	m := &s.uris[i]
	if !m.done {
		v, ok := s.str(key)
		m.done, m.ok = true, ok
		if ok {
			m.p = splitURI(v)
		}
	}
	return m.p, m.ok
}

// str returns doc[key] when it is a string.
func (s *subject) str(key string) (string, bool) {
	v, ok := s.doc[key].(string)
	return v, ok
}

func (s *subject) has(key string) bool {
	_, ok := s.doc[key]
	return ok
}

// strings returns the string entries of doc[key], and whether it is an
// array.
func (s *subject) strings(key string) ([]string, bool) {
	a, ok := s.doc[key].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(a))
	for _, v := range a {
		if str, ok := v.(string); ok {
			out = append(out, str)
		}
	}
	return out, true
}

// grants is grant_types with the RFC 7591 default for an absent one.
func (s *subject) grants() []string { return s.grantList }

// responses is response_types with the RFC 7591 default.
func (s *subject) responses() []string { return s.respList }

// method is the declared token_endpoint_auth_method, "" when absent or not
// a string.
func (s *subject) method() string {
	m, _ := s.str("token_endpoint_auth_method")
	return m
}

// listsNone reports whether token_endpoint_auth_methods_supported lists
// "none": servers that accept only public clients read it to let a client
// that prefers private_key_jwt in (ChatGPT's document).
func (s *subject) listsNone() bool {
	l, _ := s.strings("token_endpoint_auth_methods_supported")
	return slices.Contains(l, "none")
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
	for _, r := range s.redirects {
		if !r.loopback || r.p.port != "" || (localhostOnly && !equalFoldASCII(r.host, "localhost")) {
			continue
		}
		twin := slices.ContainsFunc(s.redirects, func(o redirect) bool {
			return o.loopback && o.p.port != "" && o.scheme == r.scheme && equalFoldASCII(o.host, r.host) && o.p.path == r.p.path
		})
		if !twin {
			out = append(out, hit{r.field(), quote(r.raw)})
		}
	}
	return out
}

func quote(s string) string { return strconv.Quote(s) }
