package publish

import (
	"context"
	"testing"
	"time"

	"github.com/cimd-dev/cimd/config"
)

// TestClientsOnePerConfiguration shares one S3 client between environments
// whose S3 settings agree (the bucket and prefix are not settings of the
// client), and makes another for each setting that differs.
func TestClientsOnePerConfiguration(t *testing.T) {
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_REGION", "us-east-1")
	yes := true
	base := config.S3{Bucket: "a", Endpoint: "http://127.0.0.1:1"}
	same := config.S3{Bucket: "b", Prefix: "p/", Endpoint: "http://127.0.0.1:1"}
	others := []config.S3{
		{Bucket: "a", Endpoint: "http://127.0.0.1:2"},
		{Bucket: "a", Endpoint: "http://127.0.0.1:1", Region: "eu-west-1"},
		{Bucket: "a", Endpoint: "http://127.0.0.1:1", PathStyle: &yes},
	}
	var cs Clients
	ctx := context.Background()
	_, first, err := cs.get(ctx, base, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if _, c, _ := cs.get(ctx, same, time.Second); c != first {
		t.Errorf("get(%+v) made a new client; want the one of %+v", same, base)
	}
	seen := map[any]bool{first: true}
	for _, sc := range others {
		_, c, err := cs.get(ctx, sc, time.Second)
		if err != nil || seen[c] {
			t.Errorf("get(%+v) = a client seen before (or %v); want a new one", sc, err)
		}
		seen[c] = true
	}
	if _, c, _ := cs.get(ctx, base, 2*time.Second); seen[c] {
		t.Errorf("get with another timeout reused a client; want a new one")
	}
	if len(cs.m) != 5 {
		t.Errorf("Clients keeps %d clients; want 5", len(cs.m))
	}
}
