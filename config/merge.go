package config

import "github.com/BurntSushi/toml"

// merge returns base with over laid on top of it, copying rather than
// changing either: tables merge key by key, any other value (arrays
// included) replaces the base's. Arrays replace because a list such as
// redirect_uris is one setting; appending would make an environment unable
// to drop an entry.
func merge(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		if bt, ok := out[k].(map[string]any); ok {
			if ot, ok := v.(map[string]any); ok {
				out[k] = merge(bt, ot)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// defined reports whether the key path k is set in table t.
func defined(t map[string]any, k toml.Key) bool {
	for i, part := range k {
		v, ok := t[part]
		if !ok {
			return false
		}
		if i == len(k)-1 {
			return true
		}
		if t, ok = v.(map[string]any); !ok {
			return false
		}
	}
	return false
}
