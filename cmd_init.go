package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/cimd-dev/cimd/build"
	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/templates"
)

// workflowPath is where 'init --ci github' writes the GitHub Actions workflow.
const workflowPath = ".github/workflows/cimd.yml"

func runInit(ctx context.Context, s stdio, args []string) error {
	flags := newFlagSet(s, "init", `
Usage: cimd init [--url URL] [--name NAME] [--ci github] [--force] [-c FILE]

Writes a commented cimd.toml that documents every setting, filled with the
document's URL (its client_id) and the client's name when given. Refuses to
overwrite an existing file without --force. With --ci github it also writes
`+workflowPath+`: build and validate on pull requests, publish then
validate on release, with AWS access through OIDC (no stored keys).
`)
	url := flags.String("url", "", "the document's `URL`, which is its client_id (https://host/path)")
	name := flags.String("name", "", "the client's human-readable `NAME` (client_name)")
	ci := flags.String("ci", "", "also write a CI workflow for `PROVIDER` (github)")
	force := flags.Bool("force", false, "overwrite existing files")
	path := flags.StringP("config", "c", "cimd.toml", "the config `FILE` to write")
	if err := parse(flags, args); err != nil {
		return err
	}
	if flags.NArg() > 0 {
		return usagef("init takes no arguments (got %q)", flags.Args())
	}
	if *ci != "" && *ci != "github" {
		return usagef("init: --ci %q: the only provider is github", *ci)
	}
	var data templates.ConfigData
	data.Name = *name
	if *url != "" {
		host, p, err := config.SplitURL(*url)
		if err != nil {
			return usagef("init: --url: %v", err)
		}
		data.Host, data.Path = host, p
	}
	// The workflow goes where GitHub looks for it, under the working directory
	// (the repository root); its steps name the config when it lives elsewhere
	// and validate the file that build writes for it.
	wf := templates.WorkflowData{Config: filepath.ToSlash(*path)}
	d := data
	if d.Path == "" {
		d.Path = "/oauth/client.json"
	}
	wf.File = filepath.ToSlash(filepath.Join(filepath.Dir(*path), "public", filepath.FromSlash(d.Path)))
	files := map[string]templateJob{*path: {"cimd.toml", data}}
	if *ci == "github" {
		files[workflowPath] = templateJob{"cimd.yml", wf}
	}
	// Check every destination before writing any, so a refusal writes nothing.
	rendered := map[string][]byte{}
	for dst, job := range files {
		if !*force {
			if _, err := os.Stat(dst); err == nil {
				return usagef("init: %s already exists (use --force to overwrite)", dst)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("init: %w", err)
			}
		}
		b, err := templates.Render(job.name, job.data)
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		rendered[dst] = b
	}
	for _, dst := range []string{*path, workflowPath} {
		b, ok := rendered[dst]
		if !ok {
			continue
		}
		if err := build.WriteFile(dst, b); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		fmt.Fprintf(s.err, "cimd: wrote %s\n", dst)
	}
	fmt.Fprintf(s.err, "cimd: next: edit %s, then run 'cimd build%s' and 'cimd validate %s'\n", *path, wf.Flags(), wf.File)
	return nil
}

// templateJob is a template to render and the data to render it with.
type templateJob struct {
	name string
	data any
}
