package webhook

import (
	"bytes"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testNow = time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)

func TestWebhookAnswers(t *testing.T) {
	published := func(t *testing.T) []byte {
		return releaseWithTag(t, "release.published.payload.json", "version/2026.2.3")
	}
	tests := []struct {
		name    string
		opts    func(*Options)
		event   string
		body    func(t *testing.T) []byte
		header  map[string]string
		code    int
		status  string // reply.Status
		wantJob *Job   // the job the runner must get (Received ignored)
	}{
		{
			name: "ping answers 200", event: "ping",
			body: func(t *testing.T) []byte { return fixture(t, "ping.payload.json") },
			code: http.StatusOK, status: "pong",
		},
		{
			name: "ping with app id answers 200", event: "ping",
			body: func(t *testing.T) []byte { return fixture(t, "ping.with-app_id.payload.json") },
			code: http.StatusOK, status: "pong",
		},
		{
			name: "release published queues its version", event: "release", body: published,
			code: http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2026.2.3", Tag: "version/2026.2.3", Event: "release", DeliveryID: "d"},
		},
		{
			name: "release released queues its version", event: "release",
			body: func(t *testing.T) []byte { return releaseWithTag(t, "release.released.json", "version/2026.2.3-rc1") },
			opts: func(o *Options) { o.IncludePrereleases = true },
			code: http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2026.2.3-rc1", Tag: "version/2026.2.3-rc1", Event: "release", DeliveryID: "d"},
		},
		{
			name: "release with discussion url queues", event: "release",
			body: func(t *testing.T) []byte {
				return releaseWithTag(t, "release.published.with-discussion-url.payload.json", "version/2025.12.4")
			},
			code: http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2025.12.4", Tag: "version/2025.12.4", Event: "release", DeliveryID: "d"},
		},
		{
			name: "create of a tag queues its version", event: "create",
			body: func(t *testing.T) []byte {
				return edit(t, "create.with-organization.payload.json", func(p map[string]any) { p["ref"] = "version/2026.2.10" })
			},
			code: http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2026.2.10", Tag: "version/2026.2.10", Event: "create", DeliveryID: "d"},
		},
		{
			name: "push of a tag queues its version", event: "push",
			body: func(t *testing.T) []byte {
				return edit(t, "push.with-new-branch.payload.json", func(p map[string]any) { p["ref"] = "refs/tags/version/2026.2.4" })
			},
			code: http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2026.2.4", Tag: "version/2026.2.4", Event: "push", DeliveryID: "d"},
		},
		{
			name: "repository matches case-insensitively", event: "release", body: published,
			opts: func(o *Options) { o.UpstreamRepo = "codertocat/HELLO-world" },
			code: http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2026.2.3", Tag: "version/2026.2.3", Event: "release", DeliveryID: "d"},
		},
		{
			name: "form-encoded delivery queues", event: "release",
			body: func(t *testing.T) []byte {
				return []byte(url.Values{"payload": {string(published(t))}}.Encode())
			},
			header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			code:   http.StatusAccepted, status: "queued",
			wantJob: &Job{Version: "2026.2.3", Tag: "version/2026.2.3", Event: "release", DeliveryID: "d"},
		},
		{name: "release created is ignored", event: "release",
			body: func(t *testing.T) []byte {
				return releaseWithTag(t, "release.created.payload.json", "version/2026.2.3")
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "release prereleased is ignored", event: "release",
			body: func(t *testing.T) []byte {
				return releaseWithTag(t, "release.prereleased.payload.json", "version/2026.2.3")
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "release deleted is ignored", event: "release",
			body: func(t *testing.T) []byte {
				return releaseWithTag(t, "release.deleted.payload.json", "version/2026.2.3")
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "tag without the prefix is ignored", event: "release",
			body: func(t *testing.T) []byte { return fixture(t, "release.published.payload.json") },
			code: http.StatusAccepted, status: "ignored"},
		{name: "create of a plain tag is ignored", event: "create",
			body: func(t *testing.T) []byte { return fixture(t, "create.payload.json") },
			code: http.StatusAccepted, status: "ignored"},
		{name: "create of a branch is ignored", event: "create",
			body: func(t *testing.T) []byte {
				return edit(t, "create.with-installation.payload.json", func(p map[string]any) {
					p["ref"], p["ref_type"] = "version/2026.2.3", "branch"
				})
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "push deleting a tag is ignored", event: "push",
			body: func(t *testing.T) []byte {
				return edit(t, "push.payload.json", func(p map[string]any) { p["ref"] = "refs/tags/version/2026.2.3" })
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "push to a branch is ignored", event: "push",
			body: func(t *testing.T) []byte { return fixture(t, "push.with-new-branch.payload.json") },
			code: http.StatusAccepted, status: "ignored"},
		{name: "other repository is ignored", event: "release", body: published,
			opts: func(o *Options) { o.UpstreamRepo = "goauthentik/authentik" },
			code: http.StatusAccepted, status: "ignored"},
		{name: "other event is ignored", event: "repository_dispatch",
			body: func(t *testing.T) []byte { return fixture(t, "repository_dispatch.payload.json") },
			code: http.StatusAccepted, status: "ignored"},
		{name: "tag that is not a version is ignored", event: "release",
			body: func(t *testing.T) []byte {
				return releaseWithTag(t, "release.published.payload.json", "version/2026.2.3;rm -rf ~")
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "tag with a path is ignored", event: "release",
			body: func(t *testing.T) []byte {
				return releaseWithTag(t, "release.published.payload.json", "version/../1.2")
			},
			code: http.StatusAccepted, status: "ignored"},
		{name: "missing signature is 401", event: "release", body: published,
			header: map[string]string{signatureHeader: ""}, code: http.StatusUnauthorized},
		{name: "signature with another secret is 401", event: "release", body: published,
			header: map[string]string{signatureHeader: sign("not the secret", []byte("x"))}, code: http.StatusUnauthorized},
		{name: "signature of another body is 401", event: "release", body: published,
			header: map[string]string{signatureHeader: sign(testSecret, []byte("{}"))}, code: http.StatusUnauthorized},
		{name: "sha1 signature is 401", event: "release", body: published,
			header: map[string]string{signatureHeader: "sha1=0123456789abcdef0123456789abcdef01234567"}, code: http.StatusUnauthorized},
		{name: "signature that is not hex is 401", event: "release", body: published,
			header: map[string]string{signatureHeader: "sha256=zz"}, code: http.StatusUnauthorized},
		{name: "unsigned malformed JSON is 401 not 400", event: "release",
			body:   func(*testing.T) []byte { return []byte(`{"action":`) },
			header: map[string]string{signatureHeader: ""}, code: http.StatusUnauthorized},
		{name: "malformed JSON is 400", event: "release",
			body: func(*testing.T) []byte { return []byte(`{"action":`) }, code: http.StatusBadRequest},
		{name: "wrong JSON type is 400", event: "release",
			body: func(*testing.T) []byte { return []byte(`{"release":{"tag_name":5}}`) }, code: http.StatusBadRequest},
		{name: "missing event header is 400", event: "", body: published, code: http.StatusBadRequest},
		{name: "body over the limit is 413", event: "release", body: published,
			opts: func(o *Options) { o.MaxBodyBytes = 1024 }, code: http.StatusRequestEntityTooLarge},
		{name: "body exactly at the limit is read", event: "ping",
			body: func(t *testing.T) []byte { return fixture(t, "ping.payload.json") },
			opts: func(o *Options) { o.MaxBodyBytes = 7633 }, code: http.StatusOK, status: "pong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs syncBuffer
			runner := newFakeRunner(false)
			opts := testOptions(runner, &logs)
			opts.Clock = func() time.Time { return testNow }
			if tt.opts != nil {
				tt.opts(&opts)
			}
			s := startServer(t, opts)
			code, rep := send(t, s.url, delivery{event: tt.event, id: "d", body: tt.body(t), header: tt.header})
			if code != tt.code || rep.Status != tt.status {
				t.Fatalf("got %d %+v, want %d with status %q", code, rep, tt.code, tt.status)
			}
			if tt.wantJob != nil {
				want := *tt.wantJob
				want.Received = testNow
				got := waitFor(t, runner.started, "the queued job")
				if diff := cmp.Diff(want, got, cmp.AllowUnexported(Job{})); diff != "" {
					t.Errorf("job (-want +got):\n%s", diff)
				}
			} else if v := runner.versions(); len(v) != 0 {
				t.Errorf("runner ran %v, want no run", v)
			}
			assertNoSecrets(t, logs.String())
		})
	}
}

func TestOversizedChunkedBodyIs413(t *testing.T) {
	opts := testOptions(newFakeRunner(false), &syncBuffer{})
	opts.MaxBodyBytes = 1024
	s := startServer(t, opts)
	// Wrapping the reader hides its length, so the client sends the body chunked
	// and only the cap on reading can stop it.
	body := fixture(t, "release.published.payload.json")
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+"/webhook",
		struct{ *bytes.Reader }{bytes.NewReader(body)})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-GitHub-Event", "release")
	req.Header.Set(signatureHeader, sign(testSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if req.ContentLength != 0 || resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("chunked body over the limit: got %d (request length %d), want 413 on a chunked request",
			resp.StatusCode, req.ContentLength)
	}
}

func TestNonPostIs405(t *testing.T) {
	s := startServer(t, testOptions(newFakeRunner(false), &syncBuffer{}))
	for _, tt := range []struct{ method, path, allow string }{
		{http.MethodGet, "/webhook", "POST"},
		{http.MethodPut, "/webhook", "POST"},
		{http.MethodPost, "/healthz", "GET, HEAD"},
		{http.MethodDelete, "/metrics", "GET, HEAD"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), tt.method, s.url+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("got %d Allow %q, want 405 Allow %q", resp.StatusCode, resp.Header.Get("Allow"), tt.allow)
			}
		})
	}
}
