package authserver

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Challenge is one authentication challenge of a WWW-Authenticate header
// (RFC 9110 §11.6.1): a scheme and either a token68 or parameters.
type Challenge struct {
	Scheme  string            // as sent; compare with strings.EqualFold
	Token68 string            // "" when the challenge has parameters
	Params  map[string]string // names lower-cased, values unquoted
}

// Limits on what a challenge parser accepts: a header is attacker-controlled,
// and nothing legitimate comes close to these.
const (
	maxChallengeBytes  = 16 << 10
	maxChallenges      = 32
	maxChallengeParams = 64
)

// errDuplicateParam marks a challenge that names one parameter twice, which
// RFC 9110 forbids; its value is then unknowable, so it is not used.
var errDuplicateParam = errors.New("a parameter appears twice")

// ParseChallenges parses the WWW-Authenticate header values of one response.
// It returns every challenge it could read; err says where the first
// malformed one starts, and nothing after that point is returned. A
// parameter named twice in one challenge is dropped from it (and reported in
// err), since two values for one name cannot both be right.
func ParseChallenges(values []string) ([]Challenge, error) {
	var all []Challenge
	total := 0
	for _, v := range values {
		total += len(v)
		if total > maxChallengeBytes {
			return all, fmt.Errorf("WWW-Authenticate is longer than %d bytes", maxChallengeBytes)
		}
		cs, err := parseChallengeList(v)
		all = append(all, cs...)
		if len(all) > maxChallenges {
			return all[:maxChallenges], fmt.Errorf("more than %d challenges", maxChallenges)
		}
		if err != nil {
			return all, err
		}
	}
	return all, nil
}

// ResourceMetadataURL returns the resource_metadata parameter of the first
// Bearer challenge in h that has one (RFC 9728 §5.1), or "". A malformed
// header gives "" unless a Bearer challenge with the parameter was complete
// before the damage: clients then fall back to the well-known URLs.
func ResourceMetadataURL(h http.Header) (string, error) {
	cs, err := ParseChallenges(h.Values("WWW-Authenticate"))
	for _, c := range cs {
		if strings.EqualFold(c.Scheme, "Bearer") {
			if u, ok := c.Params["resource_metadata"]; ok {
				return u, nil
			}
		}
	}
	return "", err
}

// bearerParam returns the named parameter of the first Bearer challenge in h.
func bearerParam(h http.Header, name string) string {
	cs, _ := ParseChallenges(h.Values("WWW-Authenticate"))
	for _, c := range cs {
		if strings.EqualFold(c.Scheme, "Bearer") {
			if v, ok := c.Params[name]; ok {
				return v
			}
		}
	}
	return ""
}

// challengeParser reads one header value. The grammar (RFC 9110 §11.6.1,
// §5.6):
//
//	challenge  = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
//	auth-param = token BWS "=" BWS ( token / quoted-string )
//	token68    = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
//
// The challenges themselves are a comma-separated list, so a comma ends a
// parameter and a bare token after a comma starts the next challenge.
type challengeParser struct {
	s   string
	pos int
}

func parseChallengeList(s string) ([]Challenge, error) {
	p := &challengeParser{s: s}
	var out []Challenge
	for {
		p.skipListSeparators()
		if p.eof() {
			return out, nil
		}
		start := p.pos
		scheme := p.token()
		if scheme == "" {
			return out, p.errorf("expected an auth-scheme")
		}
		c := Challenge{Scheme: scheme, Params: map[string]string{}}
		if p.skipSpaces() && !p.eof() && p.peek() != ',' {
			if t, ok := p.token68(); ok {
				c.Token68 = t
			} else if err := p.params(&c); err != nil {
				if errors.Is(err, errDuplicateParam) {
					out = append(out, c)
				}
				return out, fmt.Errorf("challenge at byte %d: %w", start, err)
			}
		}
		if !p.eof() && p.peek() != ',' && !isTchar(p.peek()) {
			return out, p.errorf("unexpected %q after challenge", p.s[p.pos])
		}
		out = append(out, c)
	}
}

// params reads auth-params until the list ends or an element that is not a
// parameter (the next challenge's scheme) begins.
func (p *challengeParser) params(c *Challenge) error {
	dup := ""
	for {
		save := p.pos
		name := p.token()
		p.skipOWS()
		if name == "" || !p.consume('=') {
			p.pos = save
			if name == "" {
				return p.errorf("expected a parameter name")
			}
			break // a bare token: the next challenge
		}
		p.skipOWS()
		var value string
		if !p.eof() && p.peek() == '"' {
			v, err := p.quoted()
			if err != nil {
				return err
			}
			value = v
		} else if value = p.bareValue(); value == "" {
			return p.errorf("parameter %q has no value", name)
		}
		key := strings.ToLower(name)
		if _, seen := c.Params[key]; seen || key == dup {
			delete(c.Params, key)
			dup = key
		} else if len(c.Params) >= maxChallengeParams {
			return fmt.Errorf("more than %d parameters", maxChallengeParams)
		} else {
			c.Params[key] = value
		}
		p.skipOWS()
		if p.eof() {
			break
		}
		if p.peek() != ',' {
			return p.errorf("expected ',' after parameter %q", name)
		}
		p.skipListSeparators()
		if p.eof() {
			break
		}
	}
	if dup != "" {
		return fmt.Errorf("%w: %q", errDuplicateParam, dup)
	}
	return nil
}

// token68 reads a token68 if one stands here, alone up to the end of the
// challenge; otherwise it leaves the position alone.
func (p *challengeParser) token68() (string, bool) {
	start := p.pos
	for !p.eof() && isToken68Char(p.peek()) {
		p.pos++
	}
	if p.pos == start {
		return "", false
	}
	for !p.eof() && p.peek() == '=' {
		p.pos++
	}
	end := p.pos
	p.skipOWS()
	if p.eof() || p.peek() == ',' {
		return p.s[start:end], true
	}
	p.pos = start
	return "", false
}

// quoted reads a quoted-string and returns its unescaped content.
func (p *challengeParser) quoted() (string, error) {
	start := p.pos
	p.pos++ // the opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.s[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c == '\\':
			p.pos++
			if p.eof() {
				return "", fmt.Errorf("byte %d: quoted string ends in a backslash", p.pos)
			}
			c = p.s[p.pos]
			if !isQuotedPairChar(c) {
				return "", p.errorf("control character in a quoted string")
			}
			b.WriteByte(c)
		case isQdtext(c):
			b.WriteByte(c)
		default:
			return "", p.errorf("control character in a quoted string")
		}
		p.pos++
	}
	return "", fmt.Errorf("byte %d: quoted string is not closed", start)
}

// bareValue reads an unquoted parameter value. RFC 9110 allows only a
// token there, but servers send URLs unquoted (resource_metadata=https://...);
// any visible characters other than ',', '"' and '\' are taken, as browsers
// and the MCP SDKs do.
func (p *challengeParser) bareValue() string {
	start := p.pos
	for !p.eof() {
		c := p.peek()
		if c <= ' ' || c >= 0x7f || c == ',' || c == '"' || c == '\\' {
			break
		}
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *challengeParser) token() string {
	start := p.pos
	for !p.eof() && isTchar(p.peek()) {
		p.pos++
	}
	return p.s[start:p.pos]
}

func (p *challengeParser) skipSpaces() bool {
	start := p.pos
	for !p.eof() && p.peek() == ' ' {
		p.pos++
	}
	return p.pos > start
}

func (p *challengeParser) skipOWS() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t') {
		p.pos++
	}
}

func (p *challengeParser) skipListSeparators() {
	for !p.eof() && (p.peek() == ' ' || p.peek() == '\t' || p.peek() == ',') {
		p.pos++
	}
}

func (p *challengeParser) consume(c byte) bool {
	if !p.eof() && p.peek() == c {
		p.pos++
		return true
	}
	return false
}

func (p *challengeParser) eof() bool  { return p.pos >= len(p.s) }
func (p *challengeParser) peek() byte { return p.s[p.pos] }

func (p *challengeParser) errorf(format string, args ...any) error {
	return fmt.Errorf("byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

// isTchar reports whether c may appear in a token (RFC 9110 §5.6.2).
func isTchar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}

func isToken68Char(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("-._~+/", c) >= 0
}

// isQdtext: HTAB, SP, VCHAR except '"' and '\', and obs-text.
func isQdtext(c byte) bool {
	return c == '\t' || c == ' ' || c == 0x21 || (0x23 <= c && c <= 0x5b) ||
		(0x5d <= c && c <= 0x7e) || c >= 0x80
}

// isQuotedPairChar: HTAB, SP, VCHAR, obs-text.
func isQuotedPairChar(c byte) bool {
	return c == '\t' || (0x20 <= c && c <= 0x7e) || c >= 0x80
}
