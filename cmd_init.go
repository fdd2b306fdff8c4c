package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"

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
overwrite an existing file without --force.

With --ci github it also writes `+workflowPath+`: build and validate on pull
requests, publish then validate on release, with AWS access through OIDC (no
stored keys), installing the cimd version that wrote it; and
`+monitorFile+` beside it: a daily (and on demand) check of every
environment's live document, with check-server when cimd.toml has [check],
that uploads SARIF to code scanning and fails loudly. An existing
cimd.toml is then kept as it is (even with --force, which then only replaces
the workflow) unless --url or --name asks for a new one with --force. Run in
a subdirectory of a git repository, it writes the workflow at the repository
root, where GitHub looks for it, and its steps name the config with -c.
`)
	url := flags.String("url", "", "the document's `URL`, which is its client_id (https://host/path)")
	name := flags.String("name", "", "the client's human-readable `NAME` (client_name)")
	ci := flags.String("ci", "", "also write a CI workflow for `PROVIDER` (github)")
	force := flags.Bool("force", false, "overwrite existing files")
	path := flags.StringP("config", "c", "cimd.toml", "the config `FILE` to write")
	if err := parseNoArgs(flags, args); err != nil {
		return err
	}
	if *ci != "" && *ci != "github" {
		return usagef("init: --ci %q: the only provider is github", *ci)
	}
	data, err := initConfigData(*url, *name)
	if err != nil {
		return err
	}
	cfgExists, err := exists(*path)
	if err != nil {
		return fmt.Errorf("init: %w", err)
	}
	// With --ci and a config already there, the user wants the workflow
	// added to their setup, not their edits replaced.
	keepConfig := cfgExists && *ci != "" && *url == "" && *name == ""
	if cfgExists && !keepConfig && !*force {
		return usagef("init: %s already exists (use --force to overwrite)", *path)
	}

	// The built document, relative to the working directory: where the
	// existing config builds it, or where the new one will.
	built, err := builtFile(*path, data, keepConfig)
	if err != nil {
		return err
	}
	next := templates.WorkflowData{Config: filepath.ToSlash(*path), File: filepath.ToSlash(built)}

	order, files, err := initJobs(s, *path, data, built, *ci, *force, keepConfig)
	if err != nil {
		return err
	}
	kept := ""
	if keepConfig {
		kept = *path
	}
	if err := writeTemplates(s, order, files, kept); err != nil {
		return err
	}
	if !keepConfig {
		// The default [client.keys] private_dir: keys made later by
		// 'cimd keys generate' must never be committed.
		gi, added, err := ignoreKeys(filepath.Dir(*path))
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		if added {
			fmt.Fprintf(s.err, "cimd: added %s to %s (private keys; state.json is committed)\n", strings.Join(keysIgnore, " "), gi)
		}
	}
	fmt.Fprintf(s.err, "cimd: next: edit %s, then run 'cimd build%s' and 'cimd validate %s'\n", *path, next.Flags(), next.File)
	return nil
}

// initJobs lists the files init writes, in order: the config unless it is
// kept, and with --ci github the two workflows.
func initJobs(s stdio, path string, data templates.ConfigData, built, ci string, force, keepConfig bool) ([]string, map[string]templateJob, error) {
	files := map[string]templateJob{}
	var order []string
	if !keepConfig {
		files[path] = templateJob{"cimd.toml", data}
		order = append(order, path)
	}
	if ci == "github" {
		wfFile, job, err := githubWorkflowJob(s, path, built, force, keepConfig && listsServers(path))
		if err != nil {
			return nil, nil, err
		}
		files[wfFile] = job
		order = append(order, wfFile)
		monFile, monJob, err := monitorWorkflowJob(wfFile, job, force)
		if err != nil {
			return nil, nil, err
		}
		files[monFile] = monJob
		order = append(order, monFile)
	}
	return order, files, nil
}

// initConfigData fills the cimd.toml template from --url and --name.
func initConfigData(url, name string) (templates.ConfigData, error) {
	data := templates.ConfigData{Name: name}
	if url != "" {
		host, p, err := config.SplitURL(url)
		if err != nil {
			return data, usagef("init: --url: %v", err)
		}
		data.Host, data.Path = host, p
	}
	return data, nil
}

// githubWorkflowJob is where the GitHub Actions workflow goes and the
// template job that renders it, pinned to this cimd's version; it refuses
// to replace an existing workflow without force. checkServers adds the
// check-server steps (the kept config lists [check] servers).
func githubWorkflowJob(s stdio, cfgPath, built string, force, checkServers bool) (string, templateJob, error) {
	wfFile, wf, err := workflowFor(cfgPath, built)
	if err != nil {
		return "", templateJob{}, err
	}
	version, pinned := pinVersion(buildVersion())
	wf.Version = version
	wf.CheckServers = checkServers
	if !pinned {
		fmt.Fprintf(s.err, "cimd: this cimd is a development build (%s): the workflow installs @latest; pin a release there\n", buildVersion())
	}
	if ok, err := exists(wfFile); err != nil {
		return "", templateJob{}, fmt.Errorf("init: %w", err)
	} else if ok && !force {
		return "", templateJob{}, usagef("init: %s already exists (use --force to overwrite)", wfFile)
	}
	return wfFile, templateJob{"cimd.yml", wf}, nil
}

// writeTemplates renders every file before writing any, so a failure
// writes nothing, then writes them in order; kept names the config left
// as it is, if any.
func writeTemplates(s stdio, order []string, files map[string]templateJob, kept string) error {
	rendered := map[string][]byte{}
	for dst, job := range files {
		b, err := templates.Render(job.name, job.data)
		if err != nil {
			return fmt.Errorf("init: %w", err)
		}
		rendered[dst] = b
	}
	if kept != "" {
		fmt.Fprintf(s.err, "cimd: kept %s as it is\n", kept)
	}
	for _, dst := range order {
		if err := build.WriteFile(dst, rendered[dst]); err != nil {
			return fmt.Errorf("init: %w", err)
		}
		fmt.Fprintf(s.err, "cimd: wrote %s\n", dst)
	}
	return nil
}

// keysIgnore are the .gitignore lines for the default private key
// directory: everything in it but state.json, which holds only public keys
// and states and must be committed for a CI checkout to build and publish
// the JWK Set. Ignoring all but one name also covers the temporary files a
// key is written through.
var keysIgnore = []string{"/" + config.DefaultKeysDir + "/*", "!/" + config.DefaultKeysDir + "/state.json"}

// ignoreKeys adds keysIgnore to the .gitignore in dir unless a line already
// ignores the directory or its contents, creating the file if needed.
func ignoreKeys(dir string) (path string, added bool, err error) {
	path = filepath.Join(dir, ".gitignore")
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return path, false, err
	}
	for _, l := range strings.Split(string(old), "\n") {
		l = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(l), "/"), "/")
		switch strings.TrimSuffix(strings.TrimSuffix(l, "*"), "/") {
		case config.DefaultKeysDir:
			return path, false, nil
		}
	}
	data := old
	if len(data) > 0 && data[len(data)-1] != '\n' {
		data = append(data, '\n')
	}
	data = append(data, "# private keys of 'cimd keys' (never commit them); state.json has only public keys\n"+strings.Join(keysIgnore, "\n")+"\n"...)
	return path, true, build.WriteFile(path, data)
}

// exists reports whether path exists; an error other than "not found" is
// returned.
func exists(path string) (bool, error) {
	_, err := os.Lstat(path)
	if err == nil {
		return true, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return false, err
}

// builtFile is where build writes the top level's document: from the
// existing config when it is kept, else from the template's defaults
// (out "public" next to the config, the --url's path).
func builtFile(cfgPath string, data templates.ConfigData, existing bool) (string, error) {
	if existing {
		f, err := config.Load(cfgPath)
		if err != nil {
			return "", usagef("init: %s is kept, but the workflow needs what it builds: %w", cfgPath, err)
		}
		cs, err := f.Select("", false)
		if err != nil {
			return "", usageErr(err)
		}
		c := cs[0]
		out := c.Abs(c.Build.Out)
		if out == "" {
			out = filepath.Join(filepath.Dir(cfgPath), "public")
		}
		return filepath.Join(out, filepath.FromSlash(c.Path)), nil
	}
	p := data.Path
	if p == "" {
		p = "/oauth/client.json"
	}
	return filepath.Join(filepath.Dir(cfgPath), "public", filepath.FromSlash(p)), nil
}

// workflowFor returns where the workflow goes and the paths its steps use:
// the root of the git repository holding the working directory (else the
// working directory), with the config and the built file relative to it.
func workflowFor(cfgPath, built string) (string, templates.WorkflowData, error) {
	var wf templates.WorkflowData
	cwd, err := os.Getwd()
	if err != nil {
		return "", wf, fmt.Errorf("init: %w", err)
	}
	root := gitRoot(cwd)
	if root == "" {
		root = cwd
	}
	rel := func(p string) (string, error) {
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		r, err := filepath.Rel(root, p)
		if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
			return "", usagef("init: %s is outside the repository at %s, where the workflow runs: keep cimd.toml inside it", p, root)
		}
		return filepath.ToSlash(r), nil
	}
	if wf.Config, err = rel(cfgPath); err != nil {
		return "", wf, err
	}
	if wf.File, err = rel(built); err != nil {
		return "", wf, err
	}
	wfFile := filepath.Join(root, filepath.FromSlash(workflowPath))
	if r, err := filepath.Rel(cwd, wfFile); err == nil {
		wfFile = r
	}
	return wfFile, wf, nil
}

// gitRoot returns the nearest directory at or above dir that holds .git (a
// directory, or the file of a worktree or submodule), or "".
func gitRoot(dir string) string {
	for {
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// pinVersion turns the running cimd's module version into what the
// workflow installs: a release or a clean pseudo-version is pinned as it
// is; a development build ("(devel)", a modified checkout) has no version
// the module proxy knows, so the workflow gets "latest" and the caller
// says so (pinned false).
func pinVersion(v string) (string, bool) {
	if v == "" || v == "(devel)" || strings.Contains(v, "+dirty") || !strings.HasPrefix(v, "v") {
		return "latest", false
	}
	return v, true
}

// buildVersion is the main module's version from the build info.
func buildVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}

// templateJob is a template to render and the data to render it with.
type templateJob struct {
	name string
	data any
}

// monitorFile is the scheduled workflow 'init --ci github' writes beside
// workflowPath.
const monitorFile = "cimd-monitor.yml"

// monitorWorkflowJob is the scheduled workflow that checks the live document
// and reports to code scanning: beside the main workflow, with its settings;
// it refuses to replace an existing one without force.
func monitorWorkflowJob(wfFile string, main templateJob, force bool) (string, templateJob, error) {
	monFile := filepath.Join(filepath.Dir(wfFile), monitorFile)
	if ok, err := exists(monFile); err != nil {
		return "", templateJob{}, fmt.Errorf("init: %w", err)
	} else if ok && !force {
		return "", templateJob{}, usagef("init: %s already exists (use --force to overwrite)", monFile)
	}
	return monFile, templateJob{monitorFile, main.data}, nil
}

// listsServers reports whether the top level of the config at cfgPath has
// [check] servers, for the workflow's check-server steps.
func listsServers(cfgPath string) bool {
	f, err := config.Load(cfgPath)
	if err != nil {
		return false
	}
	cs, err := f.Select("", false)
	return err == nil && len(cs[0].Check.Servers) > 0
}
