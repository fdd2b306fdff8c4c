package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/pflag"
)

// runCompletion prints a completion script for bash, zsh or fish, generated
// from the command table and each command's own FlagSet, so it never
// disagrees with the commands it completes.
func runCompletion(ctx context.Context, s stdio, args []string) error {
	fs := newFlagSet(s, "completion", `
Usage: cimd completion bash|zsh|fish

Prints a shell completion script for cimd's commands and flags on stdout.
`)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("completion: name one shell: bash, zsh or fish")
	}
	cmds := completionTable(ctx)
	switch fs.Arg(0) {
	case "bash":
		writeBash(s.out, cmds)
	case "zsh":
		writeZsh(s.out, cmds)
	case "fish":
		writeFish(s.out, cmds)
	default:
		return usagef("completion: %q: want bash, zsh or fish", printable(fs.Arg(0)))
	}
	return nil
}

// compCommand is one command as a completion script sees it.
type compCommand struct {
	name, summary string
	flags         []compFlag
	args          []string // fixed words the command takes (completion's shells)
}

type compFlag struct {
	long, short string
	value       string // the value's name (FILE, DUR, ...), or "" for a boolean
	usage       string
	choices     []string
}

// completionTable learns every command's flags by running it with -h into
// nothing and keeping the FlagSet it made.
func completionTable(ctx context.Context) []compCommand {
	var out []compCommand
	for _, c := range commands() {
		var sets []*pflag.FlagSet
		s := stdio{in: strings.NewReader(""), out: io.Discard, err: io.Discard, getenv: func(string) string { return "" },
			flagSets: func(fs *pflag.FlagSet) { sets = append(sets, fs) }}
		c.run(ctx, s, []string{"-h"})
		cc := compCommand{name: c.name, summary: c.summary}
		switch c.name {
		case "completion":
			cc.args = []string{"bash", "zsh", "fish"}
		case "keys":
			cc.args = []string{"generate", "rotate", "retire", "list"}
		}
		for _, fs := range sets {
			fs.VisitAll(func(f *pflag.Flag) {
				value, usage := pflag.UnquoteUsage(f)
				if f.Value.Type() == "bool" {
					value = ""
				}
				cf := compFlag{long: f.Name, short: f.Shorthand, value: value, usage: usage}
				switch f.Name {
				case "profile":
					cf.choices = []string{"mcp", "cimd"}
				case "ci":
					cf.choices = []string{"github"}
				case "alg":
					cf.choices = []string{"ES256", "RS256", "EdDSA"}
				}
				cc.flags = append(cc.flags, cf)
			})
		}
		out = append(out, cc)
	}
	return out
}

// isPath reports whether a flag's value is a file or directory name.
func (f compFlag) isPath() bool { return f.value == "FILE" || f.value == "DIR" }

func writeBash(w io.Writer, cmds []compCommand) {
	var names, pathFlags, valueFlags []string
	for _, c := range cmds {
		names = append(names, c.name)
		for _, f := range c.flags {
			for _, n := range f.spellings() {
				switch {
				case f.isPath():
					pathFlags = append(pathFlags, n)
				case f.value != "":
					valueFlags = append(valueFlags, n)
				}
			}
		}
	}
	fmt.Fprintf(w, `# bash completion for cimd. Load it with: source <(cimd completion bash)
_cimd() {
    local cur prev cmd i
    cur="${COMP_WORDS[COMP_CWORD]}"
    prev="${COMP_WORDS[COMP_CWORD-1]}"
    cmd=""
    for ((i = 1; i < COMP_CWORD; i++)); do
        case "${COMP_WORDS[i]}" in
            -c|--config) ((i++)) ;;
            -*) ;;
            *) cmd="${COMP_WORDS[i]}"; break ;;
        esac
    done
    case "$prev" in
        --profile) COMPREPLY=($(compgen -W "mcp cimd" -- "$cur")); return ;;
        --ci) COMPREPLY=($(compgen -W "github" -- "$cur")); return ;;
        %s) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        %s) COMPREPLY=(); return ;;
    esac
    case "$cmd" in
        "") COMPREPLY=($(compgen -W "%s -c --config -h --help -v --version" -- "$cur")) ;;
`, strings.Join(uniq(pathFlags), "|"), strings.Join(uniq(valueFlags), "|"), strings.Join(names, " "))
	for _, c := range cmds {
		words := append([]string{}, c.args...)
		for _, f := range c.flags {
			words = append(words, f.spellings()...)
		}
		words = append(words, "-h", "--help")
		fmt.Fprintf(w, "        %s) COMPREPLY=($(compgen -W %q -- \"$cur\")) ;;\n", c.name, strings.Join(words, " "))
	}
	fmt.Fprint(w, `    esac
    if [[ ${#COMPREPLY[@]} -eq 0 && "$cur" != -* && -n "$cmd" ]]; then
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}
complete -F _cimd cimd
`)
}

func writeZsh(w io.Writer, cmds []compCommand) {
	fmt.Fprint(w, `#compdef cimd
# zsh completion for cimd. Put it in a directory of $fpath as _cimd, or
# load it with: source <(cimd completion zsh)
_cimd() {
  local -a commands
  commands=(
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "    '%s:%s'\n", c.name, zshQuote(strings.ReplaceAll(c.summary, ":", "\\:")))
	}
	fmt.Fprint(w, `  )
  local i=2
  while (( i < CURRENT )) && [[ $words[i] == -* ]]; do
    [[ $words[i] == (-c|--config) ]] && (( i++ ))
    (( i++ ))
  done
  if (( CURRENT == i )); then
    _describe -t commands 'cimd command' commands
    return
  fi
  local cmd=$words[i]
  shift $(( i - 1 )) words
  (( CURRENT -= i - 1 ))
  case $cmd in
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "    %s)\n      _arguments -s \\\n", c.name)
		for _, f := range c.flags {
			action := ""
			switch {
			case f.isPath():
				action = ":" + f.value + ":_files"
			case len(f.choices) > 0:
				action = ":" + f.value + ":(" + strings.Join(f.choices, " ") + ")"
			case f.value != "":
				action = ":" + f.value + ": "
			}
			desc := zshQuote(strings.NewReplacer("[", "\\[", "]", "\\]", ":", "\\:").Replace(f.usage))
			for _, n := range f.spellings() {
				fmt.Fprintf(w, "        '%s[%s]%s' \\\n", n, desc, action)
			}
		}
		if len(c.args) > 0 {
			fmt.Fprintf(w, "        '1:shell:(%s)' \\\n", strings.Join(c.args, " "))
		} else if c.name == "validate" {
			fmt.Fprint(w, "        '*:target:_files' \\\n")
		}
		fmt.Fprint(w, "        '(- *)'{-h,--help}'[show help]'\n      ;;\n")
	}
	fmt.Fprint(w, `  esac
}
if [[ $funcstack[1] == _cimd ]]; then
  _cimd "$@"
else
  compdef _cimd cimd
fi
`)
}

func writeFish(w io.Writer, cmds []compCommand) {
	fmt.Fprint(w, `# fish completion for cimd. Save it as ~/.config/fish/completions/cimd.fish,
# or load it with: cimd completion fish | source
complete -c cimd -f
complete -c cimd -n '__fish_use_subcommand' -s c -l config -r -F -d 'the config FILE'
complete -c cimd -n '__fish_use_subcommand' -s v -l version -d 'print the version'
complete -c cimd -s h -l help -d 'show help'
`)
	for _, c := range cmds {
		fmt.Fprintf(w, "complete -c cimd -n '__fish_use_subcommand' -a %s -d '%s'\n", c.name, fishQuote(c.summary))
	}
	for _, c := range cmds {
		cond := "'__fish_seen_subcommand_from " + c.name + "'"
		for _, f := range c.flags {
			line := "complete -c cimd -n " + cond
			if f.short != "" {
				line += " -s " + f.short
			}
			line += " -l " + f.long
			switch {
			case f.isPath():
				line += " -r -F"
			case len(f.choices) > 0:
				line += " -x -a '" + strings.Join(f.choices, " ") + "'"
			case f.value != "":
				line += " -x"
			}
			fmt.Fprintf(w, "%s -d '%s'\n", line, fishQuote(f.usage))
		}
		if len(c.args) > 0 {
			fmt.Fprintf(w, "complete -c cimd -n %s -a '%s'\n", cond, strings.Join(c.args, " "))
		}
		if c.name == "validate" {
			fmt.Fprintf(w, "complete -c cimd -n %s -F\n", cond)
		}
	}
}

// spellings are the ways to write a flag: --long and, if it has one, -s.
func (f compFlag) spellings() []string {
	out := []string{"--" + f.long}
	if f.short != "" {
		out = append(out, "-"+f.short)
	}
	return out
}

func uniq(ss []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range ss {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return []string{"--no-such-flag"}
	}
	return out
}

// zshQuote makes s safe inside a single-quoted zsh word.
func zshQuote(s string) string { return strings.ReplaceAll(s, "'", `'\''`) }

// fishQuote makes s safe inside a single-quoted fish word.
func fishQuote(s string) string {
	return strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s)
}
