package authserver

import (
	"context"
	"net/url"

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

// PostWith adapts c to [Options.Post], as GetWith does to Get.
func PostWith(c *fetch.Client) func(ctx context.Context, url string, form url.Values) (*Response, error) {
	return func(ctx context.Context, u string, form url.Values) (*Response, error) {
		r := c.Post(ctx, u, "application/x-www-form-urlencoded", []byte(form.Encode()))
		if r.Status == 0 {
			return nil, r.Failure()
		}
		return &Response{Status: r.Status, Header: r.Header, Body: r.Body, Complete: r.Complete, Err: r.Failure()}, nil
	}
}
