package templates_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/templates"
	"github.com/cimd-dev/cimd/validate"
)

// TestDefaultsPassTheRules builds what `cimd init` writes, with and without
// --url and --name, and every environment in it, in both profiles: a new
// user's first build must show no error and no warning.
func TestDefaultsPassTheRules(t *testing.T) {
	for _, d := range []templates.ConfigData{{}, {Host: "mcp.acme.dev", Path: "/client.json", Name: "Acme"}} {
		b, err := templates.Render("cimd.toml", d)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "cimd.toml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := config.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := f.Select("", true)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cs {
			doc, err := build.Document(c)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range []validate.Profile{validate.ProfileMCP, validate.ProfileCIMD} {
				fs, _ := validate.Check(c.ClientID(), doc, validate.Options{Profile: p})
				for _, f := range fs {
					if f.Severity != validate.Info {
						t.Errorf("%+v env %q profile %s: %s %s: %s (%s)", d, c.Env, p, f.Severity, f.Rule, f.Message, f.Field)
					}
				}
			}
		}
	}
}
