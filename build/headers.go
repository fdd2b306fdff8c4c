package build

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/cimd-dev/cimd/config"
	"github.com/cimd-dev/cimd/templates"
)

// The lines that fence cimd's rules inside a _headers file, so that a build
// can replace them without touching the rules the site already has.
var (
	headersBegin = []byte("# cimd: begin")
	headersEnd   = []byte("# cimd: end")
)

// MergeHeaders returns the _headers file to write when existing is already
// there: existing with its cimd block (from "# cimd: begin" to "# cimd: end")
// replaced by ours, or ours appended after a blank line when existing has no
// such block. A static site's _headers usually holds rules of its own, and
// a build must not throw them away.
func MergeHeaders(existing, ours []byte) []byte {
	if len(bytes.TrimSpace(existing)) == 0 {
		return ours
	}
	if start := lineIndex(existing, headersBegin); start >= 0 {
		if end := lineIndex(existing[start:], headersEnd); end >= 0 {
			end += start
			if nl := bytes.IndexByte(existing[end:], '\n'); nl >= 0 {
				end += nl + 1
			} else {
				end = len(existing)
			}
			out := append([]byte{}, existing[:start]...)
			out = append(out, ours...)
			return append(out, existing[end:]...)
		}
	}
	out := append([]byte{}, existing...)
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	out = append(out, '\n')
	return append(out, ours...)
}

// lineIndex returns the offset of the first line of b that starts with
// prefix, or -1.
func lineIndex(b, prefix []byte) int {
	for off := 0; off < len(b); {
		if bytes.HasPrefix(b[off:], prefix) {
			return off
		}
		nl := bytes.IndexByte(b[off:], '\n')
		if nl < 0 {
			break
		}
		off += nl + 1
	}
	return -1
}

// HeaderFiles returns the names of the host header files that c's [build]
// headers write at the root of the output directory, in the order given:
// "_headers" for "netlify", [VercelFile] for "vercel", [FirebaseFile] for
// "firebase".
func HeaderFiles(c *config.Config) []string {
	var names []string
	for _, h := range c.Build.Headers {
		switch h {
		case "netlify":
			names = append(names, "_headers")
		case "vercel":
			names = append(names, VercelFile)
		case "firebase":
			names = append(names, FirebaseFile)
		}
	}
	return names
}

// addHeaderFiles adds to files the host header files of c's [build]
// headers, as they are when no such file exists yet; [WriteSites] merges
// them with the ones already there.
func addHeaderFiles(files map[string][]byte, c *config.Config) error {
	name := strings.TrimPrefix(c.Path, "/")
	for _, h := range c.Build.Headers {
		var (
			file string
			data []byte
			err  error
		)
		switch h {
		case "netlify":
			file = "_headers"
			data, err = templates.Render("_headers", templates.HeadersData{Path: c.Path, CacheControl: c.Publish.CacheControl})
		case "vercel", "firebase":
			file, data, err = HostJSON(h, c.Path, c.Publish.CacheControl)
		default:
			// Load refuses other kinds; a Config made in code has not.
			err = fmt.Errorf("unknown header file kind %q", h)
		}
		if err != nil {
			return err
		}
		if name == file {
			return fmt.Errorf("path %q is the %s file itself", c.Path, file)
		}
		files[file] = data
	}
	return nil
}
