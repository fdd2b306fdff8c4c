package validate

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// Drift compares the live document with the locally built one as JSON values
// and returns a live-drift finding naming the keys that differ, or nil.
//
// Values, not bytes, are compared: a host or CDN may re-indent, reorder or
// re-encode the file without changing what a server reads. Drift reports
// nothing when live is empty, since the fetch findings already say why.
func Drift(live, local []byte) *Finding {
	if len(live) == 0 {
		return nil
	}
	var lv, lc any
	if err := json.Unmarshal(live, &lv); err != nil {
		return driftFinding("the live document is not JSON, so it cannot match the local build; publish it again")
	}
	if err := json.Unmarshal(local, &lc); err != nil {
		return driftFinding(fmt.Sprintf("the local document is not JSON (%v)", err))
	}
	if reflect.DeepEqual(lv, lc) {
		return nil
	}
	lo, ok1 := lv.(map[string]any)
	co, ok2 := lc.(map[string]any)
	if !ok1 || !ok2 {
		return driftFinding("the live document is not the same JSON value as the local build; publish it again")
	}

	var added, removed, changed []string
	for k, v := range lo {
		w, ok := co[k]
		switch {
		case !ok:
			added = append(added, k)
		case !reflect.DeepEqual(v, w):
			changed = append(changed, k)
		}
	}
	for k := range co {
		if _, ok := lo[k]; !ok {
			removed = append(removed, k)
		}
	}
	var parts []string
	for _, p := range []struct {
		what string
		keys []string
	}{{"changed", changed}, {"only live", added}, {"only local", removed}} {
		if len(p.keys) > 0 {
			sort.Strings(p.keys)
			parts = append(parts, p.what+": "+strings.Join(p.keys, ", "))
		}
	}
	return driftFinding(fmt.Sprintf("the live document differs from the local build (%s); publish it, or wait for caches to expire (--wait)",
		strings.Join(parts, "; ")))
}

func driftFinding(msg string) *Finding {
	return &Finding{Rule: "live-drift", Severity: Error, Message: msg, Transient: true}
}
