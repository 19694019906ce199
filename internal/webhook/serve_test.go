package webhook

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSlowClientIsDisconnected(t *testing.T) {
	tests := []struct {
		name string
		send string // what the client writes before it stalls
	}{
		{"stalls in the headers", "POST /webhook HTTP/1.1\r\nHost: hashbot\r\nX-GitHub-Event: ping\r\n"},
		{"stalls in the body", "POST /webhook HTTP/1.1\r\nHost: hashbot\r\nX-GitHub-Event: ping\r\n" +
			"Content-Type: application/json\r\nContent-Length: 7633\r\n\r\n{\"zen\":"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := testOptions(newFakeRunner(false), &syncBuffer{})
			opts.ReadHeaderTimeout = 100 * time.Millisecond
			opts.ReadTimeout = 200 * time.Millisecond
			s := startServer(t, opts)
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if _, err := io.WriteString(conn, tt.send); err != nil {
				t.Fatal(err)
			}
			// The server must close the connection; the client never would.
			if err := conn.SetReadDeadline(time.Now().Add(3 * time.Second)); err != nil {
				t.Fatal(err)
			}
			rest, err := io.ReadAll(conn)
			if err != nil {
				t.Fatalf("connection still open after the read timeout (%v); read %q", err, rest)
			}
			if strings.Contains(string(rest), " 200 ") || strings.Contains(string(rest), " 202 ") {
				t.Errorf("slow client got a success: %q", rest)
			}
		})
	}
}

func TestShutdownCancelsRunAfterTimeout(t *testing.T) {
	runner := newFakeRunner(true) // runs until cancelled
	opts := testOptions(runner, &syncBuffer{})
	opts.ShutdownTimeout = 100 * time.Millisecond
	s := startServer(t, opts)
	for i, v := range []string{"2026.2.3", "2026.2.4"} {
		body := releaseWithTag(t, "release.published.payload.json", testPrefix+v)
		if code, rep := send(t, s.url, delivery{event: "release", id: v, body: body}); code != http.StatusAccepted || rep.Status != "queued" {
			t.Fatalf("delivery %d: got %d %+v, want 202 queued", i, code, rep)
		}
		if i == 0 {
			waitFor(t, runner.started, "the run")
		}
	}

	s.stop()
	waitFor(t, s.served, "Serve to return")
	if s.serveErr != nil {
		t.Errorf("Serve after shutdown: %v, want nil", s.serveErr)
	}
	if err := waitFor(t, runner.ended, "the run to end"); !errors.Is(err, context.Canceled) {
		t.Errorf("run ended with %v, want its context cancelled", err)
	}
	st, _ := s.queue.state()
	if st.LastRun == nil || st.LastRun.Status != "cancelled" || st.Accepting {
		t.Errorf("after shutdown: %+v, want last run cancelled and not accepting", st)
	}
	if got := runner.versions(); len(got) != 1 {
		t.Errorf("runs = %v, want only the first (the waiting one is dropped)", got)
	}
}

func TestShutdownLetsRunFinishWithinTimeout(t *testing.T) {
	runner := newFakeRunner(true)
	s, err := New(testOptions(runner, &syncBuffer{}))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	release := releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")
	send(t, ts.URL, delivery{event: "release", id: "a", body: release})
	waitFor(t, runner.started, "the run")

	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(t.Context()) }()
	// Once shutdown has begun, deliveries are refused with 503 and may be
	// redelivered later (they are not remembered as seen).
	newer := releaseWithTag(t, "release.published.payload.json", "version/2026.2.4")
	attempt := 0
	for range 2 {
		for {
			// A delivery of its own each time: one accepted before shutdown
			// began would make a repeat of it a duplicate.
			attempt++
			code, rep := send(t, ts.URL, delivery{event: "release", id: fmt.Sprintf("b%d", attempt), body: newer})
			if code == http.StatusServiceUnavailable {
				break
			}
			if code != http.StatusAccepted || (rep.Status != "queued" && rep.Status != "coalesced") {
				t.Fatalf("got %d %+v while shutting down, want 503 (or 202 before shutdown began)", code, rep)
			}
			time.Sleep(time.Millisecond) // shutdown had not begun yet
		}
	}
	close(runner.gate)
	if err := waitFor(t, shut, "Shutdown to return"); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
	if err := waitFor(t, runner.ended, "the run"); err != nil {
		t.Errorf("run ended with %v, want it to finish uncancelled", err)
	}
}

func TestShutdownReportsStuckRunner(t *testing.T) {
	runner := newFakeRunner(true)
	runner.deaf = true
	opts := testOptions(runner, &syncBuffer{})
	opts.CancelGrace = 50 * time.Millisecond
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	s.queue.offer(Job{Version: "2026.2.3"})
	waitFor(t, runner.started, "the run")
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := s.Shutdown(ctx); !errors.Is(err, ErrRunnerStuck) {
		t.Errorf("Shutdown = %v, want ErrRunnerStuck", err)
	}
	close(runner.gate)
}

func TestHealthzReportsLastRunWithoutSecrets(t *testing.T) {
	runner := newFakeRunner(false)
	runner.err = errors.New("pushing with token ghs_abc and " + testSecret + ": rejected")
	var logs syncBuffer
	opts := testOptions(runner, &logs)
	opts.Redact = func(s string) string { return strings.ReplaceAll(s, "ghs_abc", "***") }
	s := startServer(t, opts)
	send(t, s.url, delivery{event: "release", id: "h",
		body: releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")})
	waitFor(t, runner.ended, "the run")
	waitIdle(t, s.Server)

	resp, err := http.Get(s.url + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	body := string(raw)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /healthz: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{`"status":"ok"`, `"accepting":true`, `"running":null`, `"waiting":null`,
		`"version":"2026.2.3"`, `"status":"error"`, `"error":"pushing with token *** and [redacted]: rejected"`,
		`"started":"`, `"finished":"`} {
		if !strings.Contains(body, want) {
			t.Errorf("healthz lacks %s:\n%s", want, body)
		}
	}
	if strings.Contains(body, "ghs_abc") {
		t.Errorf("healthz leaks a token:\n%s", body)
	}
	assertNoSecrets(t, body+logs.String())
}

func TestMetricsCountDeliveriesAndRuns(t *testing.T) {
	runner := newFakeRunner(false)
	s := startServer(t, testOptions(runner, &syncBuffer{}))
	send(t, s.url, delivery{event: "ping", id: "p", body: fixture(t, "ping.payload.json")})
	send(t, s.url, delivery{event: "release", id: "r",
		body: releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")})
	send(t, s.url, delivery{event: "release", id: "x", body: []byte("{}"),
		header: map[string]string{signatureHeader: ""}})
	waitFor(t, runner.ended, "the run")
	waitIdle(t, s.Server)

	resp, err := http.Get(s.url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	lines := map[string]bool{}
	for sc := bufio.NewScanner(resp.Body); sc.Scan(); {
		lines[sc.Text()] = true
	}
	for _, want := range []string{
		`hashbot_webhook_deliveries_total{result="pong"} 1`,
		`hashbot_webhook_deliveries_total{result="queued"} 1`,
		`hashbot_webhook_deliveries_total{result="unauthorized"} 1`,
		`hashbot_webhook_runs_total{result="ok"} 1`,
		`hashbot_webhook_running 0`,
	} {
		if !lines[want] {
			t.Errorf("metrics lack %q; got %v", want, lines)
		}
	}
}

func TestNewRefusesBadOptions(t *testing.T) {
	good := testOptions(newFakeRunner(false), io.Discard)
	tests := []struct {
		name   string
		change func(*Options)
		want   string
	}{
		{"empty secret", func(o *Options) { o.Secret = nil }, "webhook secret is empty"},
		{"repo without owner", func(o *Options) { o.UpstreamRepo = "authentik" }, `"authentik": want owner/name`},
		{"no runner", func(o *Options) { o.Runner = nil }, "Runner is nil"},
		{"neither an upstream nor a packaging repository", func(o *Options) { o.UpstreamRepo = "" }, `upstream repository "": want owner/name`},
		{"a packaging repository without owner", func(o *Options) { o.FixRepo = "app" }, `packaging repository "app": want owner/name`},
		{"negative body cap", func(o *Options) { o.MaxBodyBytes = -1 }, "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := good
			tt.change(&o)
			_, err := New(o)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := New(Options{UpstreamRepo: "a/b", Runner: good.Runner}); !errors.Is(err, ErrNoSecret) {
		t.Errorf("New without secret: %v, want ErrNoSecret", err)
	}
	if _, err := New(good); err != nil {
		t.Errorf("New with good options: %v", err)
	}
	fixOnly := good
	fixOnly.UpstreamRepo, fixOnly.FixRepo = "", "me/app"
	if _, err := New(fixOnly); err != nil {
		t.Errorf("New with a packaging repository and no upstream: %v", err)
	}
}

func TestServeFailureCancelsTheRunningJob(t *testing.T) {
	runner := newFakeRunner(true) // runs until cancelled
	opts := testOptions(runner, &syncBuffer{})
	opts.CancelGrace = time.Second
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(t.Context(), ln) }()
	body := releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")
	send(t, "http://"+ln.Addr().String(), delivery{event: "release", id: "a", body: body})
	waitFor(t, runner.started, "the run")

	// The listener failing ends Serve with an error; the process is about
	// to exit, so the running job (and its Nix process group) must be
	// cancelled first, not left behind.
	ln.Close()
	if err := waitFor(t, served, "Serve to return"); err == nil {
		t.Error("Serve returned nil after its listener failed")
	}
	select {
	case err := <-runner.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("run ended with %v, want its context cancelled", err)
		}
	default:
		t.Error("Serve returned while the job was still running")
	}
}
