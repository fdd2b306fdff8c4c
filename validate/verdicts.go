package validate

import (
	"bytes"
	"encoding/json"
)

// Verdicts are the verdicts of every server profile on one document, in
// SERVERS.md order, as [Compatibility] makes them; the zero value holds
// none (the profiles did not run). [Verdicts.At] reads one as a
// [ServerResult]; --json writes them as an array of those.
//
// They are kept apart from the ServerResults they stand for: a verdict is
// a few numbers, and every document gets one per server, where 24
// ServerResults are 1.2 KB of pointers for the collector to clear and
// scan, most of them the same server's clean result every time.
type Verdicts struct {
	v   []verdict // one per server profile, or none
	all []Finding // the findings of the servers that have more than their notes
}

// verdict is one server's verdict, without pointers.
type verdict struct {
	from, to uint32 // its findings are all[from:to] when own, else the server's notes
	refused  uint16 // the index in refusalCodes of the code RefusedBy returns
	accepts  bool
	own      bool
}

func (v *verdict) refuse(code uint16) {
	if v.refused == 0 {
		v.refused = code
	}
	v.accepts = false
}

// Len is the number of verdicts: every server profile, or 0.
func (vs *Verdicts) Len() int { return len(vs.v) }

// IsZero reports whether vs holds no verdict (so that --json omits it).
func (vs Verdicts) IsZero() bool { return len(vs.v) == 0 }

// At returns the verdict of the i-th server profile in SERVERS.md order.
// Its findings share their array with vs.
func (vs *Verdicts) At(i int) ServerResult {
	v, sv := &vs.v[i], &servers[i]
	r := ServerResult{Server: sv.Name, Accepts: v.accepts, refused: v.refused, Findings: sv.notes}
	if v.own {
		r.Findings = vs.all[v.from:v.to:v.to]
	}
	return r
}

// Result returns the verdict of the server profile called name.
func (vs *Verdicts) Result(name string) (ServerResult, bool) {
	if i, ok := serverIndex[name]; ok && i < len(vs.v) {
		return vs.At(i), true
	}
	return ServerResult{}, false
}

// Results returns every verdict as a ServerResult, or nil when vs holds
// none.
func (vs *Verdicts) Results() []ServerResult {
	if len(vs.v) == 0 {
		return nil
	}
	out := make([]ServerResult, len(vs.v))
	for i := range out {
		out[i] = vs.At(i)
	}
	return out
}

// MarshalJSON writes vs as the array of its Results, without HTML
// escaping (as cimd writes all its JSON).
func (vs Verdicts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(vs.Results()); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
