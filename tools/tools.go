//go:build tools

// Package tools pins the programs the tests run, so that their versions live
// in tools/go.mod and not in the main module's go.mod.
//
// Build versitygw, the S3-compatible server the publish tests start, with:
//
//	go build -modfile=tools/go.mod -o bin/versitygw github.com/versity/versitygw/cmd/versitygw
package tools

import _ "github.com/versity/versitygw/cmd/versitygw"
