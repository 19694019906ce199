package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
)

const (
	testSecret   = "It's a Secret to Everybody"
	testUpstream = "Codertocat/Hello-World"
	testPrefix   = "version/"
)

// fixture returns the bytes of one of the project's own payloads
// (testdata/), exactly as stored.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading webhook fixture: %v", err)
	}
	return b
}

// edit decodes a fixture, lets change modify it and re-encodes it.
func edit(t *testing.T, name string, change func(p map[string]any)) []byte {
	t.Helper()
	var p map[string]any
	if err := json.Unmarshal(fixture(t, name), &p); err != nil {
		t.Fatalf("decoding fixture %s: %v", name, err)
	}
	change(p)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("encoding fixture %s: %v", name, err)
	}
	return b
}

// releaseWithTag is release.published (or another release fixture) for tag.
func releaseWithTag(t *testing.T, name, tag string) []byte {
	t.Helper()
	return edit(t, name, func(p map[string]any) { p["release"].(map[string]any)["tag_name"] = tag })
}

func sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// delivery is one request to POST /webhook.
type delivery struct {
	event, id string
	body      []byte
	header    map[string]string // overrides; "" deletes
}

// send posts d, signed with testSecret unless d.header says otherwise, and
// returns the status code and the decoded reply.
func send(t *testing.T, baseURL string, d delivery) (int, reply) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, baseURL+"/webhook", bytes.NewReader(d.body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-GitHub-Event", d.event)
	req.Header.Set("X-GitHub-Delivery", d.id)
	req.Header.Set(signatureHeader, sign(testSecret, d.body))
	for k, v := range d.header {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("posting %s delivery %s: %v", d.event, d.id, err)
	}
	defer resp.Body.Close()
	var rep reply
	raw, _ := io.ReadAll(resp.Body)
	if err := json.Unmarshal(raw, &rep); err != nil {
		t.Fatalf("decoding reply %q (status %d): %v", raw, resp.StatusCode, err)
	}
	return resp.StatusCode, rep
}

// fakeRunner records jobs. When gate is set, each run waits for a value
// on it (or for its context, unless deaf is set, in which case only gate
// ends it).
type fakeRunner struct {
	mu      sync.Mutex
	jobs    []Job
	started chan Job
	ended   chan error // the error each run returned
	gate    chan struct{}
	deaf    bool
	err     error
}

func newFakeRunner(gated bool) *fakeRunner {
	f := &fakeRunner{started: make(chan Job, 100), ended: make(chan error, 100)}
	if gated {
		f.gate = make(chan struct{})
	}
	return f
}

func (f *fakeRunner) Run(ctx context.Context, job Job) (Outcome, error) {
	f.mu.Lock()
	f.jobs = append(f.jobs, job)
	f.mu.Unlock()
	f.started <- job
	err := f.err
	if f.gate != nil {
		if f.deaf {
			<-f.gate
		} else {
			select {
			case <-f.gate:
			case <-ctx.Done():
				err = ctx.Err()
			}
		}
	}
	f.ended <- err
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Status: "up-to-date", Detail: "nothing to do for " + job.Version}, nil
}

func (f *fakeRunner) versions() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, j := range f.jobs {
		out = append(out, j.Version)
	}
	return out
}

// waitFor returns the next value on ch, failing the test after a while.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(3 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
	var zero T
	return zero
}

// syncBuffer is a log sink safe for concurrent writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testOptions are options for a server upstream of the fixtures.
func testOptions(r Runner, logs io.Writer) Options {
	return Options{
		Secret:       []byte(testSecret),
		UpstreamRepo: testUpstream,
		TagPrefix:    testPrefix,
		Runner:       r,
		Log:          zerolog.New(logs),
	}
}

// serving is a Server running Serve on a loopback listener.
type serving struct {
	*Server
	url      string
	stop     context.CancelFunc
	served   chan struct{} // closed when Serve has returned
	serveErr error         // what it returned
}

// startServer runs Serve on 127.0.0.1 and stops it when the test ends.
func startServer(t *testing.T, opts Options) *serving {
	t.Helper()
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening on loopback: %v", err)
	}
	ctx, stop := context.WithCancel(context.Background())
	sv := &serving{Server: s, url: "http://" + ln.Addr().String(), stop: stop, served: make(chan struct{})}
	go func() {
		defer close(sv.served)
		sv.serveErr = s.Serve(ctx, ln)
	}()
	t.Cleanup(func() {
		// Connections the client dialed but never used count as active for
		// http.Server.Shutdown for 5 s; close them so shutdown is quick.
		http.DefaultClient.CloseIdleConnections()
		stop()
		select {
		case <-sv.served:
			if sv.serveErr != nil {
				t.Errorf("Serve: %v", sv.serveErr)
			}
		case <-time.After(5 * time.Second):
			t.Errorf("Serve did not return after its context was cancelled")
		}
	})
	return sv
}

// assertNoSecrets fails when logs hold the secret or a signature.
func assertNoSecrets(t *testing.T, logs string) {
	t.Helper()
	for _, leak := range []string{testSecret, "sha256="} {
		if strings.Contains(logs, leak) {
			t.Errorf("logs contain %q:\n%s", leak, logs)
		}
	}
}

func zeroLog() zerolog.Logger { return zerolog.Nop() }

// expectQueued checks what a delivery to s left: with want nil, no run
// once the server is idle; else that runner started want (received at
// testNow), what naming it in a timeout. It says whether a job ran.
func expectQueued(t *testing.T, s *serving, runner *fakeRunner, want *Job, what string) bool {
	t.Helper()
	if want == nil {
		waitIdle(t, s.Server)
		if v := runner.versions(); len(v) != 0 {
			t.Errorf("runner ran %d jobs, want no run", len(v))
		}
		return false
	}
	w := *want
	w.Received = testNow
	got := waitFor(t, runner.started, what)
	if diff := cmp.Diff(w, got, cmp.AllowUnexported(Job{})); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}
	return true
}
