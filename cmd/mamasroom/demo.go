package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"mamasroom/linesim"
)

const demoUsage = `usage: mamasroom demo [-sim-addr ADDR]

Runs the whole system on this machine with a local LINE simulator instead of
LINE, until interrupted: the bot as "serve" runs it, and, on -sim-addr, the
simulator's Messaging API and a chat page where you play a mother in a
browser. Needs DATABASE_URL and REDIS_URL; the LINE variables are not used
(a fresh channel secret and access token are made at every start). HTTP_ADDR
defaults to 127.0.0.1:8080. MAMASROOM_CLOCK sets the clock of both.

`

func runDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	simAddr := fs.String("sim-addr", "127.0.0.1:8081", "where the chat page and the fake LINE API listen")
	if err := parseFlags(fs, args, demoUsage, stdout); err != nil {
		return err
	}
	cfg, err := LoadConfig(func(key string) string {
		if key == "HTTP_ADDR" && strings.TrimSpace(getenv(key)) == "" {
			return "127.0.0.1:8080" // a demo need not be reachable from other machines
		}
		return getenv(key)
	})
	if err != nil {
		return err
	}
	if err := cfg.ValidateStorage(); err != nil {
		return err
	}

	// The channel exists only for this run, so its secrets are made here
	// and never shown.
	cfg.ChannelSecret, cfg.ChannelAccessToken = rand.Text(), rand.Text()
	// The staff account is made for this run too, and its password shown:
	// the console is tried beside the chat page.
	cfg.DemoStaffPassword = rand.Text()[:16]
	sim, err := linesim.New(linesim.Config{
		ChannelSecret: cfg.ChannelSecret,
		AccessToken:   cfg.ChannelAccessToken,
		Now:           programClock(cfg).Now, // LINE's timestamps agree with the bot's clock
	})
	if err != nil {
		return err
	}
	simLn, err := net.Listen("tcp", *simAddr)
	if err != nil {
		return usageErrorf("demo: -sim-addr %s cannot be listened on: %v", *simAddr, err)
	}
	defer simLn.Close()
	simBase := baseURL(simLn.Addr())
	cfg.LineAPIBaseURL = simBase
	botLn, err := listenHTTP(cfg)
	if err != nil {
		return err
	}

	// One listener for both: the page and its API under the chat routes,
	// every other path is the strict Messaging API.
	chat := sim.ChatHandler()
	mux := http.NewServeMux()
	mux.Handle("GET /{$}", chat)
	mux.Handle("/chat/", chat)
	mux.Handle("/", sim.Handler())
	simServer := &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
	}

	// The simulator and the bot run as one group: either failing stops the
	// other. The simulator is stopped after the bot, which may still be
	// replying while it stops.
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := simServer.Serve(simLn); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("demo: LINE simulator: %w", err)
		}
		return nil
	})
	g.Go(func() error {
		defer func() {
			shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := simServer.Shutdown(shutdownCtx); err != nil {
				_ = simServer.Close()
			}
		}()
		return serve(gctx, cfg, botLn, stdout, stderr, func(addr net.Addr) {
			sim.SetWebhookURL(baseURL(addr) + "/webhook")
			fmt.Fprintf(stdout, "demo: staff console at %s/staff/ (login %s, password %s)\n", baseURL(addr), demoStaffLogin, cfg.DemoStaffPassword)
			fmt.Fprintf(stdout, "demo: open %s/ in a browser to chat as a mother\n", simBase)
		})
	})
	return g.Wait()
}

// baseURL is the http URL of a listening address, reachable from this
// machine: an address listening on all interfaces is reached on loopback.
func baseURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port)
}
