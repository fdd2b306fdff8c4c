package config

import (
	"slices"
	"strings"
	"sync"

	"github.com/BurntSushi/toml"
)

// A file of ten thousand environments decoded in one piece is a TOML tree,
// its metadata and a merged Config per environment, all alive at once: about
// 8 KB per environment at the peak, for documents of a few hundred bytes.
// So Load reads such a file a section at a time. The top level is the text
// before the first [env.NAME] header; each environment's section runs from
// its first header to the next header of another environment. Load decodes
// and checks each section alone and keeps only where it is; Config decodes it
// again when asked. What stays per environment is its name and two offsets.
//
// Splitting is a scan of lines, not a parse, so every split is proven by
// decoding: each section must decode on its own to exactly one table,
// env.NAME, each name must have one section, and the top level must not
// mention env. When that does not hold (a top-level table after the
// environments, [env] itself, a name split over two places, an unclosed
// string), or when the file has any problem at all, Load decodes the whole
// file as one piece instead, so what a user sees is the same either way. With
// the names unique and the top level free of env, the sections touch
// disjoint tables, so decoding them apart gives what decoding the whole gives.

// span is where one environment's section (or a chunk) is in the source,
// and the line it starts on.
type span struct{ start, end, line int }

// sections splits src into the top level's text, src[:top], and the sections
// of its environments in file order; ok is false when a header that starts a
// section cannot be read as one.
func sections(src string) (top int, names []string, spans []span, ok bool) {
	top = -1
	cur := ""
	multiline := "" // the closing delimiter while inside a multi-line string
	line := 0
	for at := 0; at < len(src); {
		line++
		end := strings.IndexByte(src[at:], '\n')
		if end < 0 {
			end = len(src)
		} else {
			end += at + 1
		}
		text := src[at:end]
		start := at
		at = end
		if multiline != "" {
			if strings.Contains(text, multiline) {
				multiline = ""
			}
			continue
		}
		rest := strings.TrimLeft(text, " \t")
		if strings.HasPrefix(rest, "[") && !strings.HasPrefix(rest, "[[") {
			k, _, good := parseKey(rest, 1)
			if !good || len(k) == 0 {
				return 0, nil, nil, false
			}
			if k[0] != "env" {
				continue
			}
			if len(k) < 2 {
				return 0, nil, nil, false // [env] itself
			}
			if top < 0 || k[1] != cur {
				if top < 0 {
					top = start
				} else {
					spans[len(spans)-1].end = start
				}
				cur = k[1]
				names = append(names, cur)
				spans = append(spans, span{start: start, line: line})
			}
			continue
		}
		if i := strings.IndexByte(rest, '='); i > 0 {
			value := strings.TrimLeft(rest[i+1:], " \t")
			for _, d := range []string{`"""`, `'''`} {
				if strings.HasPrefix(value, d) && !strings.Contains(value[3:], d) {
					multiline = d
				}
			}
		}
	}
	if top < 0 {
		return len(src), nil, nil, true
	}
	spans[len(spans)-1].end = len(src)
	return top, names, spans, true
}

// envAt is where an environment read a section at a time is: its section,
// and the chunk it is decoded with.
type envAt struct {
	chunk int
	span
}

// A chunk is sections decoded together: toml.Decode costs the same few
// kilobytes however small its input, which for a section of three lines is
// most of the work. A chunk is a run of sections that follow each other both
// in the file and in sorted order, since that is the order commands ask for
// environments in; so a file whose environments are not sorted gets chunks
// of one section, and no environment is ever decoded with many others for
// nothing.
type chunk struct {
	span
	names []string // its environments, in file order
}

// maxChunk is how many sections a chunk holds at most.
const maxChunk = 64

// chunks groups the sections of names (in file order) into chunks.
func chunks(names []string, spans []span) []chunk {
	sorted := slices.Sorted(slices.Values(names))
	rank := make(map[string]int, len(names))
	for i, n := range sorted {
		rank[n] = i
	}
	var out []chunk
	for i, name := range names {
		if n := len(out); n > 0 {
			last := &out[n-1]
			prev := last.names[len(last.names)-1]
			if len(last.names) < maxChunk && rank[name] == rank[prev]+1 && last.end == spans[i].start {
				last.end = spans[i].end
				last.names = append(last.names, name)
				continue
			}
		}
		out = append(out, chunk{span: spans[i], names: []string{name}})
	}
	return out
}

// envTables decodes a chunk's text and returns its environments' tables:
// ok is false unless the text is exactly the tables env.NAME of names.
func envTables(text string, names []string) (map[string]any, bool) {
	var raw map[string]any
	if _, err := toml.Decode(text, &raw); err != nil || len(raw) != 1 {
		return nil, false
	}
	envs, ok := raw["env"].(map[string]any)
	if !ok || len(envs) != len(names) {
		return nil, false
	}
	for _, n := range names {
		if _, ok := envs[n].(map[string]any); !ok {
			return nil, false
		}
	}
	return envs, true
}

// chunkCache keeps the last chunks decoded, for [File.Config] of one
// environment after another. The tables are only read once decoded.
type chunkCache struct {
	mu    sync.Mutex
	index [2]int
	envs  [2]map[string]any
	next  int
}

// get returns the tables of chunk i of f, decoding it when it is not kept.
func (cc *chunkCache) get(f *File, i int) map[string]any {
	cc.mu.Lock()
	defer cc.mu.Unlock()
	for j, k := range cc.index {
		if k == i+1 && cc.envs[j] != nil {
			return cc.envs[j]
		}
	}
	ch := f.chunks[i]
	envs, ok := envTables(f.src[ch.start:ch.end], ch.names)
	if !ok {
		// Load decoded this very text.
		panic("config: a section of environment " + ch.names[0] + " no longer decodes")
	}
	cc.index[cc.next], cc.envs[cc.next] = i+1, envs
	cc.next = (cc.next + 1) % len(cc.index)
	return envs
}
