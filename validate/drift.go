package validate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Drift compares the live document with the locally built one as JSON values
// and returns a live-drift finding naming the keys that differ and what
// publishing the local build does to users ([Impact]), or nil.
//
// Values, not bytes, are compared: a host or CDN may re-indent, reorder or
// re-encode the file without changing what a server reads. Drift reports
// nothing when live is empty, since the fetch findings already say why.
func Drift(live, local []byte) *Finding {
	if len(live) == 0 {
		return nil
	}
	lv, err := decodeNumbers(live)
	if err != nil {
		return driftFinding("the live document is not JSON, so it cannot match the local build; publish it again")
	}
	lc, err := decodeNumbers(local)
	if err != nil {
		return driftFinding(fmt.Sprintf("the local document is not JSON (%v)", err))
	}
	if sameJSON(lv, lc) {
		return nil
	}
	lo, ok1 := lv.(map[string]any)
	co, ok2 := lc.(map[string]any)
	if !ok1 || !ok2 {
		return driftFinding("the live document is not the same JSON value as the local build; publish it again")
	}

	added, removed, changed := keyDiff(slices.Sorted(maps.Keys(lo)), lo, slices.Sorted(maps.Keys(co)), co, sameJSON)
	parts := keyGroups(func(k string) string { return k },
		keyGroup{"changed", changed}, keyGroup{"only live", added}, keyGroup{"only local", removed})
	impact := ""
	if changes := Impact(lo, co); len(changes) > 0 {
		impact = "; for users: " + Summary(changes)
		if Breaking(changes) {
			impact += " (run cimd publish --dry-run for what each does)"
		}
	}
	return driftFinding(fmt.Sprintf("the live document differs from the local build (%s)%s; publish it, or wait for caches to expire (--wait)",
		strings.Join(parts, "; "), impact))
}

// keyDiff compares a and b key by key: the keys of aKeys not in b, the
// keys of bKeys not in a, and the keys of aKeys whose values same says
// differ, each in the order of its list.
func keyDiff(aKeys []string, a map[string]any, bKeys []string, b map[string]any, same func(x, y any) bool) (onlyA, onlyB, changed []string) {
	for _, k := range aKeys {
		w, ok := b[k]
		switch {
		case !ok:
			onlyA = append(onlyA, k)
		case !same(a[k], w):
			changed = append(changed, k)
		}
	}
	for _, k := range bKeys {
		if _, ok := a[k]; !ok {
			onlyB = append(onlyB, k)
		}
	}
	return onlyA, onlyB, changed
}

// keyGroup is a named list of keys in a drift message.
type keyGroup struct {
	what string
	keys []string
}

// keyGroups describes the groups that have keys, as "what: k1, k2", each
// key written by format.
func keyGroups(format func(string) string, groups ...keyGroup) []string {
	var parts []string
	for _, g := range groups {
		if len(g.keys) > 0 {
			written := make([]string, len(g.keys))
			for i, k := range g.keys {
				written[i] = format(k)
			}
			parts = append(parts, g.what+": "+strings.Join(written, ", "))
		}
	}
	return parts
}

// decodeNumbers decodes one JSON value, keeping numbers as written: a number
// no float64 holds (1e999999) is still JSON.
func decodeNumbers(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("more than one JSON value")
	}
	return v, nil
}

// sameJSON reports whether two decoded values are the same JSON value.
// Numbers are equal when written alike, or when both are float64 values
// and equal as such (3600 and 3.6e3), as a server decoding them would see.
func sameJSON(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		if x == y {
			return true
		}
		fx, errX := strconv.ParseFloat(string(x), 64)
		fy, errY := strconv.ParseFloat(string(y), 64)
		return errX == nil && errY == nil && fx == fy
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b // strings, booleans, null
}

func driftFinding(msg string) *Finding {
	return &Finding{Rule: "live-drift", Severity: Error, Message: msg, Transient: true}
}
