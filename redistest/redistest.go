// Package redistest gives each test a Redis database of its own on the
// private server that scripts/test starts (TEST_REDIS_URL), flushed before
// use, so parallel tests and packages never share keys.
package redistest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/redis/go-redis/v9"
)

// databases matches the --databases that scripts/services.sh gives Redis.
const databases = 4096

// URL returns the redis:// URL of a fresh, empty database.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("TEST_REDIS_URL")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("TEST_REDIS_URL is not set: run the tests with scripts/test")
		}
		t.Skip("TEST_REDIS_URL is not set: run the tests with scripts/test")
	}
	ctx := context.Background()
	opts, err := redis.ParseURL(base + "/0")
	if err != nil {
		t.Fatalf("redistest: parse TEST_REDIS_URL: %v", err)
	}
	admin := redis.NewClient(opts)
	defer admin.Close()
	// Database 0 only hands out numbers; tests use 1..databases-1.
	n, err := admin.Incr(ctx, "redistest:next").Result()
	if err != nil {
		t.Fatalf("redistest: allocate a database: %v", err)
	}
	db := 1 + int(n-1)%(databases-1)
	url := fmt.Sprintf("%s/%d", base, db)
	c := Client(t, url)
	if err := c.FlushDB(ctx).Err(); err != nil {
		t.Fatalf("redistest: flush: %v", err)
	}
	return url
}

// New returns a client on a fresh, empty database, closed when the test ends.
func New(t testing.TB) *redis.Client {
	t.Helper()
	return Client(t, URL(t))
}

// Client opens url, closing it when the test ends.
func Client(t testing.TB, url string) *redis.Client {
	t.Helper()
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("redistest: parse %q: %v", url, err)
	}
	c := redis.NewClient(opts)
	t.Cleanup(func() { c.Close() })
	return c
}
