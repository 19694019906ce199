package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestServesReleasesFromDirectoriesUntilCancelled(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.sum"), []byte("example.com/lib v1.0.0 h1:x=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	outR, outW := io.Pipe()
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"--repo", "up/app", "--pr-repo", "me/app-nix", "--release", "v1.0.0=" + dir}, outW, io.Discard)
	}()
	url, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url = strings.TrimSpace(url)
	for path, want := range map[string]string{
		"repos/up/app/releases":                   `"tag_name":"v1.0.0"`,
		"repos/up/app/contents/go.sum?ref=v1.0.0": `"path":"go.sum"`,
		"repos/me/app-nix":                        `"default_branch":"main"`,
	} {
		resp, err := http.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), want) {
			t.Errorf("GET %s: %d %s; want 200 with %s", path, resp.StatusCode, body, want)
		}
	}
	cancel()
	go io.Copy(io.Discard, outR)
	if code := <-done; code != 0 {
		t.Errorf("exit %d after cancel, want 0", code)
	}
}

func TestRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"--repo", "noslash"},
		{"--repo", "up/app", "--release", "v1"},
		{"--repo", "up/app", "extra"},
	} {
		if code := run(t.Context(), args, io.Discard, io.Discard); code != 2 {
			t.Errorf("%q: exit %d, want 2", args, code)
		}
	}
	if code := run(t.Context(), []string{"--repo", "up/app", "--release", "v1=/does/not/exist"}, io.Discard, io.Discard); code != 1 {
		t.Errorf("missing release dir: exit %d, want 1", code)
	}
}
