package config

import (
	"time"

	"github.com/BurntSushi/toml"
)

// Suppression is one [[suppress]] entry of cimd.toml: a finding of Rule
// (and, when Field is set, about that field or inside it) that the team has
// accepted, for Reason, until Expires. Commands report such a finding as
// suppressed and do not count it. Which rule codes exist is not known here:
// the caller checks Rule (see [Suppression.RuleLine]).
type Suppression struct {
	Rule   string
	Field  string // a finding's field ("redirect_uris[1]"), or a prefix of it ("redirect_uris"); "" for any
	Reason string
	// Expires is the day from which the entry no longer applies.
	Expires time.Time

	// Line is where the entry's [[suppress]] header is written; RuleLine
	// and RuleCol where its rule is. Key names the entry in messages:
	// "suppress[0]".
	Line, RuleLine, RuleCol int
	Key                     string
}

// Expired reports whether the entry no longer applies on the day of now.
func (s Suppression) Expired(now time.Time) bool {
	y, m, d := now.Date()
	ey, em, ed := s.Expires.Date()
	return !time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Before(time.Date(ey, em, ed, 0, 0, 0, 0, time.UTC))
}

// Suppressions returns the file's [[suppress]] entries, in file order.
func (f *File) Suppressions() []Suppression { return append([]Suppression(nil), f.suppress...) }

// decodeSuppress reads the top level's [[suppress]] entries.
func decodeSuppress(p *problems, v any) []Suppression {
	var entries []map[string]any
	switch x := v.(type) {
	case nil:
		return nil
	case []map[string]any:
		entries = x
	case []any:
		for _, e := range x {
			t, ok := e.(map[string]any)
			if !ok {
				p.add(toml.Key{"suppress"}, "must be [[suppress]] tables, not %s", typeName(v))
				return nil
			}
			entries = append(entries, t)
		}
	default:
		p.add(toml.Key{"suppress"}, "must be [[suppress]] tables, not %s", typeName(v))
		return nil
	}
	var out []Suppression
	for i, t := range entries {
		at := entryKey(toml.Key{"suppress"}, i)
		s := Suppression{Key: keyString(at)}
		var expires any
		fields{
			{"rule", text(&s.Rule)}, {"field", text(&s.Field)}, {"reason", text(&s.Reason)},
			{"expires", func(_ *problems, _ toml.Key, v any) { expires = v }},
		}.decode(t, at, p, "")
		s.Line, _ = p.keys.locate(at)
		s.RuleLine, s.RuleCol = p.keys.locate(key(at, "rule"))
		ok := true
		if s.Rule == "" {
			p.add(at, "needs rule = \"CODE\", the rule code of the finding to suppress (docs/rules.md)")
			ok = false
		}
		if s.Reason == "" {
			p.add(at, "needs reason = \"...\": say why the finding is accepted")
			ok = false
		}
		switch x := expires.(type) {
		case nil:
			p.add(at, "needs expires = YYYY-MM-DD (a TOML date): a suppression is reviewed when it expires")
			ok = false
		case time.Time:
			if x.Location().String() != "date-local" {
				p.add(key(at, "expires"), "must be a date such as 2027-06-30, not a date and time")
				ok = false
			}
			s.Expires = x
		case string:
			p.add(key(at, "expires"), "must be a TOML date without quotes, such as expires = 2027-06-30")
			ok = false
		default:
			p.add(key(at, "expires"), "must be a date such as 2027-06-30, not %s", typeName(x))
			ok = false
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}
