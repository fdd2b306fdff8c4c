//go:build tools

// Package tools pins the programs the tests and CI run, so that their
// versions live in tools/go.mod and not in the main module's go.mod.
//
// Build versitygw, the S3-compatible server the publish tests start, with:
//
//	go build -modfile=tools/go.mod -o bin/versitygw github.com/versity/versitygw/cmd/versitygw
//
// and GoReleaser, which CI runs as `bin/goreleaser check` on .goreleaser.yaml
// (v2.17.0: the last release that builds with Go 1.26), with:
//
//	go build -modfile=tools/go.mod -o bin/goreleaser github.com/goreleaser/goreleaser/v2
package tools

import (
	_ "github.com/goreleaser/goreleaser/v2"
	_ "github.com/versity/versitygw/cmd/versitygw"
)
