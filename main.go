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
	ctx, stop := signalContext()
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// signalContext returns a context canceled by the first SIGINT or SIGTERM,
// with an [interrupted] as its cause, which run turns into "cimd:
// interrupted" and exit 130 or 143. After the first signal the default
// action is restored, so a second Ctrl-C kills at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-sigs:
			signal.Stop(sigs)
			cancel(interrupted{sig})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel(nil)
	}
}
