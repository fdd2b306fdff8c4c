package config

import (
	"fmt"
	"strings"
	"unicode"
)

// pathPunct is the punctuation a path may hold besides "/": RFC 3986's
// unreserved and sub-delims characters, ':' and '@', i.e. every character a
// URL path can hold as itself.
const pathPunct = "-._~!$&'()*+,;=:@"

// CheckPath reports whether p can be a document's path, with the reason when
// it cannot. The same rule serves build (the file <out>/<path>), a dir
// publish (<root>/<path>) and an S3 publish (the key prefix + path), so that
// each writes the one name that hosts serve at "https://" + host + p:
//
//   - it starts with "/" and names a file: no trailing "/", no empty
//     segment ("//"), no "." or ".." segment, which a host or a file system
//     would fold into another name;
//   - it holds only characters a URL path carries as themselves: letters and
//     digits (ASCII), "/" and -._~!$&'()*+,;=:@.
//
// A percent-escape ("%20", "%C3%A9") is refused rather than decoded: a host
// decodes it before it looks the file up, so the file would need the decoded
// name, and what the decoded name may be (a "/", a NUL, bytes that are not
// UTF-8) differs between file systems and stores. Every character allowed
// above needs no escape, so nothing expressible is lost but non-ASCII names.
func CheckPath(p string) error {
	if p == "" {
		return fmt.Errorf(`is required: the document's path on host, e.g. "/oauth/client.json"`)
	}
	if !strings.HasPrefix(p, "/") {
		return fmt.Errorf("%q must start with \"/\"", p)
	}
	if strings.IndexFunc(p, unicode.IsSpace) >= 0 {
		return fmt.Errorf("%q must not contain whitespace", p)
	}
	if strings.Contains(p, "%") {
		return fmt.Errorf("%q has a percent-escape: hosts decode it and look up another name than the file or key written, so cimd refuses it; write the character itself (letters, digits, / and %s)", p, pathPunct)
	}
	for _, r := range p {
		if !(r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '/' || strings.ContainsRune(pathPunct, r))) {
			return fmt.Errorf("%q has %q, which a URL path cannot hold unescaped; use letters, digits, / and %s", p, r, pathPunct)
		}
	}
	if strings.HasSuffix(p, "/") {
		return fmt.Errorf("%q ends in \"/\": it must name a file, e.g. \"/oauth/client.json\"", p)
	}
	for _, seg := range strings.Split(p[1:], "/") {
		switch seg {
		case "":
			return fmt.Errorf("%q has an empty segment (\"//\"): no file or key has an empty name, and hosts fold it into another URL; write one \"/\"", p)
		case ".", "..":
			return fmt.Errorf("%q has a %q segment: hosts resolve it to another URL than the file's; write the path it stands for", p, seg)
		}
	}
	return nil
}
