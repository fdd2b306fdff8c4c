// Command cimd builds, publishes and proves correct an OAuth Client ID
// Metadata Document (CIMD): the JSON document whose HTTPS URL is an OAuth
// client_id, as MCP clients use it.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
