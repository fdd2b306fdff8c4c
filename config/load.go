package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/BurntSushi/toml"
)

// File is a loaded and checked cimd.toml: its top level and every
// environment, each merged and valid.
type File struct {
	// Path is the file's path as given to [Load].
	Path string

	src     string
	top     map[string]any     // the top level's tables, without env
	configs map[string]*Config // "" is the top level; each environment too when read whole
	// When read a section at a time (sections.go): the chunks, each
	// environment's section and chunk, and the last chunks decoded.
	chunks []chunk
	envAt  map[string]envAt
	cache  chunkCache
	envs   []string  // sorted
	keys   *lazyKeys // where the file's keys are written

	suppress []Suppression // the [[suppress]] entries
}

// Load reads, decodes and checks the cimd.toml at path, and every
// [env.NAME] merged over its top level. It reports all problems at once, as
// [Error]s joined with errors.Join; any error from Load is a configuration
// error (exit 2).
func Load(path string) (*File, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, err
	}
	if d := scanDepth(data); d != nil {
		return nil, &Error{File: path, Line: d.line, Col: d.col, Msg: d.msg()}
	}
	src := string(data)
	if f := loadSections(path, src); f != nil {
		return f, nil
	}
	return loadWhole(path, src)
}

// loadSections loads a file a section at a time (see sections.go), keeping
// no environment's Config. It returns nil when the file cannot be read that
// way or has any problem: [loadWhole] then reads it and reports them.
func loadSections(path, src string) *File {
	top, names, spans, ok := sections(src)
	if !ok {
		return nil
	}
	var raw map[string]any
	if _, err := toml.Decode(src[:top], &raw); err != nil {
		return nil
	}
	if _, ok := raw["env"]; ok {
		return nil
	}
	f, p := newFile(path, src)
	f.top = raw
	f.keys.top, f.keys.section = src[:top], func(name string) (span, bool) {
		at, ok := f.envAt[name]
		return at.span, ok
	}
	c := decodeConfig(raw, nil, p)
	f.check(p, "", &c, nil, nil)
	f.configs[""] = &c
	f.suppress = decodeSuppress(p, raw["suppress"])
	f.envAt = make(map[string]envAt, len(names))
	f.chunks = chunks(names, spans)
	k := 0 // names[k] is the next section in file order
	for i, ch := range f.chunks {
		envs, ok := envTables(src[ch.start:ch.end], ch.names)
		if !ok {
			return nil
		}
		for _, name := range ch.names {
			if _, dup := f.envAt[name]; dup || name == "" || !validEnvName(name) {
				return nil
			}
			et := envs[name].(map[string]any)
			decodeConfig(et, toml.Key{"env", name}, p)
			c := f.envConfig(name, et)
			f.check(p, name, &c, raw, et)
			if len(p.errs) > 0 {
				return nil
			}
			f.envAt[name] = envAt{chunk: i, span: spans[k]}
			k++
		}
	}
	if p.err() != nil {
		return nil
	}
	f.envs = slices.Sorted(slices.Values(names))
	return f
}

// loadWhole decodes the file in one piece and keeps every environment's
// Config: the way to read a file [loadSections] cannot, and the one that
// reports problems, in order.
func loadWhole(path, src string) (*File, error) {
	var raw map[string]any
	if _, err := toml.Decode(src, &raw); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			line, col := lineCol([]byte(src), pe.Position)
			return nil, &Error{File: path, Line: line, Col: col, Msg: pe.Message, Err: err}
		}
		return nil, &Error{File: path, Msg: err.Error(), Err: err}
	}

	f, p := newFile(path, src)
	envs := table(p, toml.Key{"env"}, raw["env"])
	top := maps.Clone(raw)
	delete(top, "env")
	f.top = top

	// Types and unknown keys are checked on the tables as written, so each
	// problem is reported once, at the key that has it.
	c := decodeConfig(top, nil, p)
	f.check(p, "", &c, nil, nil)
	f.configs[""] = &c
	f.suppress = decodeSuppress(p, raw["suppress"])
	for _, name := range slices.Sorted(maps.Keys(envs)) {
		at := toml.Key{"env", name}
		if name == "" {
			p.add(at, "an environment needs a name")
			continue
		}
		// The name becomes a directory under --all-envs: keep it to one
		// plain path element.
		if !validEnvName(name) {
			p.add(at, "environment names may use letters, digits, '-', '_' and '.', and must start with a letter or digit")
			continue
		}
		et := table(p, at, envs[name])
		if et == nil {
			continue
		}
		decodeConfig(et, at, p)
		// The merged tables were type-checked above, piece by piece.
		c := f.envConfig(name, et)
		f.check(p, name, &c, top, et)
		f.configs[name] = &c
		f.envs = append(f.envs, name)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return f, nil
}

func newFile(path, src string) (*File, *problems) {
	keys := newLazyKeys(src)
	p := &problems{file: path, keys: keys, bad: map[string]bool{}, said: map[string]bool{}}
	return &File{Path: path, src: src, configs: map[string]*Config{}, keys: keys}, p
}

// envConfig merges environment name's table et over the top level.
func (f *File) envConfig(name string, et map[string]any) Config {
	c := decodeConfig(merge(f.top, et), toml.Key{"env", name}, nil)
	c.Env = name
	c.File, c.Dir = f.Path, filepath.Dir(f.Path)
	c.ownOut = defined(et, toml.Key{"build", "out"})
	c.ownRoot = defined(et, toml.Key{"publish", "dir", "root"})
	return c
}

// lineCol returns the 1-based line and column (in characters) of a parse
// error. They are computed from the byte offset: the parser counts a newline
// it stopped at as the start of the next line, which would send the user to
// the line after the mistake.
func lineCol(data []byte, pos toml.Position) (line, col int) {
	if pos.Start < 0 || pos.Start > len(data) {
		return pos.Line, max(pos.Col, 1)
	}
	before := data[:pos.Start]
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return bytes.Count(before, []byte("\n")) + 1, utf8.RuneCount(before[lineStart:]) + 1
}

// check checks c, environment name's Config. top and env are the top
// level's and the environment's own tables: they say whether a problem is the
// environment's or inherited from the top level, and then already reported.
func (f *File) check(p *problems, name string, c *Config, top, env map[string]any) {
	c.File = f.Path
	c.Dir = filepath.Dir(f.Path)
	for _, is := range check(c) {
		k := is.key
		if env != nil {
			inherited := !defined(env, k) && (defined(top, k) || p.said[k.String()+": "+is.msg])
			if !inherited {
				k = append(toml.Key{"env", name}, k...)
			}
		} else {
			p.said[k.String()+": "+is.msg] = true
		}
		if p.bad[k.String()] {
			continue // a wrong type already said, and zero is no value
		}
		p.add(k, "%s", is.msg)
	}
}

// validEnvName reports whether name is safe as a directory name.
func validEnvName(name string) bool {
	for i, r := range name {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case i > 0 && (r == '-' || r == '_' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// Line returns the line where key is set for environment env: in its
// [env.NAME] table when the environment sets it there, else at the top
// level; 0 when the file does not set it. It lets findings about the built
// document point at the cimd.toml line they come from.
func (f *File) Line(env string, key ...string) int {
	if env != "" {
		if line, _ := f.keys.locate(append(toml.Key{"env", env}, key...)); line > 0 {
			return line
		}
	}
	line, _ := f.keys.locate(toml.Key(key))
	return line
}

// Envs returns the names of the file's environments, sorted.
func (f *File) Envs() []string { return slices.Clone(f.envs) }

// Select returns the configs a command runs on: the top level alone when env
// is "" and all is false; environment env merged over the top level; or with
// all, the top level followed by every environment in sorted order. Each
// Config is a fresh copy with defaults filled in, so callers may change it.
func (f *File) Select(env string, all bool) ([]*Config, error) {
	names, err := f.Names(env, all)
	if err != nil {
		return nil, err
	}
	out := make([]*Config, len(names))
	for i, name := range names {
		out[i] = f.get(name)
	}
	return out, nil
}

// Names returns the names of what [File.Select] returns, in its order, ""
// for the top level, so that a caller of many environments can ask for each
// [File.Config] in turn instead of holding them all.
func (f *File) Names(env string, all bool) ([]string, error) {
	switch {
	case all:
		return append([]string{""}, f.envs...), nil
	case env == "":
		return []string{""}, nil
	}
	if !slices.Contains(f.envs, env) {
		if len(f.envs) == 0 {
			return nil, fmt.Errorf("%s: environment %q is not defined: the file has no [env.NAME] tables", f.Path, env)
		}
		return nil, fmt.Errorf("%s: environment %q is not defined; defined: %s", f.Path, env, strings.Join(f.envs, ", "))
	}
	return []string{env}, nil
}

// Config returns environment name ("" for the top level), one of
// [File.Names], as [File.Select] does: a fresh copy with defaults filled in.
func (f *File) Config(name string) *Config { return f.get(name) }

// get returns a copy of a config with the defaults that belong to the
// config (not the document) filled in.
func (f *File) get(name string) *Config {
	var c Config
	if at, ok := f.envAt[name]; ok {
		c = f.envConfig(name, f.cache.get(f, at.chunk)[name].(map[string]any))
	} else {
		c = *f.configs[name]
	}
	c.Client.RedirectURIs = slices.Clone(c.Client.RedirectURIs)
	c.Client.GrantTypes = slices.Clone(c.Client.GrantTypes)
	c.Client.ResponseTypes = slices.Clone(c.Client.ResponseTypes)
	c.Client.Contacts = slices.Clone(c.Client.Contacts)
	c.Client.TokenEndpointAuthMethodsSupported = slices.Clone(c.Client.TokenEndpointAuthMethodsSupported)
	c.Client.Extra = maps.Clone(c.Client.Extra)
	c.Client.Loopback = c.Client.Loopback.clone()
	c.Build.Headers = slices.Clone(c.Build.Headers)
	c.Check.Servers = slices.Clone(c.Check.Servers)
	c.Validate.Servers = slices.Clone(c.Validate.Servers)
	if c.Publish.S3.PathStyle != nil {
		b := *c.Publish.S3.PathStyle
		c.Publish.S3.PathStyle = &b
	}
	if c.Build.Out == "" {
		c.Build.Out = DefaultOut
	}
	if c.Publish.CacheControl == "" {
		c.Publish.CacheControl = DefaultCacheControl
	}
	if c.Publish.Timeout.Duration == 0 {
		c.Publish.Timeout.Duration = DefaultPublishTimeout
	}
	if c.Client.Keys.PrivateDir == "" {
		c.Client.Keys.PrivateDir = DefaultKeysDir
	}
	if c.Client.Keys.Alg == "" {
		c.Client.Keys.Alg = "ES256"
	}
	if c.Client.Keys.Publish == "" {
		c.Client.Keys.Publish = "jwks_uri"
	}
	if c.Validate.Profile == "" {
		c.Validate.Profile = DefaultProfile
	}
	if c.Validate.Timeout.Duration == 0 {
		c.Validate.Timeout.Duration = DefaultFetchTimeout
	}
	return &c
}

// Abs resolves p, a path written in the config, against the config's
// directory, so that a config works the same from any working directory.
// Absolute paths are returned unchanged and "" stays "".
func (c *Config) Abs(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.Dir, p)
}

// readLimited reads the file at path, refusing one larger than MaxFileSize
// without reading the rest (it may be a device or a FIFO).
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, &Error{File: path, Msg: fmt.Sprintf("larger than %d bytes (1 MiB): a cimd.toml is a few kilobytes; not decoded", MaxFileSize)}
	}
	return data, nil
}
