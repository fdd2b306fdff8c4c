// Package templates renders the files cimd writes from templates it embeds:
// the commented cimd.toml of `cimd init`, the GitHub Actions workflow, and
// the _headers file of static hosts.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	"strings"
	"text/template"
)

// The all: prefix embeds _headers.tmpl, which a plain pattern would skip
// for its leading underscore.
//
//go:embed all:files
var files embed.FS

// ConfigData fills the cimd.toml template. Empty fields take the defaults of
// cimd.toml.example: Host "app.example.com", Path "/oauth/client.json" and
// Name "Example App".
type ConfigData struct {
	Host string
	Path string
	Name string
}

// HeadersData fills the _headers template: the document's path on its host
// (with the leading "/") and the Cache-Control to serve it with.
type HeadersData struct {
	Path         string
	CacheControl string
}

// WorkflowData fills the cimd.yml template. File is the built document the
// pull-request job validates; it defaults to "public/oauth/client.json".
// Config is the path of cimd.toml from the repository root, when it is not
// the default "cimd.toml"; every step then passes it with -c.
//
// Version is what every job installs with `go install ...@Version`: the
// version of the cimd that wrote the workflow; "latest" when empty.
//
// CheckServers adds the check-server steps: the config's top level lists
// [check] servers.
type WorkflowData struct {
	File         string
	Config       string
	Version      string
	CheckServers bool
}

// Flags returns the flags every workflow step passes: " -c FILE" for a
// config elsewhere than the default, or "".
func (d WorkflowData) Flags() string {
	if d.Config == "" || d.Config == "cimd.toml" {
		return ""
	}
	return " -c " + d.Config
}

// ConfigFile returns the path of cimd.toml from the repository root.
func (d WorkflowData) ConfigFile() string {
	if d.Config == "" {
		return "cimd.toml"
	}
	return d.Config
}

// Render renders the template called name with data: "cimd.toml" takes a
// [ConfigData], "_headers" a [HeadersData], and "cimd.yml" and
// "cimd-monitor.yml" (the scheduled check of the live document) a
// [WorkflowData] (a zero value or nil takes the defaults).
func Render(name string, data any) ([]byte, error) {
	var (
		file        string
		left, right = "{{", "}}"
	)
	switch name {
	case "cimd.toml":
		file = "files/cimd.toml.tmpl"
		d, _ := data.(ConfigData)
		if p, ok := data.(*ConfigData); ok && p != nil {
			d = *p
		}
		data = d.withDefaults()
	case "_headers":
		file = "files/_headers.tmpl"
	case "cimd.yml", "cimd-monitor.yml":
		file = "files/" + name + ".tmpl"
		// GitHub's own ${{ }} expressions must pass through untouched.
		left, right = "<<", ">>"
		d, _ := data.(WorkflowData)
		if p, ok := data.(*WorkflowData); ok && p != nil {
			d = *p
		}
		if d.File == "" {
			d.File = "public/oauth/client.json"
		}
		if d.Version == "" {
			d.Version = "latest"
		}
		data = d
	default:
		return nil, fmt.Errorf("render %s: no such template", name)
	}
	src, err := files.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	t, err := template.New(name).Delims(left, right).Option("missingkey=error").
		Funcs(template.FuncMap{"q": quote}).Parse(string(src))
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

func (d ConfigData) withDefaults() ConfigData {
	if d.Host == "" {
		d.Host = "app.example.com"
	}
	if d.Path == "" {
		d.Path = "/oauth/client.json"
	}
	if d.Name == "" {
		d.Name = "Example App"
	}
	return d
}

// quote writes s as a TOML basic string. Non-ASCII text stays as it is, so
// a name like "Café" reads naturally in the file; only what TOML forbids in a
// basic string is escaped.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
