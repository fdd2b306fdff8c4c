package authserver

import (
	"context"

	"github.com/cimd-dev/cimd/fetch"
)

// GetWith adapts the hardened client c to [Options.Get] (or ProbeGet, with
// a client that sends no Accept header): a Get that got no response is an
// error that says why, in [fetch.Response.Describe]'s words, and a body read
// that failed after the status line is the Response's Err.
func GetWith(c *fetch.Client) func(ctx context.Context, url string) (*Response, error) {
	return func(ctx context.Context, url string) (*Response, error) {
		r := c.Get(ctx, url)
		if r.Status == 0 {
			return nil, r.Failure()
		}
		return &Response{Status: r.Status, Header: r.Header, Body: r.Body, Complete: r.Complete, Err: r.Failure()}, nil
	}
}
